using System.Xml.Linq;

namespace Kvm.Libvirt;

public enum IpFamily
{
    Ipv4,
    Ipv6,
}

/// <summary>
/// One <c>&lt;ip&gt;</c>: the host's address on the network and its DHCP service. Other parts (tftp, bootp,
/// localPtr) are kept from the origin.
/// </summary>
public sealed record NetworkIp
{
    /// <summary>Null when the XML does not say, which libvirt reads as IPv4.</summary>
    public IpFamily? Family { get; init; }

    public required string Address { get; init; }

    public int? Prefix { get; init; }

    public string? Netmask { get; init; }

    public NetworkDhcp? Dhcp { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static readonly XmlEnum<IpFamily> Families = new((IpFamily.Ipv4, "ipv4"), (IpFamily.Ipv6, "ipv6"));

    internal static NetworkIp Read(XElement element) => new()
    {
        Family = Families.ParseOrNull(element.Attr("family"), "ip family"),
        Address = element.RequiredAttr("address"),
        Prefix = element.IntAttr("prefix"),
        Netmask = element.Attr("netmask"),
        Dhcp = NetworkDhcp.Read(element.Element("dhcp")),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("ip")
            .Set("family", Families.FormatOrNull(Family))
            .Set("address", Address)
            .Set("prefix", XmlEdit.Text(Prefix))
            .Set("netmask", Netmask);
        element.SetChild("dhcp", Dhcp?.ToElement());
        return element;
    }
}

/// <summary><c>&lt;dhcp&gt;</c>: address ranges and static hosts. bootp is kept from the origin.</summary>
public sealed record NetworkDhcp
{
    public ValueList<DhcpRange> Ranges { get; init; } = [];

    public ValueList<DhcpHost> Hosts { get; init; } = [];

    public XmlOrigin Origin { get; init; }

    internal static NetworkDhcp? Read(XElement? element) => element is null ? null : new NetworkDhcp
    {
        Ranges = element.Elements("range").Select(DhcpRange.Read).ToValueList(),
        Hosts = element.Elements("host").Select(DhcpHost.Read).ToValueList(),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("dhcp");
        element.ReplaceChildren("range", Ranges.Select(r => r.ToElement()).ToList());
        element.ReplaceChildren("host", Hosts.Select(h => h.ToElement()).ToList());
        return element;
    }
}

/// <summary><c>&lt;range start end/&gt;</c>; a lease child is kept from the origin.</summary>
public sealed record DhcpRange(string Start, string End)
{
    public XmlOrigin Origin { get; init; }

    internal static DhcpRange Read(XElement element) =>
        new(element.RequiredAttr("start"), element.RequiredAttr("end")) { Origin = new XmlOrigin(element) };

    internal XElement ToElement() => Origin.CopyOr("range").Set("start", Start).Set("end", End);
}

/// <summary>
/// <c>&lt;host mac name ip/&gt;</c>: a static DHCP lease (IPv4 hosts are matched by mac, IPv6 ones by id or name,
/// and <c>id</c> is kept from the origin).
/// </summary>
public sealed record DhcpHost
{
    public string? Mac { get; init; }

    public string? Name { get; init; }

    public string? Ip { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DhcpHost Read(XElement element) => new()
    {
        Mac = element.Attr("mac"),
        Name = element.Attr("name"),
        Ip = element.Attr("ip"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement() => Origin.CopyOr("host").Set("mac", Mac).Set("name", Name).Set("ip", Ip);
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

public enum IpFamily
{
    Ipv4,
    Ipv6,
}

/// <summary>
/// One <c>&lt;ip&gt;</c>: the host's address on the network, its DHCP service and the TFTP server of network
/// boot, and whether its reverse lookups stay local.
/// </summary>
public sealed record NetworkIp
{
    /// <summary>Null when the XML does not say, which libvirt reads as IPv4.</summary>
    public IpFamily? Family { get; init; }

    public required string Address { get; init; }

    public int? Prefix { get; init; }

    public string? Netmask { get; init; }

    public NetworkDhcp? Dhcp { get; init; }

    /// <summary><c>localPtr='yes'</c>: reverse lookups in the subnet are answered locally, never forwarded.</summary>
    public bool? LocalPtr { get; init; }

    /// <summary>The folder dnsmasq serves over TFTP (<c>&lt;tftp root&gt;</c>), for network boot.</summary>
    public string? TftpRoot { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static readonly XmlEnum<IpFamily> Families = new((IpFamily.Ipv4, "ipv4"), (IpFamily.Ipv6, "ipv6"));

    internal static NetworkIp Read(XElement element) => new()
    {
        Family = Families.ParseOrNull(element.Attr("family"), "ip family"),
        Address = element.RequiredAttr("address"),
        Prefix = element.IntAttr("prefix"),
        Netmask = element.Attr("netmask"),
        Dhcp = NetworkDhcp.Read(element.Element("dhcp")),
        TftpRoot = element.ChildAttr("tftp", "root"),
        LocalPtr = element.YesNoAttr("localPtr"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("ip")
            .Set("family", Families.FormatOrNull(Family))
            .Set("address", Address)
            .Set("prefix", XmlEdit.Text(Prefix))
            .Set("netmask", Netmask)
            .Set("localPtr", XmlEdit.YesNo(LocalPtr));
        element.SetChildAttrs("tftp", ("root", TftpRoot));
        element.SetChild("dhcp", Dhcp?.ToElement());
        return element;
    }
}

/// <summary><c>&lt;dhcp&gt;</c>: address ranges, static hosts and the network-boot file.</summary>
public sealed record NetworkDhcp
{
    public ValueList<DhcpRange> Ranges { get; init; } = [];

    public ValueList<DhcpHost> Hosts { get; init; } = [];

    public DhcpBootp? Bootp { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkDhcp? Read(XElement? element) => element is null ? null : new NetworkDhcp
    {
        Ranges = element.Elements("range").Select(DhcpRange.Read).ToValueList(),
        Hosts = element.Elements("host").Select(DhcpHost.Read).ToValueList(),
        Bootp = DhcpBootp.Read(element.Element("bootp")),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("dhcp");
        element.ReplaceChildren("range", Ranges.Select(r => r.ToElement()).ToList());
        element.ReplaceChildren("host", Hosts.Select(h => h.ToElement()).ToList());
        element.SetChild("bootp", Bootp?.ToElement());
        return element;
    }
}

/// <summary><c>&lt;bootp file server/&gt;</c>: the boot file DHCP offers, on this host's TFTP server or another.</summary>
public sealed record DhcpBootp(string File, string? Server)
{
    public XmlOrigin Origin { get; init; }

    internal static DhcpBootp? Read(XElement? element) =>
        element is null ? null : new(element.RequiredAttr("file"), element.Attr("server")) { Origin = new XmlOrigin(element) };

    internal XElement ToElement() => Origin.CopyOr("bootp").Set("file", File).Set("server", Server);
}

/// <summary>
/// <c>&lt;lease expiry unit/&gt;</c>: how long a DHCP lease lasts; expiry 0 is forever. No unit means
/// minutes. Kept in the unit it was given, as libvirt does.
/// </summary>
public sealed record DhcpLease(long Expiry, string? Unit)
{
    public XmlOrigin Origin { get; init; }

    internal static DhcpLease? Read(XElement? element) => element is null ? null
        : new(element.LongAttr("expiry") ?? throw new FormatException("<lease> has no 'expiry' attribute"), element.Attr("unit")) { Origin = new XmlOrigin(element) };

    internal XElement ToElement() => Origin.CopyOr("lease").Set("expiry", XmlEdit.Text(Expiry)).Set("unit", Unit);
}

/// <summary><c>&lt;range start end&gt;&lt;lease/&gt;&lt;/range&gt;</c>.</summary>
public sealed record DhcpRange(string Start, string End)
{
    public DhcpLease? Lease { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DhcpRange Read(XElement element) =>
        new(element.RequiredAttr("start"), element.RequiredAttr("end")) { Lease = DhcpLease.Read(element.Element("lease")), Origin = new XmlOrigin(element) };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("range").Set("start", Start).Set("end", End);
        element.SetChild("lease", Lease?.ToElement());
        return element;
    }
}

/// <summary>
/// <c>&lt;host mac id name ip&gt;&lt;lease/&gt;&lt;/host&gt;</c>: a static DHCP lease (IPv4 hosts are matched by mac,
/// IPv6 ones by their DHCPv6 client id (DUID) or name).
/// </summary>
public sealed record DhcpHost
{
    public string? Mac { get; init; }

    /// <summary>The DHCPv6 client's DUID, e.g. 0:3:0:1:0:16:3e:11:22:33.</summary>
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Ip { get; init; }

    public DhcpLease? Lease { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DhcpHost Read(XElement element) => new()
    {
        Mac = element.Attr("mac"),
        Id = element.Attr("id"),
        Name = element.Attr("name"),
        Ip = element.Attr("ip"),
        Lease = DhcpLease.Read(element.Element("lease")),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("host").Set("mac", Mac).Set("id", Id).Set("name", Name).Set("ip", Ip);
        element.SetChild("lease", Lease?.ToElement());
        return element;
    }
}

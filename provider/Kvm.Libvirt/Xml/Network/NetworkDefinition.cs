using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// A libvirt network definition (<c>&lt;network&gt;</c>) as far as the provider models it. Everything else in
/// the document (metadata, routes, bandwidth, dns forwarders, …) rides along in <see cref="Origin"/> and is
/// written back unchanged. Parse and format with <see cref="NetworkXml"/>.
/// </summary>
public sealed record NetworkDefinition
{
    public required string Name { get; init; }

    public Guid? Uuid { get; init; }

    /// <summary>Null: an isolated network (no <c>&lt;forward&gt;</c>).</summary>
    public NetworkForward? Forward { get; init; }

    public NetworkBridge? Bridge { get; init; }

    public int? Mtu { get; init; }

    /// <summary>The bridge's MAC address (<c>&lt;mac address/&gt;</c>); libvirt generates one for NAT/route/isolated networks.</summary>
    public string? MacAddress { get; init; }

    /// <summary>The DNS domain of the DHCP clients (<c>&lt;domain name/&gt;</c>).</summary>
    public string? DomainName { get; init; }

    public NetworkDns? Dns { get; init; }

    public ValueList<NetworkIp> Ips { get; init; } = [];

    public ValueList<NetworkPortGroup> PortGroups { get; init; } = [];

    public Vlan? Vlan { get; init; }

    public VirtualPort? VirtualPort { get; init; }

    /// <summary><c>&lt;network ipv6='yes'&gt;</c>: guests may talk IPv6 among themselves though the network has no IPv6 address.</summary>
    public bool? Ipv6 { get; init; }

    /// <summary><c>&lt;network trustGuestRxFilters&gt;</c>: the host takes the guests' receive filters (MAC, multicast) on macvtap ports.</summary>
    public bool? TrustGuestRxFilters { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkDefinition Read(XElement root) => new()
    {
        Name = root.ChildText("name") ?? throw new FormatException("<network> has no <name>"),
        Uuid = root.ChildText("uuid") is { } uuid ? Guid.Parse(uuid) : null,
        Forward = NetworkForward.Read(root.Element("forward")),
        Bridge = NetworkBridge.Read(root.Element("bridge")),
        Mtu = root.Element("mtu").IntAttr("size"),
        MacAddress = root.ChildAttr("mac", "address"),
        DomainName = root.ChildAttr("domain", "name"),
        Dns = NetworkDns.Read(root.Element("dns")),
        Ips = root.Elements("ip").Select(NetworkIp.Read).ToValueList(),
        PortGroups = root.Elements("portgroup").Select(NetworkPortGroup.Read).ToValueList(),
        Vlan = Vlan.Read(root.Element("vlan")),
        VirtualPort = VirtualPort.Read(root.Element("virtualport")),
        Ipv6 = root.YesNoAttr("ipv6"),
        TrustGuestRxFilters = root.YesNoAttr("trustGuestRxFilters"),
        Origin = new XmlOrigin(root),
    };

    internal XElement ToElement()
    {
        // Written in libvirt's own order, so a document built from scratch looks like one libvirt wrote.
        var root = Origin.CopyOr("network").Set("ipv6", XmlEdit.YesNo(Ipv6)).Set("trustGuestRxFilters", XmlEdit.YesNo(TrustGuestRxFilters));
        root.SetChildText("name", Name);
        root.SetChildText("uuid", Uuid?.ToString("D"));
        root.SetChild("forward", Forward?.ToElement());
        root.SetChild("bridge", Bridge?.ToElement());
        root.SetChildAttrs("mtu", ("size", XmlEdit.Text(Mtu)));
        root.SetChildAttrs("mac", ("address", MacAddress));
        root.SetChildAttrs("domain", ("name", DomainName));
        root.SetChild("dns", Dns?.ToElement());
        root.SetChild("vlan", Vlan?.ToElement());
        root.SetChild("virtualport", VirtualPort?.ToElement());
        root.ReplaceChildren("portgroup", PortGroups.Select(p => p.ToElement()).ToList());
        root.ReplaceChildren("ip", Ips.Select(i => i.ToElement()).ToList());
        return root;
    }
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// A libvirt network definition (<c>&lt;network&gt;</c>). Anything the model does not describe (an element a
/// newer libvirt adds) rides along in <see cref="Origin"/> and is written back unchanged. Parse and format
/// with <see cref="NetworkXml"/>.
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

    /// <summary><c>&lt;domain localOnly='yes'&gt;</c>: names in the domain are never forwarded upstream.</summary>
    public bool? DomainLocalOnly { get; init; }

    /// <summary>A short description (<c>&lt;title&gt;</c>), one line.</summary>
    public string? Title { get; init; }

    /// <summary>A longer human description (<c>&lt;description&gt;</c>).</summary>
    public string? Description { get; init; }

    public NetworkDns? Dns { get; init; }

    public ValueList<NetworkIp> Ips { get; init; } = [];

    public ValueList<NetworkPortGroup> PortGroups { get; init; } = [];

    public Vlan? Vlan { get; init; }

    public VirtualPort? VirtualPort { get; init; }

    /// <summary><c>&lt;network ipv6='yes'&gt;</c>: guests may talk IPv6 among themselves though the network has no IPv6 address.</summary>
    public bool? Ipv6 { get; init; }

    /// <summary><c>&lt;network trustGuestRxFilters&gt;</c>: the host takes the guests' receive filters (MAC, multicast) on macvtap ports.</summary>
    public bool? TrustGuestRxFilters { get; init; }

    /// <summary><c>&lt;port isolated='yes'/&gt;</c>: guest ports of the network cannot reach each other, only the uplink.</summary>
    public bool? PortIsolated { get; init; }

    public Bandwidth? Bandwidth { get; init; }

    public ValueList<NetworkRoute> Routes { get; init; } = [];

    /// <summary>The <c>&lt;metadata&gt;</c> element, whole, as one line of XML: applications' own data, which libvirt keeps and never reads.</summary>
    public string? Metadata { get; init; }

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
        DomainLocalOnly = root.Element("domain").YesNoAttr("localOnly"),
        Title = root.ChildText("title"),
        Description = root.ChildText("description"),
        Dns = NetworkDns.Read(root.Element("dns")),
        Ips = root.Elements("ip").Select(NetworkIp.Read).ToValueList(),
        PortGroups = root.Elements("portgroup").Select(NetworkPortGroup.Read).ToValueList(),
        Vlan = Vlan.Read(root.Element("vlan")),
        VirtualPort = VirtualPort.Read(root.Element("virtualport")),
        Ipv6 = root.YesNoAttr("ipv6"),
        TrustGuestRxFilters = root.YesNoAttr("trustGuestRxFilters"),
        PortIsolated = root.Element("port").YesNoAttr("isolated"),
        Bandwidth = Bandwidth.Read(root.Element("bandwidth")),
        Routes = root.Elements("route").Select(NetworkRoute.Read).ToValueList(),
        Metadata = root.Element("metadata") is { } m ? XmlEdit.OneLine(m) : null,
        Origin = new XmlOrigin(root),
    };

    internal XElement ToElement()
    {
        // Written in libvirt's own order, so a document built from scratch looks like one libvirt wrote.
        var root = Origin.CopyOr("network").Set("ipv6", XmlEdit.YesNo(Ipv6)).Set("trustGuestRxFilters", XmlEdit.YesNo(TrustGuestRxFilters));
        root.SetChildText("name", Name);
        root.SetChildText("uuid", Uuid?.ToString("D"));
        root.SetChildText("title", Title);
        root.SetChildText("description", Description);
        root.SetChild("forward", Forward?.ToElement());
        root.SetChild("bridge", Bridge?.ToElement());
        root.SetChildAttrs("mtu", ("size", XmlEdit.Text(Mtu)));
        root.SetChildAttrs("mac", ("address", MacAddress));
        root.SetChild("metadata", Metadata is null ? null : XElement.Parse(Metadata));
        root.SetChildAttrs("domain", ("name", DomainName), ("localOnly", XmlEdit.YesNo(DomainLocalOnly)));
        root.SetChild("bandwidth", Bandwidth?.ToElement());
        root.SetChildAttrs("port", ("isolated", XmlEdit.YesNo(PortIsolated)));
        root.SetChild("dns", Dns?.ToElement());
        root.SetChild("vlan", Vlan?.ToElement());
        root.SetChild("virtualport", VirtualPort?.ToElement());
        root.ReplaceChildren("portgroup", PortGroups.Select(p => p.ToElement()).ToList());
        root.ReplaceChildren("ip", Ips.Select(i => i.ToElement()).ToList());
        root.ReplaceChildren("route", Routes.Select(r => r.ToElement()).ToList());
        return root;
    }
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

public enum InterfaceType
{
    Bridge,
    Network,
    Direct,
    User,
    Ethernet,
    VhostUser,
    Server,
    Client,
    Mcast,
    Udp,
    Internal,
    Hostdev,
    Vdpa,
    Null,
    Vds,
}

/// <summary>The macvtap mode of a <c>type='direct'</c> interface.</summary>
public enum MacvtapMode
{
    Vepa,
    Bridge,
    Private,
    Passthrough,
}

public enum LinkState
{
    Up,
    Down,
}

/// <summary>
/// A guest NIC (<c>&lt;interface&gt;</c>). The source is a union with one field per variant: SourceBridge for
/// type bridge, SourceNetwork (+ SourcePortGroup) for type network, SourceDev + SourceMode for type direct.
/// Other parts (rom, filterref, tune, …) are kept from the origin.
/// </summary>
public sealed record DomainInterface
{
    public required InterfaceType Type { get; init; }

    /// <summary>
    /// For type bridge. The live XML of a type network interface also names the bridge libvirt
    /// attached it to here.
    /// </summary>
    public string? SourceBridge { get; init; }

    public string? SourceNetwork { get; init; }

    public string? SourcePortGroup { get; init; }

    /// <summary>For type direct: the host device the macvtap sits on.</summary>
    public string? SourceDev { get; init; }

    public MacvtapMode? SourceMode { get; init; }

    /// <summary>libvirt generates one (52:54:00:…) when left out.</summary>
    public string? MacAddress { get; init; }

    /// <summary><c>&lt;model type&gt;</c>: virtio, e1000e, rtl8139, …</summary>
    public string? Model { get; init; }

    /// <summary><c>&lt;driver name&gt;</c>: vhost or qemu.</summary>
    public string? DriverName { get; init; }

    /// <summary><c>&lt;driver queues&gt;</c>: multiqueue virtio-net.</summary>
    public int? DriverQueues { get; init; }

    /// <summary>The host-side device name; libvirt picks vnetN/macvtapN when left out (and reports it only live).</summary>
    public string? TargetDev { get; init; }

    public Vlan? Vlan { get; init; }

    public VirtualPort? VirtualPort { get; init; }

    public LinkState? LinkState { get; init; }

    public int? Mtu { get; init; }

    /// <summary>Where the NIC sits on the guest's bus; libvirt assigns one when left out.</summary>
    public DeviceAddress? Address { get; init; }

    /// <summary><c>&lt;bandwidth&gt;</c>: traffic shaping of the host side.</summary>
    public Bandwidth? Bandwidth { get; init; }

    /// <summary><c>&lt;coalesce&gt;&lt;rx&gt;&lt;frames max&gt;</c>: received frames the host may hold before interrupting (0 is libvirt's "not set").</summary>
    public int? CoalesceRxFrames { get; init; }

    /// <summary><c>&lt;port isolated='yes'/&gt;</c>: the port may not talk to other isolated ports of its bridge.</summary>
    public bool? PortIsolated { get; init; }

    /// <summary><c>&lt;teaming type&gt;</c>: persistent (the virtio NIC of a failover pair) or transient (the hostdev it backs up).</summary>
    public string? TeamingType { get; init; }

    /// <summary><c>&lt;teaming persistent&gt;</c>: for a transient NIC, the alias of its persistent partner.</summary>
    public string? TeamingPersistent { get; init; }

    /// <summary><c>&lt;boot order&gt;</c>: the device's place in the firmware's boot order.</summary>
    public int? BootOrder { get; init; }

    /// <summary><c>&lt;alias name&gt;</c>; a persistent definition keeps only user aliases (ua-…).</summary>
    public string? Alias { get; init; }

    /// <summary><c>trustGuestRxFilters</c>: whether the host follows the guest's changes of its MAC and multicast filters.</summary>
    public bool? TrustGuestRxFilters { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static readonly XmlEnum<InterfaceType> Types = new(
        (InterfaceType.Bridge, "bridge"),
        (InterfaceType.Network, "network"),
        (InterfaceType.Direct, "direct"),
        (InterfaceType.User, "user"),
        (InterfaceType.Ethernet, "ethernet"),
        (InterfaceType.VhostUser, "vhostuser"),
        (InterfaceType.Server, "server"),
        (InterfaceType.Client, "client"),
        (InterfaceType.Mcast, "mcast"),
        (InterfaceType.Udp, "udp"),
        (InterfaceType.Internal, "internal"),
        (InterfaceType.Hostdev, "hostdev"),
        (InterfaceType.Vdpa, "vdpa"),
        (InterfaceType.Null, "null"),
        (InterfaceType.Vds, "vds"));

    internal static readonly XmlEnum<MacvtapMode> Modes = new(
        (MacvtapMode.Vepa, "vepa"),
        (MacvtapMode.Bridge, "bridge"),
        (MacvtapMode.Private, "private"),
        (MacvtapMode.Passthrough, "passthrough"));

    internal static readonly XmlEnum<LinkState> LinkStates = new((Kvm.Libvirt.LinkState.Up, "up"), (Kvm.Libvirt.LinkState.Down, "down"));

    internal static DomainInterface Read(XElement element)
    {
        var source = element.Element("source");
        var type = Types.Parse(element.RequiredAttr("type"), "interface type");
        return new DomainInterface
        {
            Type = type,
            SourceBridge = source.Attr("bridge"),
            SourceNetwork = source.Attr("network"),
            SourcePortGroup = source.Attr("portgroup"),
            SourceDev = source.Attr("dev"),
            // Only a direct NIC's source mode is a macvtap mode; vhost-user's (server, client) is kept in Origin.
            SourceMode = type == InterfaceType.Direct ? Modes.ParseOrNull(source.Attr("mode"), "interface source mode") : null,
            MacAddress = element.ChildAttr("mac", "address"),
            Model = element.ChildAttr("model", "type"),
            DriverName = element.ChildAttr("driver", "name"),
            DriverQueues = element.Element("driver").IntAttr("queues"),
            TargetDev = element.ChildAttr("target", "dev"),
            Vlan = Vlan.Read(element.Element("vlan")),
            VirtualPort = VirtualPort.Read(element.Element("virtualport")),
            LinkState = LinkStates.ParseOrNull(element.ChildAttr("link", "state"), "interface link state"),
            Mtu = element.Element("mtu").IntAttr("size"),
            Address = DeviceAddress.Read(element.Element("address")),
            Bandwidth = Bandwidth.Read(element.Element("bandwidth")),
            CoalesceRxFrames = element.Element("coalesce")?.Element("rx")?.Element("frames").IntAttr("max"),
            PortIsolated = element.Element("port").YesNoAttr("isolated"),
            TeamingType = element.ChildAttr("teaming", "type"),
            TeamingPersistent = element.ChildAttr("teaming", "persistent"),
            BootOrder = element.Element("boot").IntAttr("order"),
            Alias = element.ChildAttr("alias", "name"),
            TrustGuestRxFilters = element.YesNoAttr("trustGuestRxFilters"),
            Origin = new XmlOrigin(element),
        };
    }

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("interface").Set("type", Types.Format(Type)).Set("trustGuestRxFilters", XmlEdit.YesNo(TrustGuestRxFilters));
        element.SetChildAttrs("mac", ("address", MacAddress));
        element.SetChildAttrs("source",
            ("network", SourceNetwork),
            ("portgroup", SourcePortGroup),
            ("bridge", SourceBridge),
            ("dev", SourceDev));
        if (Type == InterfaceType.Direct) element.SetChildAttrs("source", ("mode", Modes.FormatOrNull(SourceMode)));
        element.SetChild("vlan", Vlan?.ToElement());
        element.SetChild("virtualport", VirtualPort?.ToElement());
        element.SetChildAttrs("target", ("dev", TargetDev));
        element.SetChildAttrs("model", ("type", Model));
        element.SetChildAttrs("driver", ("name", DriverName), ("queues", XmlEdit.Text(DriverQueues)));
        element.SetChildAttrs("link", ("state", LinkStates.FormatOrNull(LinkState)));
        element.SetChildAttrs("mtu", ("size", XmlEdit.Text(Mtu)));
        element.SetChild("bandwidth", Bandwidth?.ToElement());
        element.SetChild("coalesce", CoalesceRxFrames is { } frames
            ? new XElement("coalesce", new XElement("rx", new XElement("frames", new XAttribute("max", XmlEdit.Text(frames)!))))
            : null);
        element.SetChildAttrs("port", ("isolated", XmlEdit.YesNo(PortIsolated)));
        element.SetChildAttrs("teaming", ("type", TeamingType), ("persistent", TeamingPersistent));
        element.SetChildAttrs("boot", ("order", XmlEdit.Text(BootOrder)));
        element.SetChildAttrs("alias", ("name", Alias));
        element.SetChild("address", Address?.ToElement());
        return element;
    }
}

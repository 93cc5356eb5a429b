using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>How a network reaches the outside; libvirt's <c>&lt;forward mode&gt;</c>.</summary>
public enum NetworkForwardMode
{
    Nat,
    Route,
    Open,
    Bridge,
    Private,
    Vepa,
    Passthrough,
    Hostdev,
}

/// <summary>
/// <c>&lt;forward&gt;</c>. A network without one is isolated. A forward element without a mode means NAT
/// to libvirt; such a document keeps having no mode attribute on a round trip.
/// </summary>
public sealed record NetworkForward
{
    public NetworkForwardMode Mode { get; init; } = NetworkForwardMode.Nat;

    /// <summary>The one host device to forward through (<c>dev</c>).</summary>
    public string? Dev { get; init; }

    public NetworkNat? Nat { get; init; }

    /// <summary>The pool of host devices (<c>&lt;interface dev/&gt;</c>), for bridge/macvtap modes.</summary>
    public ValueList<string> Interfaces { get; init; } = [];

    /// <summary>An SR-IOV physical function whose virtual functions are the pool (<c>&lt;pf dev/&gt;</c>).</summary>
    public string? Pf { get; init; }

    /// <summary>A hostdev pool given as the PCI addresses of virtual functions (<c>&lt;address type='pci'/&gt;</c>).</summary>
    public ValueList<DeviceAddress> PciAddresses { get; init; } = [];

    /// <summary>Hostdev: whether libvirt detaches each device from its host driver (<c>managed</c>).</summary>
    public bool? Managed { get; init; }

    /// <summary>Hostdev: the device assignment backend (<c>&lt;driver name/&gt;</c>), e.g. vfio.</summary>
    public string? DriverName { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static readonly XmlEnum<NetworkForwardMode> Modes = new(
        (NetworkForwardMode.Nat, "nat"),
        (NetworkForwardMode.Route, "route"),
        (NetworkForwardMode.Open, "open"),
        (NetworkForwardMode.Bridge, "bridge"),
        (NetworkForwardMode.Private, "private"),
        (NetworkForwardMode.Vepa, "vepa"),
        (NetworkForwardMode.Passthrough, "passthrough"),
        (NetworkForwardMode.Hostdev, "hostdev"));

    internal static NetworkForward? Read(XElement? element) => element is null ? null : new NetworkForward
    {
        Mode = Modes.ParseOrNull(element.Attr("mode"), "forward mode") ?? NetworkForwardMode.Nat,
        Dev = element.Attr("dev"),
        Nat = NetworkNat.Read(element.Element("nat")),
        Interfaces = element.Elements("interface").Select(i => i.RequiredAttr("dev")).ToValueList(),
        Pf = element.ChildAttr("pf", "dev"),
        PciAddresses = element.Elements("address").Select(a => DeviceAddress.Read(a)!).ToValueList(),
        Managed = element.YesNoAttr("managed"),
        DriverName = element.ChildAttr("driver", "name"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("forward");
        var keepImplicitNat = element.Attribute("mode") is null && Mode == NetworkForwardMode.Nat;
        if (!keepImplicitNat) element.Set("mode", Modes.Format(Mode));
        element.Set("dev", Dev).Set("managed", XmlEdit.YesNo(Managed));
        element.SetChildAttrs("driver", ("name", DriverName));
        element.SetChildAttrs("pf", ("dev", Pf));
        element.SetChild("nat", Nat?.ToElement());
        element.ReplaceChildren("interface", Interfaces.Select(dev => new XElement("interface", new XAttribute("dev", dev))).ToList());
        element.ReplaceChildren("address", PciAddresses.Select(a => a.ToElement()).ToList());
        return element;
    }
}

/// <summary><c>&lt;nat ipv6&gt;</c>: the public address and port ranges NAT may use, and whether IPv6 is NATed too.</summary>
public sealed record NetworkNat
{
    public bool? Ipv6 { get; init; }

    public NatAddressRange? Address { get; init; }

    public NatPortRange? Port { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkNat? Read(XElement? element) => element is null ? null : new NetworkNat
    {
        Address = element.Element("address") is { } a ? new NatAddressRange(a.RequiredAttr("start"), a.RequiredAttr("end")) : null,
        Port = element.Element("port") is { } p
            ? new NatPortRange(XmlEdit.ParseInt(p.RequiredAttr("start"), p, "start")!.Value, XmlEdit.ParseInt(p.RequiredAttr("end"), p, "end")!.Value)
            : null,
        Ipv6 = element.YesNoAttr("ipv6"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("nat").Set("ipv6", XmlEdit.YesNo(Ipv6));
        element.SetChildAttrs("address", ("start", Address?.Start), ("end", Address?.End));
        element.SetChildAttrs("port", ("start", XmlEdit.Text(Port?.Start)), ("end", XmlEdit.Text(Port?.End)));
        return element;
    }
}

public sealed record NatAddressRange(string Start, string End);

public sealed record NatPortRange(int Start, int End);

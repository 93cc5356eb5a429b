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

    /// <summary>A hostdev pool given as PCI addresses of virtual functions, as DDDD:BB:SS.F.</summary>
    public ValueList<string> PciAddresses { get; init; } = [];

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
        PciAddresses = element.Elements("address").Where(a => a.Attr("type") is null or "pci").Select(PciAddress.Read).ToValueList(),
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
        element.ReplaceChildren("address", PciAddresses.Select(PciAddress.ToElement).ToList());
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

/// <summary>A PCI address as libvirt writes it (<c>&lt;address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x1'/&gt;</c>) and as people do (0000:03:00.1).</summary>
public static class PciAddress
{
    /// <summary>"0000:03:00.1" from the element's hex fields.</summary>
    internal static string Read(XElement element)
    {
        static int Hex(XElement e, string name) => e.Attr(name) is { } t
            ? Convert.ToInt32(t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? t[2..] : t, t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 16 : 10)
            : 0;
        return $"{Hex(element, "domain"):x4}:{Hex(element, "bus"):x2}:{Hex(element, "slot"):x2}.{Hex(element, "function"):x1}";
    }

    internal static XElement ToElement(string address)
    {
        var (domain, bus, slot, function) = Parse(address) ?? throw new FormatException($"'{address}' is not a PCI address (DDDD:BB:SS.F)");
        return new XElement("address", new XAttribute("type", "pci"),
            new XAttribute("domain", $"0x{domain:x4}"), new XAttribute("bus", $"0x{bus:x2}"),
            new XAttribute("slot", $"0x{slot:x2}"), new XAttribute("function", $"0x{function:x1}"));
    }

    /// <summary>DDDD:BB:SS.F (the domain may be left out), in hex; null when it is not one.</summary>
    public static (int Domain, int Bus, int Slot, int Function)? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3) return null;
        var last = parts[^1].Split('.');
        if (last.Length != 2) return null;
        static int? Hex(string s, int max) => s.Length is > 0 and <= 4 && int.TryParse(s, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var v) && v <= max ? v : null;
        var domain = parts.Length == 3 ? Hex(parts[0], 0xffff) : 0;
        var bus = Hex(parts[^2], 0xff);
        var slot = Hex(last[0], 0x1f);
        var function = Hex(last[1], 7);
        return domain is { } d && bus is { } b && slot is { } s && function is { } f ? (d, b, s, f) : null;
    }
}

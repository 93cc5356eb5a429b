using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// <c>&lt;portgroup name default trustGuestRxFilters&gt;</c>: settings a guest interface picks by naming the portgroup.
/// </summary>
public sealed record NetworkPortGroup
{
    public required string Name { get; init; }

    /// <summary>The portgroup used by interfaces that name none.</summary>
    public bool? IsDefault { get; init; }

    public Vlan? Vlan { get; init; }

    public VirtualPort? VirtualPort { get; init; }

    public bool? TrustGuestRxFilters { get; init; }

    public Bandwidth? Bandwidth { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkPortGroup Read(XElement element) => new()
    {
        Name = element.RequiredAttr("name"),
        IsDefault = element.YesNoAttr("default"),
        Vlan = Vlan.Read(element.Element("vlan")),
        VirtualPort = VirtualPort.Read(element.Element("virtualport")),
        TrustGuestRxFilters = element.YesNoAttr("trustGuestRxFilters"),
        Bandwidth = Bandwidth.Read(element.Element("bandwidth")),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("portgroup").Set("name", Name).Set("default", XmlEdit.YesNo(IsDefault))
            .Set("trustGuestRxFilters", XmlEdit.YesNo(TrustGuestRxFilters));
        element.SetChild("vlan", Vlan?.ToElement());
        element.SetChild("bandwidth", Bandwidth?.ToElement());
        element.SetChild("virtualport", VirtualPort?.ToElement());
        return element;
    }
}

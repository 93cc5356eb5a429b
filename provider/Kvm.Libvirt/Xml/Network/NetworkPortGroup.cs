using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// <c>&lt;portgroup name default&gt;</c>: settings a guest interface picks by naming the portgroup.
/// Bandwidth is kept from the origin.
/// </summary>
public sealed record NetworkPortGroup
{
    public required string Name { get; init; }

    /// <summary>The portgroup used by interfaces that name none.</summary>
    public bool? IsDefault { get; init; }

    public Vlan? Vlan { get; init; }

    public VirtualPort? VirtualPort { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkPortGroup Read(XElement element) => new()
    {
        Name = element.RequiredAttr("name"),
        IsDefault = element.YesNoAttr("default"),
        Vlan = Vlan.Read(element.Element("vlan")),
        VirtualPort = VirtualPort.Read(element.Element("virtualport")),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("portgroup").Set("name", Name).Set("default", XmlEdit.YesNo(IsDefault));
        element.SetChild("vlan", Vlan?.ToElement());
        element.SetChild("virtualport", VirtualPort?.ToElement());
        return element;
    }
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// Where libvirt put a device on the guest's bus: <c>&lt;address type='pci' domain bus slot function/&gt;</c>
/// or <c>type='drive'</c> with controller, bus, target, unit. Libvirt assigns it; the provider reads it
/// but never asks for one. Other attributes (multifunction, port, …) are kept from the origin.
/// </summary>
public sealed record DeviceAddress
{
    public required string Type { get; init; }

    public string? Domain { get; init; }

    public string? Bus { get; init; }

    public string? Slot { get; init; }

    public string? Function { get; init; }

    public string? Controller { get; init; }

    public string? Target { get; init; }

    public string? Unit { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DeviceAddress? Read(XElement? element) => element is null ? null : new DeviceAddress
    {
        Type = element.RequiredAttr("type"),
        Domain = element.Attr("domain"),
        Bus = element.Attr("bus"),
        Slot = element.Attr("slot"),
        Function = element.Attr("function"),
        Controller = element.Attr("controller"),
        Target = element.Attr("target"),
        Unit = element.Attr("unit"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement() =>
        Origin.CopyOr("address")
            .Set("type", Type)
            .Set("controller", Controller)
            .Set("domain", Domain)
            .Set("bus", Bus)
            .Set("slot", Slot)
            .Set("target", Target)
            .Set("unit", Unit)
            .Set("function", Function);
}

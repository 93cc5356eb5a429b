using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// <c>&lt;virtualport type='openvswitch'&gt;&lt;parameters interfaceid='…'/&gt;&lt;/virtualport&gt;</c>.
/// Other parameters (profileid, …) are kept from the origin.
/// </summary>
public sealed record VirtualPort
{
    public const string OpenVSwitch = "openvswitch";

    /// <summary>openvswitch, 802.1Qbh, 802.1Qbg, midonet; null lets libvirt infer it from the network.</summary>
    public string? Type { get; init; }

    /// <summary>The Open vSwitch port's interface id (a UUID); libvirt generates one when left out.</summary>
    public string? InterfaceId { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static VirtualPort? Read(XElement? element) => element is null ? null : new VirtualPort
    {
        Type = element.Attr("type"),
        InterfaceId = element.ChildAttr("parameters", "interfaceid"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("virtualport").Set("type", Type);
        element.SetChildAttrs("parameters", ("interfaceid", InterfaceId));
        return element;
    }
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// <c>&lt;virtualport type='openvswitch'&gt;&lt;parameters interfaceid='…'/&gt;&lt;/virtualport&gt;</c> and the
/// parameters of the other types (802.1Qbg: managerid, typeid, typeidversion, instanceid; 802.1Qbh and
/// openvswitch: profileid; midonet: interfaceid). Anything else is kept from the origin.
/// </summary>
public sealed record VirtualPort
{
    public const string OpenVSwitch = "openvswitch";

    /// <summary>openvswitch, 802.1Qbh, 802.1Qbg, midonet; null lets libvirt infer it from the network.</summary>
    public string? Type { get; init; }

    /// <summary>The Open vSwitch port's interface id (a UUID); libvirt generates one when left out.</summary>
    public string? InterfaceId { get; init; }

    /// <summary>openvswitch, 802.1Qbh: the port profile's name.</summary>
    public string? ProfileId { get; init; }

    /// <summary>802.1Qbg: the VSI manager id (0-255).</summary>
    public int? ManagerId { get; init; }

    /// <summary>802.1Qbg: the VSI type id (24 bits).</summary>
    public int? TypeId { get; init; }

    /// <summary>802.1Qbg: the VSI type version (0-255).</summary>
    public int? TypeIdVersion { get; init; }

    /// <summary>802.1Qbg: the VSI instance id (a UUID); libvirt generates one when left out.</summary>
    public string? InstanceId { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static VirtualPort? Read(XElement? element) => element is null ? null : new VirtualPort
    {
        Type = element.Attr("type"),
        InterfaceId = element.ChildAttr("parameters", "interfaceid"),
        ProfileId = element.ChildAttr("parameters", "profileid"),
        ManagerId = Number(element, "managerid"),
        TypeId = Number(element, "typeid"),
        TypeIdVersion = Number(element, "typeidversion"),
        InstanceId = element.ChildAttr("parameters", "instanceid"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("virtualport").Set("type", Type);
        element.SetChildAttrs("parameters",
            ("managerid", XmlEdit.Text(ManagerId)),
            ("typeid", XmlEdit.Text(TypeId)),
            ("typeidversion", XmlEdit.Text(TypeIdVersion)),
            ("instanceid", InstanceId),
            ("interfaceid", InterfaceId),
            ("profileid", ProfileId));
        return element;
    }

    // libvirt reads these numbers in any C base (0x12 too) and writes them in decimal.
    private static int? Number(XElement element, string name) => element.ChildAttr("parameters", name) is not { } text ? null
        : CNumber.ParseOrNull(text) ?? throw new FormatException($"<virtualport><parameters {name}='{text}'>: not a number");
}

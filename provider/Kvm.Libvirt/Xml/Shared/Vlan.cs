using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>How a VLAN's frames leave a trunk port: libvirt's <c>nativeMode</c>.</summary>
public enum VlanNativeMode
{
    Tagged,
    Untagged,
}

/// <summary>One <c>&lt;tag id='…' nativeMode='…'/&gt;</c>.</summary>
public sealed record VlanTag(int Id, VlanNativeMode? NativeMode = null);

/// <summary>
/// <c>&lt;vlan trunk='yes'&gt;&lt;tag id='42'/&gt;…&lt;/vlan&gt;</c> of a network, portgroup or interface.
/// One tag and no trunk is an access port; several tags (or trunk) a trunk.
/// </summary>
public sealed record Vlan
{
    public bool? Trunk { get; init; }

    public ValueList<VlanTag> Tags { get; init; } = [];

    public XmlOrigin Origin { get; init; }

    private static readonly XmlEnum<VlanNativeMode> NativeModes = new(
        (VlanNativeMode.Tagged, "tagged"),
        (VlanNativeMode.Untagged, "untagged"));

    internal static Vlan? Read(XElement? element) => element is null ? null : new Vlan
    {
        Trunk = element.YesNoAttr("trunk"),
        Tags = element.Elements("tag")
            .Select(t => new VlanTag(
                XmlEdit.ParseInt(t.RequiredAttr("id"), t, "id")!.Value,
                NativeModes.ParseOrNull(t.Attr("nativeMode"), "vlan tag nativeMode")))
            .ToValueList(),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("vlan").Set("trunk", XmlEdit.YesNo(Trunk));
        element.ReplaceChildren("tag", Tags
            .Select(t => new XElement("tag").Set("id", XmlEdit.Text(t.Id)).Set("nativeMode", NativeModes.FormatOrNull(t.NativeMode)))
            .ToList());
        return element;
    }
}

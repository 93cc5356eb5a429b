using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary><c>&lt;bridge name stp delay/&gt;</c>. macTableManager and zone are kept from the origin.</summary>
public sealed record NetworkBridge
{
    public string? Name { get; init; }

    public bool? Stp { get; init; }

    /// <summary>STP forward delay in seconds.</summary>
    public int? Delay { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkBridge? Read(XElement? element) => element is null ? null : new NetworkBridge
    {
        Name = element.Attr("name"),
        Stp = element.OnOffAttr("stp"),
        Delay = element.IntAttr("delay"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement() =>
        Origin.CopyOr("bridge").Set("name", Name).Set("stp", XmlEdit.OnOff(Stp)).Set("delay", XmlEdit.Text(Delay));
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary><c>&lt;bridge name stp delay macTableManager zone/&gt;</c>. Other attributes are kept from the origin.</summary>
public sealed record NetworkBridge
{
    public string? Name { get; init; }

    public bool? Stp { get; init; }

    /// <summary>STP forward delay in seconds.</summary>
    public int? Delay { get; init; }

    /// <summary>Who learns guests' MAC addresses: kernel (the bridge floods and learns) or libvirt (it programs them, no flooding).</summary>
    public string? MacTableManager { get; init; }

    /// <summary>The firewalld zone libvirt puts the bridge in.</summary>
    public string? Zone { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkBridge? Read(XElement? element) => element is null ? null : new NetworkBridge
    {
        Name = element.Attr("name"),
        Stp = element.OnOffAttr("stp"),
        Delay = element.IntAttr("delay"),
        MacTableManager = element.Attr("macTableManager"),
        Zone = element.Attr("zone"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement() =>
        Origin.CopyOr("bridge").Set("name", Name).Set("stp", XmlEdit.OnOff(Stp)).Set("delay", XmlEdit.Text(Delay))
            .Set("macTableManager", MacTableManager).Set("zone", Zone);
}

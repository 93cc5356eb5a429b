using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// A <c>&lt;serial&gt;</c> or <c>&lt;console&gt;</c>. Source paths, target models, logs and aliases are kept
/// from the origin.
/// </summary>
public sealed record DomainCharDevice
{
    /// <summary>pty, file, unix, tcp, …</summary>
    public string Type { get; init; } = "pty";

    /// <summary><c>&lt;target type&gt;</c>: isa-serial, serial, virtio, …</summary>
    public string? TargetType { get; init; }

    public int? TargetPort { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DomainCharDevice Read(XElement element) => new()
    {
        Type = element.RequiredAttr("type"),
        TargetType = element.ChildAttr("target", "type"),
        TargetPort = element.Element("target").IntAttr("port"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement(string name)
    {
        var element = Origin.CopyOr(name).Set("type", Type);
        element.SetChildAttrs("target", ("type", TargetType), ("port", XmlEdit.Text(TargetPort)));
        return element;
    }
}

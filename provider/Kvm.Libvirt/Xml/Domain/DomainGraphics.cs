using System.Xml.Linq;

namespace Kvm.Libvirt;

public enum GraphicsType
{
    Vnc,
    Spice,
    Sdl,
    Rdp,
    Desktop,
    EglHeadless,
    Dbus,
}

/// <summary>
/// A <c>&lt;graphics&gt;</c> console. libvirt reports the listen address both as an attribute and as a
/// <c>&lt;listen type='address'&gt;</c> child and insists they agree, so both are written.
/// </summary>
public sealed record DomainGraphics
{
    public required GraphicsType Type { get; init; }

    /// <summary>-1 (with AutoPort) until a running domain is given one.</summary>
    public int? Port { get; init; }

    public bool? AutoPort { get; init; }

    public string? Listen { get; init; }

    /// <summary>A secret: libvirt only reports it with <see cref="DomainXmlFlags.Secure"/>.</summary>
    public string? Password { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static readonly XmlEnum<GraphicsType> Types = new(
        (GraphicsType.Vnc, "vnc"),
        (GraphicsType.Spice, "spice"),
        (GraphicsType.Sdl, "sdl"),
        (GraphicsType.Rdp, "rdp"),
        (GraphicsType.Desktop, "desktop"),
        (GraphicsType.EglHeadless, "egl-headless"),
        (GraphicsType.Dbus, "dbus"));

    internal static DomainGraphics Read(XElement element) => new()
    {
        Type = Types.Parse(element.RequiredAttr("type"), "graphics type"),
        Port = element.IntAttr("port"),
        AutoPort = element.YesNoAttr("autoport"),
        Listen = element.Attr("listen") ?? AddressListen(element).Attr("address"),
        Password = element.Attr("passwd"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("graphics")
            .Set("type", Types.Format(Type))
            .Set("port", XmlEdit.Text(Port))
            .Set("autoport", XmlEdit.YesNo(AutoPort))
            .Set("listen", Listen)
            .Set("passwd", Password);
        AddressListen(element)?.Set("address", Listen);
        return element;
    }

    private static XElement? AddressListen(XElement graphics) =>
        graphics.Elements("listen").FirstOrDefault(l => l.Attr("type") == "address");
}

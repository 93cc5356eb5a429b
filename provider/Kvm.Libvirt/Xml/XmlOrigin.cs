using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// The element a model was read from. Whatever the model does not describe (unknown attributes and
/// elements) lives on here and is written back unchanged. It takes no part in equality, so a parsed model
/// equals one built by hand with the same modelled values.
/// </summary>
public readonly struct XmlOrigin : IEquatable<XmlOrigin>
{
    public XmlOrigin(XElement? element) => Element = element;

    /// <summary>The original element; never modified by this library. Null for a model built in code.</summary>
    public XElement? Element { get; }

    public static XmlOrigin None => default;

    /// <summary>A deep copy of the original element to write on, or a new empty one.</summary>
    internal XElement CopyOr(XName name) => Element is null ? new XElement(name) : new XElement(Element);

    public bool Equals(XmlOrigin other) => true;

    public override bool Equals(object? obj) => obj is XmlOrigin;

    public override int GetHashCode() => 0;

    public static bool operator ==(XmlOrigin left, XmlOrigin right) => true;

    public static bool operator !=(XmlOrigin left, XmlOrigin right) => false;

    public override string ToString() => Element is null ? "(built)" : $"<{Element.Name}>";
}

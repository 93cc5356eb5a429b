using System.Globalization;
using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>Reading and writing the small pieces libvirt XML is made of.</summary>
internal static class XmlEdit
{
    public static XElement ParseRoot(string xml, string rootName)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var root = XElement.Parse(xml);
        if (root.Name != rootName)
            throw new FormatException($"expected a <{rootName}> document, got <{root.Name}>");
        return root;
    }

    /// <summary>An element as one line, without the whitespace between elements (parsed again: a document read with its indentation keeps those nodes).</summary>
    public static string OneLine(XElement element) => XElement.Parse(element.ToString()).ToString(SaveOptions.DisableFormatting);

    public static string? Attr(this XElement? element, string name) => element?.Attribute(name)?.Value;

    public static string RequiredAttr(this XElement element, string name) =>
        element.Attribute(name)?.Value ?? throw new FormatException($"<{element.Name}> has no '{name}' attribute");

    public static string? ChildAttr(this XElement element, string child, string name) => element.Element(child).Attr(name);

    public static string? ChildText(this XElement element, string child) => element.Element(child)?.Value;

    public static int? IntAttr(this XElement? element, string name) => ParseInt(element.Attr(name), element, name);

    public static int? ParseInt(string? text, XElement? element, string name) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"<{element?.Name}> '{name}': '{text}' is not an integer");

    /// <summary>A whole number that may exceed an int (rates, lease times): digits only, as libvirt writes them.</summary>
    public static long? LongAttr(this XElement? element, string name) => element.Attr(name) is not { } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"<{element!.Name}> '{name}': '{text}' is not a whole number");

    public static bool? YesNoAttr(this XElement? element, string name) => element.Attr(name) switch
    {
        null => null,
        "yes" => true,
        "no" => false,
        var other => throw new FormatException($"<{element!.Name}> '{name}': expected yes or no, got '{other}'"),
    };

    public static bool? OnOffAttr(this XElement? element, string name) => element.Attr(name) switch
    {
        null => null,
        "on" => true,
        "off" => false,
        var other => throw new FormatException($"<{element!.Name}> '{name}': expected on or off, got '{other}'"),
    };

    public static string? YesNo(bool? value) => value switch { true => "yes", false => "no", null => null };

    public static string? OnOff(bool? value) => value switch { true => "on", false => "off", null => null };

    public static string? Text(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sets or, for null, removes an attribute, keeping the position of an existing one.</summary>
    public static XElement Set(this XElement element, string name, string? value)
    {
        element.SetAttributeValue(name, value);
        return element;
    }

    /// <summary>
    /// Writes modelled attributes onto a child element, creating the child only when a value is set and
    /// dropping it when clearing them left it empty. Other attributes and children of the child survive.
    /// </summary>
    public static void SetChildAttrs(this XElement parent, string child, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        var element = parent.Element(child);
        if (element is null)
        {
            var anySet = false;
            foreach (var (_, value) in attributes) anySet |= value is not null;
            if (!anySet) return;
            element = new XElement(child);
            parent.Add(element);
        }

        var hadContent = element.HasAttributes || element.Nodes().Any();
        foreach (var (name, value) in attributes) element.SetAttributeValue(name, value);
        if (hadContent && !element.HasAttributes && !element.Nodes().Any()) element.Remove();
    }

    /// <summary>A child holding only text (e.g. <c>&lt;kernel&gt;</c>): set, or removed for null.</summary>
    public static void SetChildText(this XElement parent, string child, string? text)
    {
        var element = parent.Element(child);
        if (text is null)
        {
            element?.Remove();
            return;
        }
        if (element is null) parent.Add(new XElement(child, text));
        else element.Value = text;
    }

    /// <summary>A child whose presence is the value (e.g. <c>&lt;readonly/&gt;</c>).</summary>
    public static void SetFlagChild(this XElement parent, string child, bool present)
    {
        var element = parent.Element(child);
        if (present && element is null) parent.Add(new XElement(child));
        if (!present) element?.Remove();
    }

    public static void SetChild(this XElement parent, string child, XElement? replacement) =>
        parent.ReplaceChildren(child, replacement is null ? [] : [replacement]);

    /// <summary>
    /// Replaces the children named <paramref name="child"/> with <paramref name="items"/> in place: the i-th
    /// new item takes the i-th old one's position, extra items follow the last, surplus old ones go. So a
    /// round trip keeps how these children were interleaved with others.
    /// </summary>
    public static void ReplaceChildren(this XElement parent, string child, IReadOnlyList<XElement> items)
    {
        var existing = parent.Elements(child).ToList();
        var shared = Math.Min(existing.Count, items.Count);
        for (var i = 0; i < shared; i++) existing[i].ReplaceWith(items[i]);
        for (var i = shared; i < existing.Count; i++) existing[i].Remove();
        for (var i = shared; i < items.Count; i++)
        {
            if (i == 0) parent.Add(items[i]);
            else items[i - 1].AddAfterSelf(items[i]);
        }
    }
}

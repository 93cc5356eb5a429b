using System.Xml;
using System.Xml.Linq;

namespace Kvm.Provider.Resources;

/// <summary>
/// XML a program gives as text (a guest's <c>devicesXml</c> and <c>cpuXml</c>, a network's <c>metadataXml</c>):
/// parsed one way, refused with one message when it is not XML, and compared in one spelling.
/// </summary>
internal static class XmlFragment
{
    /// <summary>The element, or null and what is wrong with the text.</summary>
    public static XElement? Parse(string text, out string? problem)
    {
        try
        {
            problem = null;
            return XElement.Parse(text);
        }
        catch (XmlException e)
        {
            problem = $"is not well-formed XML: {e.Message}";
            return null;
        }
    }

    /// <summary>One line, no insignificant whitespace: the form import reports and Check normalises to.</summary>
    public static string Canonical(string fragment) => Canonical(XElement.Parse(fragment));

    // Parsed again from text: a document read with its whitespace keeps indentation nodes that do not count.
    public static string Canonical(XElement element) => XElement.Parse(element.ToString()).ToString(SaveOptions.DisableFormatting);
}

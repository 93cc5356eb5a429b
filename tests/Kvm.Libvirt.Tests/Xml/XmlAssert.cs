using System.Xml.Linq;

namespace Kvm.Libvirt.Tests.Xml;

internal static class XmlAssert
{
    /// <summary>Same elements, attributes (any order) and text; whitespace between elements is ignored.</summary>
    public static void Equivalent(string expected, string actual)
    {
        var e = Normalize(XElement.Parse(expected));
        var a = Normalize(XElement.Parse(actual));
        Assert.True(XNode.DeepEquals(e, a), $"XML differs.\nExpected:\n{e}\nActual:\n{a}");
    }

    public static void Equivalent(string expected, XElement actual) => Equivalent(expected, actual.ToString());

    private static XElement Normalize(XElement element) =>
        new(element.Name,
            element.Attributes().Where(a => !a.IsNamespaceDeclaration).OrderBy(a => a.Name.ToString()),
            element.Nodes().Select(n => n is XElement child ? Normalize(child) : n));
}

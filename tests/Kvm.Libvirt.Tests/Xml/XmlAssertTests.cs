namespace Kvm.Libvirt.Tests.Xml;

public class XmlAssertTests
{
    [Fact]
    public void Ignores_attribute_order_and_quotes_but_not_values()
    {
        XmlAssert.Equivalent("<a x='1' y='2'><b/></a>", "<a y=\"2\" x=\"1\">\n  <b />\n</a>");
        Assert.ThrowsAny<Exception>(() => XmlAssert.Equivalent("<a x='1'/>", "<a x='2'/>"));
        Assert.ThrowsAny<Exception>(() => XmlAssert.Equivalent("<a><b/><c/></a>", "<a><c/><b/></a>"));
        Assert.ThrowsAny<Exception>(() => XmlAssert.Equivalent("<a><b/></a>", "<a/>"));
    }
}

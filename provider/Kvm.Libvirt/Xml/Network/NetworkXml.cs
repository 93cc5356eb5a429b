using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>libvirt network XML to <see cref="NetworkDefinition"/> and back.</summary>
public static class NetworkXml
{
    /// <summary>Throws <see cref="FormatException"/> (or <see cref="System.Xml.XmlException"/>) on a malformed document.</summary>
    public static NetworkDefinition Parse(string xml) => NetworkDefinition.Read(XmlEdit.ParseRoot(xml, "network"));

    public static NetworkDefinition Parse(XElement root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Name != "network") throw new FormatException($"expected a <network> element, got <{root.Name}>");
        return NetworkDefinition.Read(root);
    }

    /// <summary>The modelled values written onto a copy of the origin document (or a new one).</summary>
    public static XElement ToElement(NetworkDefinition network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.ToElement();
    }

    public static string Format(NetworkDefinition network) => ToElement(network).ToString();
}

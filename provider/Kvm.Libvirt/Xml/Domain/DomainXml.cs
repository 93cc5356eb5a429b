using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>libvirt domain XML to <see cref="DomainDefinition"/> and back, plus single-device documents for hotplug.</summary>
public static class DomainXml
{
    /// <summary>Throws <see cref="FormatException"/> (or <see cref="System.Xml.XmlException"/>) on a malformed document.</summary>
    public static DomainDefinition Parse(string xml) => DomainDefinition.Read(XmlEdit.ParseRoot(xml, "domain"));

    public static DomainDefinition Parse(XElement root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Name != "domain") throw new FormatException($"expected a <domain> element, got <{root.Name}>");
        return DomainDefinition.Read(root);
    }

    /// <summary>The modelled values written onto a copy of the origin document (or a new one).</summary>
    public static XElement ToElement(DomainDefinition domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return domain.ToElement();
    }

    public static string Format(DomainDefinition domain) => ToElement(domain).ToString();

    /// <summary>
    /// The <c>&lt;interface&gt;</c> document for virDomainAttachDeviceFlags / DetachDeviceFlags / UpdateDeviceFlags.
    /// libvirt finds the interface to detach or update by its MAC address, so give one.
    /// </summary>
    public static string DeviceXml(DomainInterface nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        return nic.ToElement().ToString();
    }

    /// <summary>The <c>&lt;disk&gt;</c> document for hotplug; libvirt finds the disk to detach or update by its target dev.</summary>
    public static string DeviceXml(DomainDisk disk)
    {
        ArgumentNullException.ThrowIfNull(disk);
        return disk.ToElement().ToString();
    }

    public static DomainInterface ParseInterface(string xml) => DomainInterface.Read(XmlEdit.ParseRoot(xml, "interface"));

    public static DomainDisk ParseDisk(string xml) => DomainDisk.Read(XmlEdit.ParseRoot(xml, "disk"));
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// A libvirt domain definition (<c>&lt;domain&gt;</c>) as far as the provider models it. Everything else
/// (metadata, clock, controllers, video, memballoon, …) rides along in <see cref="Origin"/> and is written
/// back unchanged. Memory is always in KiB. Parse and format with <see cref="DomainXml"/>.
/// </summary>
public sealed record DomainDefinition
{
    /// <summary>The hypervisor: kvm or qemu (TCG); test for libvirt's test driver.</summary>
    public required string Type { get; init; }

    public required string Name { get; init; }

    public Guid? Uuid { get; init; }

    /// <summary><c>&lt;memory&gt;</c>: the maximum the guest can have, in KiB.</summary>
    public ulong? MemoryKiB { get; init; }

    /// <summary><c>&lt;currentMemory&gt;</c>: the balloon target, in KiB.</summary>
    public ulong? CurrentMemoryKiB { get; init; }

    public DomainVcpu? Vcpu { get; init; }

    public DomainCpu? Cpu { get; init; }

    public DomainOs? Os { get; init; }

    /// <summary>
    /// Names of the <c>&lt;features&gt;</c> children (acpi, apic, pae, …). A feature kept from the origin keeps its
    /// attributes and children (<c>&lt;hyperv&gt;</c> settings); a new one is written as an empty element.
    /// </summary>
    public ValueList<string> Features { get; init; } = [];

    public ValueList<DomainDisk> Disks { get; init; } = [];

    public ValueList<DomainInterface> Interfaces { get; init; } = [];

    public ValueList<DomainGraphics> Graphics { get; init; } = [];

    public ValueList<DomainCharDevice> Serials { get; init; } = [];

    public ValueList<DomainCharDevice> Consoles { get; init; } = [];

    public XmlOrigin Origin { get; init; }

    internal static DomainDefinition Read(XElement root)
    {
        var devices = root.Element("devices");
        return new DomainDefinition
        {
            Type = root.RequiredAttr("type"),
            Name = root.ChildText("name") ?? throw new FormatException("<domain> has no <name>"),
            Uuid = root.ChildText("uuid") is { } uuid ? Guid.Parse(uuid) : null,
            MemoryKiB = MemorySize.ReadKiB(root.Element("memory")),
            CurrentMemoryKiB = MemorySize.ReadKiB(root.Element("currentMemory")),
            Vcpu = DomainVcpu.Read(root.Element("vcpu")),
            Cpu = DomainCpu.Read(root.Element("cpu")),
            Os = DomainOs.Read(root.Element("os")),
            Features = root.Element("features")?.Elements().Select(f => f.Name.LocalName).ToValueList() ?? [],
            Disks = Children(devices, "disk").Select(DomainDisk.Read).ToValueList(),
            Interfaces = Children(devices, "interface").Select(DomainInterface.Read).ToValueList(),
            Graphics = Children(devices, "graphics").Select(DomainGraphics.Read).ToValueList(),
            Serials = Children(devices, "serial").Select(DomainCharDevice.Read).ToValueList(),
            Consoles = Children(devices, "console").Select(DomainCharDevice.Read).ToValueList(),
            Origin = new XmlOrigin(root),
        };
    }

    internal XElement ToElement()
    {
        // Written in libvirt's own order, so a document built from scratch looks like one libvirt wrote.
        var root = Origin.CopyOr("domain").Set("type", Type);
        root.SetChildText("name", Name);
        root.SetChildText("uuid", Uuid?.ToString("D"));
        MemorySize.WriteKiB(root, "memory", MemoryKiB);
        MemorySize.WriteKiB(root, "currentMemory", CurrentMemoryKiB);
        root.SetChild("vcpu", Vcpu?.ToElement());
        root.SetChild("os", Os?.ToElement());
        WriteFeatures(root);
        root.SetChild("cpu", Cpu?.ToElement());
        WriteDevices(root);
        return root;
    }

    private void WriteFeatures(XElement root)
    {
        var features = root.Element("features");
        if (Features.Count == 0)
        {
            features?.Remove();
            return;
        }
        if (features is null)
        {
            features = new XElement("features");
            root.Add(features);
        }
        foreach (var stale in features.Elements().Where(f => !Features.Contains(f.Name.LocalName)).ToList()) stale.Remove();
        foreach (var name in Features.Where(n => features.Element(n) is null)) features.Add(new XElement(name));
    }

    private void WriteDevices(XElement root)
    {
        var devices = root.Element("devices");
        if (devices is null)
        {
            if (Disks.Count + Interfaces.Count + Graphics.Count + Serials.Count + Consoles.Count == 0) return;
            devices = new XElement("devices");
            root.Add(devices);
        }
        devices.ReplaceChildren("disk", Disks.Select(d => d.ToElement()).ToList());
        devices.ReplaceChildren("interface", Interfaces.Select(i => i.ToElement()).ToList());
        devices.ReplaceChildren("serial", Serials.Select(s => s.ToElement("serial")).ToList());
        devices.ReplaceChildren("console", Consoles.Select(c => c.ToElement("console")).ToList());
        devices.ReplaceChildren("graphics", Graphics.Select(g => g.ToElement()).ToList());
    }

    private static IEnumerable<XElement> Children(XElement? parent, string name) => parent?.Elements(name) ?? [];
}

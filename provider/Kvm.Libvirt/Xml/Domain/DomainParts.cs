using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary><c>&lt;vcpu current='…' cpuset='…'&gt;max&lt;/vcpu&gt;</c>. placement is kept from the origin.</summary>
public sealed record DomainVcpu(int Maximum)
{
    /// <summary>vCPUs online at boot; null means all of <see cref="Maximum"/>.</summary>
    public int? Current { get; init; }

    /// <summary>The host CPUs the vCPUs may run on by default, in libvirt's list syntax (0-3,^2,8).</summary>
    public string? Cpuset { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DomainVcpu? Read(XElement? element) => element is null ? null
        : new DomainVcpu(XmlEdit.ParseInt(element.Value.Trim(), element, "value")!.Value)
        {
            Current = element.IntAttr("current"),
            Cpuset = element.Attr("cpuset"),
            Origin = new XmlOrigin(element),
        };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("vcpu").Set("cpuset", Cpuset).Set("current", XmlEdit.Text(Current));
        element.Value = XmlEdit.Text(Maximum)!;
        return element;
    }
}

/// <summary><c>&lt;cpu mode&gt;</c>; the model, topology and features inside are kept from the origin.</summary>
public sealed record DomainCpu
{
    /// <summary>host-passthrough, host-model, custom or maximum.</summary>
    public string? Mode { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DomainCpu? Read(XElement? element) => element is null ? null
        : new DomainCpu { Mode = element.Attr("mode"), Origin = new XmlOrigin(element) };

    internal XElement ToElement() => Origin.CopyOr("cpu").Set("mode", Mode);
}

/// <summary>
/// <c>&lt;os&gt;</c>: firmware type, machine, boot order and direct kernel boot. Loader, nvram, bootmenu and
/// the rest are kept from the origin.
/// </summary>
public sealed record DomainOs
{
    /// <summary>The <c>&lt;type&gt;</c> text, normally hvm.</summary>
    public string? Type { get; init; }

    public string? Arch { get; init; }

    /// <summary>e.g. pc-q35-7.2; libvirt expands aliases like q35 when defining.</summary>
    public string? Machine { get; init; }

    /// <summary>The <c>&lt;boot dev/&gt;</c> order: hd, cdrom, network, fd.</summary>
    public ValueList<string> BootDevices { get; init; } = [];

    public string? Kernel { get; init; }

    public string? Initrd { get; init; }

    public string? Cmdline { get; init; }

    /// <summary><c>&lt;bootmenu enable&gt;</c>: whether the firmware offers its boot menu (its timeout is kept from the origin).</summary>
    public bool? BootMenu { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DomainOs? Read(XElement? element) => element is null ? null : new DomainOs
    {
        Type = element.ChildText("type"),
        Arch = element.ChildAttr("type", "arch"),
        Machine = element.ChildAttr("type", "machine"),
        BootDevices = element.Elements("boot").Select(b => b.RequiredAttr("dev")).ToValueList(),
        Kernel = element.ChildText("kernel"),
        Initrd = element.ChildText("initrd"),
        Cmdline = element.ChildText("cmdline"),
        BootMenu = element.ChildAttr("bootmenu", "enable") switch { "yes" => true, "no" => false, _ => null },
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("os");
        var type = element.Element("type");
        if (Type is null && Arch is null && Machine is null)
        {
            type?.Remove();
        }
        else
        {
            if (type is null)
            {
                type = new XElement("type");
                element.AddFirst(type);
            }
            type.Set("arch", Arch).Set("machine", Machine);
            type.Value = Type ?? "";
        }
        element.SetChildText("kernel", Kernel);
        element.SetChildText("initrd", Initrd);
        element.SetChildText("cmdline", Cmdline);
        element.ReplaceChildren("boot", BootDevices.Select(dev => new XElement("boot", new XAttribute("dev", dev))).ToList());
        element.SetChildAttrs("bootmenu", ("enable", XmlEdit.YesNo(BootMenu)));
        return element;
    }
}

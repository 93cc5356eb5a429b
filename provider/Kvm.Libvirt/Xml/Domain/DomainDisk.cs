using System.Xml.Linq;

namespace Kvm.Libvirt;

public enum DiskType
{
    File,
    Block,
    Dir,
    Network,
    Volume,
    Nvme,
    VhostUser,
    VhostVdpa,
}

public enum DiskDevice
{
    Disk,
    Cdrom,
    Floppy,
    Lun,
}

/// <summary>
/// A <c>&lt;disk&gt;</c>. Other parts (other driver attributes, serial, alias, network sources, …) are
/// kept from the origin.
/// </summary>
public sealed record DomainDisk
{
    public DiskType Type { get; init; } = DiskType.File;

    public DiskDevice Device { get; init; } = DiskDevice.Disk;

    /// <summary><c>&lt;driver name&gt;</c>, normally qemu.</summary>
    public string? DriverName { get; init; }

    /// <summary><c>&lt;driver type&gt;</c>: the image format (raw, qcow2, …).</summary>
    public string? DriverFormat { get; init; }

    /// <summary><c>&lt;driver cache&gt;</c>: default, none, writethrough, writeback, directsync, unsafe.</summary>
    public string? DriverCache { get; init; }

    /// <summary><c>&lt;driver io&gt;</c>: threads, native, io_uring.</summary>
    public string? DriverIo { get; init; }

    /// <summary><c>&lt;driver discard&gt;</c>: unmap (pass the guest's TRIM on) or ignore.</summary>
    public string? DriverDiscard { get; init; }

    /// <summary><c>&lt;driver event_idx&gt;</c>: virtio's event index feature (on/off).</summary>
    public bool? DriverEventIdx { get; init; }

    /// <summary><c>&lt;driver ioeventfd&gt;</c>: whether virtio notifications go through an eventfd (on/off).</summary>
    public bool? DriverIoeventfd { get; init; }

    /// <summary><c>&lt;driver queues&gt;</c>: virtio-blk's number of queues.</summary>
    public int? DriverQueues { get; init; }

    /// <summary><c>&lt;boot order&gt;</c>: the device's place in the firmware's boot order.</summary>
    public int? BootOrder { get; init; }

    /// <summary><c>&lt;source file&gt;</c> of a file disk.</summary>
    public string? SourceFile { get; init; }

    /// <summary><c>&lt;source dev&gt;</c> of a block disk.</summary>
    public string? SourceDev { get; init; }

    /// <summary><c>&lt;target dev&gt;</c>, the name the guest is told (vda, sda, hdc).</summary>
    public required string TargetDev { get; init; }

    /// <summary>virtio, sata, scsi, ide, usb, …</summary>
    public string? TargetBus { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>Where the disk sits on the guest's bus; libvirt assigns one when left out.</summary>
    public DeviceAddress? Address { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static readonly XmlEnum<DiskType> Types = new(
        (DiskType.File, "file"),
        (DiskType.Block, "block"),
        (DiskType.Dir, "dir"),
        (DiskType.Network, "network"),
        (DiskType.Volume, "volume"),
        (DiskType.Nvme, "nvme"),
        (DiskType.VhostUser, "vhostuser"),
        (DiskType.VhostVdpa, "vhostvdpa"));

    internal static readonly XmlEnum<DiskDevice> Devices = new(
        (DiskDevice.Disk, "disk"),
        (DiskDevice.Cdrom, "cdrom"),
        (DiskDevice.Floppy, "floppy"),
        (DiskDevice.Lun, "lun"));

    internal static DomainDisk Read(XElement element) => new()
    {
        Type = Types.ParseOrNull(element.Attr("type"), "disk type") ?? DiskType.File,
        Device = Devices.ParseOrNull(element.Attr("device"), "disk device") ?? DiskDevice.Disk,
        DriverName = element.ChildAttr("driver", "name"),
        DriverFormat = element.ChildAttr("driver", "type"),
        DriverCache = element.ChildAttr("driver", "cache"),
        DriverIo = element.ChildAttr("driver", "io"),
        DriverDiscard = element.ChildAttr("driver", "discard"),
        DriverEventIdx = element.Element("driver").OnOffAttr("event_idx"),
        DriverIoeventfd = element.Element("driver").OnOffAttr("ioeventfd"),
        DriverQueues = element.Element("driver").IntAttr("queues"),
        BootOrder = element.Element("boot").IntAttr("order"),
        SourceFile = element.ChildAttr("source", "file"),
        SourceDev = element.ChildAttr("source", "dev"),
        TargetDev = element.Element("target")?.RequiredAttr("dev") ?? throw new FormatException("<disk> has no <target>"),
        TargetBus = element.ChildAttr("target", "bus"),
        ReadOnly = element.Element("readonly") is not null,
        Address = DeviceAddress.Read(element.Element("address")),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("disk");
        element.Set("type", Types.Format(Type));
        // Keep an implicit device='disk' implicit, as libvirt does on output.
        if (element.Attribute("device") is not null || Device != DiskDevice.Disk) element.Set("device", Devices.Format(Device));
        element.SetChildAttrs("driver", ("name", DriverName), ("type", DriverFormat), ("cache", DriverCache), ("io", DriverIo), ("discard", DriverDiscard),
            ("ioeventfd", XmlEdit.OnOff(DriverIoeventfd)), ("event_idx", XmlEdit.OnOff(DriverEventIdx)), ("queues", XmlEdit.Text(DriverQueues)));
        element.SetChildAttrs("source", ("file", SourceFile), ("dev", SourceDev));
        element.SetChildAttrs("target", ("dev", TargetDev), ("bus", TargetBus));
        element.SetFlagChild("readonly", ReadOnly);
        element.SetChildAttrs("boot", ("order", XmlEdit.Text(BootOrder)));
        element.SetChild("address", Address?.ToElement());
        return element;
    }
}

using System.Globalization;
using System.Xml.Linq;
using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// Inputs to libvirt domain XML. A new domain is written from scratch; an existing one is edited in
/// place (its parsed definition keeps everything the provider does not model: PCI addresses, controllers,
/// aliases, emulator, ...). An input the program leaves unset keeps the host's value; an input the program
/// used to set and no longer does goes back to libvirt's default.
/// </summary>
internal static class DomainMapping
{
    /// <summary>
    /// The definition to give virDomainDefineXML. <paramref name="linuxVlan"/> tells which desired NICs
    /// (by index) carry VLANs the provider programs itself (Linux bridges): those get no <c>&lt;vlan&gt;</c>
    /// (libvirt would refuse to start the guest) but an entry in our metadata, keyed by MAC. A NIC whose MAC
    /// libvirt has yet to generate is left out of the metadata: <paramref name="macsMissing"/> says so, and
    /// the caller defines again once libvirt has assigned it.
    /// </summary>
    public static XElement BuildXml(DomainArgs a, DomainArgs? old, DomainDefinition? existing, Func<int, bool> linuxVlan, out bool macsMissing)
    {
        var currentKiB = DomainMemory.CurrentKiB(a)!.Value;
        var maxKiB = DomainMemory.MaxKiB(a) ?? Math.Max(existing?.MemoryKiB ?? 0, currentKiB);
        var maxVcpus = a.MaxVcpus ?? Math.Max(existing?.Vcpu?.Maximum ?? 0, a.Vcpus!.Value);
        var vcpu = (existing?.Vcpu ?? new DomainVcpu(maxVcpus)) with { Maximum = maxVcpus, Current = a.Vcpus == maxVcpus ? null : a.Vcpus };

        var desiredNics = a.Interfaces ?? [];
        var existingNics = existing?.Interfaces ?? [];
        var nicMatch = DeviceMatching.Interfaces(desiredNics, [.. existingNics.Select(n => n.MacAddress)]);
        var desiredDisks = a.Disks ?? [];
        var existingDisks = existing?.Disks ?? [];
        var diskMatch = DeviceMatching.Disks(desiredDisks, [.. existingDisks.Select(d => d.TargetDev)]);

        // Serials are rewritten only when they differ: libvirt details (target models, aliases) stay otherwise.
        var existingSerials = existing?.Origin.Element?.Element("devices")?.Elements("serial").Select(ToSerial).ToList() ?? [];
        var rewriteSerials = a.Serials is { } wantedSerials
            ? !wantedSerials.SequenceEqual(existingSerials)
            : old?.Serials is not null && existingSerials.Count > 0;

        var def = (existing ?? new DomainDefinition { Type = a.Type ?? "kvm", Name = a.Name! }) with
        {
            Name = a.Name!,
            Uuid = a.Uuid is { } u ? Guid.Parse(u) : existing?.Uuid,
            MemoryKiB = maxKiB,
            CurrentMemoryKiB = currentKiB,
            Vcpu = GuestCpu.Vcpu(vcpu, a, old),
            Cpu = GuestCpu.Write(a, old, existing?.Cpu),
            Os = Os(a, old, existing?.Os),
            Features = a.Features is { } f ? f.ToValueList() : old?.Features is not null ? [] : existing?.Features ?? [],
            Disks = a.Disks is not null
                ? desiredDisks.Select((d, i) => Disk(d, diskMatch[i] is { } j ? existingDisks[j] : null, diskMatch[i] is { } k ? OldAt(old?.Disks, k) : null)).ToValueList()
                : old?.Disks is not null ? [] : existingDisks,
            Interfaces = a.Interfaces is not null
                ? desiredNics.Select((n, i) => Nic(n, nicMatch[i] is { } j ? existingNics[j] : null, nicMatch[i] is { } k ? OldAt(old?.Interfaces, k) : null, linuxVlan(i))).ToValueList()
                : old?.Interfaces is not null ? [] : existingNics,
            Graphics = a.Graphics is { } g ? [Graphics(g, existing?.Graphics.FirstOrDefault())] : old?.Graphics is not null ? [] : existing?.Graphics ?? [],
            Serials = rewriteSerials ? [] : existing?.Serials ?? [],
            // Consoles on a serial port follow the serials (libvirt adds one for the first); others (virtio) stay.
            Consoles = rewriteSerials
                ? (existing?.Consoles ?? []).Where(c => c.TargetType is not (null or "serial")).ToValueList()
                : existing?.Consoles ?? [],
        };

        var root = DomainXml.ToElement(def);
        if (a.Interfaces is not null)
        {
            // <rom> is not in the library's model: set it on the i-th <interface>, which is the i-th declared NIC.
            var elements = root.Element("devices")?.Elements("interface").ToList() ?? [];
            for (var i = 0; i < desiredNics.Length && i < elements.Count; i++)
            {
                var oldNic = nicMatch[i] is { } j ? OldAt(old?.Interfaces, j) : null;
                if (desiredNics[i].BootRom is { } rom) SetRom(elements[i], rom);
                else if (oldNic?.BootRom is not null) elements[i].Element("rom")?.Remove();
            }
        }
        if (rewriteSerials && a.Serials is not null) WriteSerials(root, a.Serials);
        OtherDevices.Write(root, a.DevicesXml, existing);
        SetLifecycle(root, "on_poweroff", a.OnPoweroff, old?.OnPoweroff);
        SetLifecycle(root, "on_reboot", a.OnReboot, old?.OnReboot);
        SetLifecycle(root, "on_crash", a.OnCrash, old?.OnCrash);

        // Guest VLANs on Linux bridges travel in our metadata, keyed by MAC.
        var vlans = new Dictionary<string, DomainVlanArgs>(StringComparer.Ordinal);
        macsMissing = false;
        for (var i = 0; i < desiredNics.Length; i++)
        {
            if (!linuxVlan(i) || desiredNics[i].Vlan is not { } v) continue;
            var mac = DeviceMatching.Mac(def.Interfaces[i].MacAddress);
            if (mac is null) macsMissing = true;
            else vlans[mac] = v;
        }
        if (a.Interfaces is null && old?.Interfaces is null && existing is not null)
        {
            // Interfaces are not managed: keep whatever VLANs were recorded.
            foreach (var (mac, v) in GuestVlans.Read(existing.Origin.Element)) vlans[mac] = v;
        }
        GuestVlans.Write(root, vlans);
        return root;
    }

    private static T? OldAt<T>(T[]? items, int index) where T : class => items is not null && index < items.Length ? items[index] : null;

    /// <summary>An input set now wins; one the program dropped goes back to the default (null); one never set keeps the host's value.</summary>
    public static T? Pick<T>(T? wanted, T? oldInput, T? existing) where T : class => wanted ?? (oldInput is not null ? null : existing);

    public static T? PickValue<T>(T? wanted, T? oldInput, T? existing) where T : struct => wanted ?? (oldInput is not null ? null : existing);

    private static DomainOs Os(DomainArgs a, DomainArgs? old, DomainOs? existing)
    {
        var os = existing ?? new DomainOs { Type = "hvm" };
        return os with
        {
            Type = os.Type ?? "hvm",
            Arch = Pick(a.Arch, old?.Arch, os.Arch),
            Machine = a.Machine is { } m && existing?.Machine is { } current && MachineMatches(m, current) ? current : Pick(a.Machine, old?.Machine, os.Machine),
            Kernel = Pick(a.Kernel, old?.Kernel, os.Kernel),
            Initrd = Pick(a.Initrd, old?.Initrd, os.Initrd),
            Cmdline = Pick(a.KernelCmdline, old?.KernelCmdline, os.Cmdline),
            BootDevices = a.BootDevices is { } b ? b.ToValueList() : old?.BootDevices is not null ? [] : os.BootDevices,
            BootMenu = PickValue(a.BootMenu, old?.BootMenu, os.BootMenu),
        };
    }

    /// <summary>libvirt expands the machine aliases q35 and pc into versioned types (pc-q35-7.2, pc-i440fx-7.2).</summary>
    public static bool MachineMatches(string wanted, string observed) =>
        wanted == observed
        || (wanted == "q35" && observed.StartsWith("pc-q35-", StringComparison.Ordinal))
        || (wanted == "pc" && observed.StartsWith("pc-i440fx-", StringComparison.Ordinal));

    private static DomainDisk Disk(DomainDiskArgs d, DomainDisk? existing, DomainDiskArgs? old)
    {
        var disk = existing ?? new DomainDisk { TargetDev = d.TargetDev! };
        var type = d.BlockDevice is not null ? DiskType.Block : d.File is not null ? DiskType.File : existing?.Type ?? DiskType.File;
        return DiskDetails.Write(d, old, disk with
        {
            Type = type,
            Device = d.Device is { } dev ? ParseDevice(dev) : old?.Device is not null ? DiskDevice.Disk : disk.Device,
            DriverName = DiskDetails.SetsDriver(d) ? disk.DriverName ?? "qemu" : disk.DriverName,
            DriverFormat = Pick(d.Format, old?.Format, disk.DriverFormat),
            DriverCache = Pick(d.Cache, old?.Cache, disk.DriverCache),
            DriverIo = Pick(d.Io, old?.Io, disk.DriverIo),
            DriverDiscard = Pick(d.Discard, old?.Discard, disk.DriverDiscard),
            SourceFile = type == DiskType.File ? Pick(d.File, old?.File, disk.SourceFile) : null,
            SourceDev = type == DiskType.Block ? Pick(d.BlockDevice, old?.BlockDevice, disk.SourceDev) : null,
            TargetDev = d.TargetDev!,
            TargetBus = Pick(d.Bus, old?.Bus, disk.TargetBus),
            ReadOnly = d.ReadOnly ?? (old?.ReadOnly is not null ? false : disk.ReadOnly),
        });
    }

    private static DiskDevice ParseDevice(string device) => device switch
    {
        "cdrom" => DiskDevice.Cdrom,
        "floppy" => DiskDevice.Floppy,
        "lun" => DiskDevice.Lun,
        _ => DiskDevice.Disk,
    };

    private static DomainInterface Nic(DomainInterfaceArgs n, DomainInterface? existing, DomainInterfaceArgs? old, bool linuxVlan)
    {
        var type = n.Type switch
        {
            "network" => InterfaceType.Network,
            "direct" => InterfaceType.Direct,
            _ => InterfaceType.Bridge,
        };
        var nic = existing ?? new DomainInterface { Type = type };
        var sameType = existing?.Type == type;
        // A source of another kind, or one the live XML adds (the bridge of a network), is not carried over.
        string? Source(string? wanted, string? oldInput, string? current, InterfaceType of) =>
            type != of ? null : sameType ? Pick(wanted, oldInput, current) : wanted;
        return NicDetails.Write(n, old, nic with
        {
            Type = type,
            SourceBridge = Source(n.Bridge, old?.Bridge, nic.SourceBridge, InterfaceType.Bridge),
            SourceNetwork = Source(n.Network, old?.Network, nic.SourceNetwork, InterfaceType.Network),
            SourcePortGroup = Source(n.PortGroup, old?.PortGroup, nic.SourcePortGroup, InterfaceType.Network),
            SourceDev = Source(n.Device, old?.Device, nic.SourceDev, InterfaceType.Direct),
            SourceMode = type != InterfaceType.Direct ? null
                : n.Mode is { } mode ? ParseMode(mode) : old?.Mode is not null ? null : nic.SourceMode,
            MacAddress = DeviceMatching.Mac(n.MacAddress) ?? nic.MacAddress,
            Model = Pick(n.Model, old?.Model, nic.Model),
            TargetDev = Pick(n.TargetDevice, old?.TargetDevice, existing?.TargetDev is { } t && IsGeneratedTap(t) ? null : nic.TargetDev),
            LinkState = n.LinkState switch
            {
                "down" => LinkState.Down,
                // No <link> element means up: keep the document as it is.
                "up" => nic.LinkState is null ? null : LinkState.Up,
                _ => old?.LinkState is not null ? null : nic.LinkState,
            },
            Mtu = PickValue(n.Mtu, old?.Mtu, nic.Mtu),
            Vlan = linuxVlan ? null
                : n.Vlan is { } v ? LibvirtVlan(v)
                : old?.Vlan is not null ? null : nic.Vlan,
        });
    }

    /// <summary>Names libvirt generates for host devices (and drops from the persistent definition).</summary>
    public static bool IsGeneratedTap(string name) =>
        name.StartsWith("vnet", StringComparison.Ordinal) || name.StartsWith("macvtap", StringComparison.Ordinal) || name.StartsWith("macvlan", StringComparison.Ordinal);

    private static MacvtapMode ParseMode(string mode) => mode switch
    {
        "vepa" => MacvtapMode.Vepa,
        "private" => MacvtapMode.Private,
        "passthrough" => MacvtapMode.Passthrough,
        _ => MacvtapMode.Bridge,
    };

    /// <summary>libvirt's <c>&lt;vlan&gt;</c> (Open vSwitch): trunk='yes' for a trunk, nativeMode on the native tag.</summary>
    public static Vlan LibvirtVlan(DomainVlanArgs v) => new()
    {
        Trunk = GuestVlans.IsTrunk(v) ? true : null,
        Tags = (v.Tags ?? []).Select(t => new VlanTag(t, t == v.NativeTag ? (v.NativeMode == "tagged" ? VlanNativeMode.Tagged : VlanNativeMode.Untagged) : null)).ToValueList(),
    };

    public static DomainVlanArgs? FromLibvirtVlan(Vlan? vlan)
    {
        if (vlan is null || vlan.Tags.Count == 0) return null;
        var native = vlan.Tags.FirstOrDefault(t => t.NativeMode is not null);
        return new DomainVlanArgs
        {
            Tags = [.. vlan.Tags.Select(t => t.Id)],
            Trunk = vlan.Trunk ?? vlan.Tags.Count > 1,
            NativeTag = native?.Id,
            NativeMode = native?.NativeMode switch { VlanNativeMode.Tagged => "tagged", VlanNativeMode.Untagged => "untagged", _ => null },
        };
    }

    private static DomainGraphics Graphics(DomainGraphicsArgs g, DomainGraphics? existing)
    {
        var type = g.Type == "spice" ? GraphicsType.Spice : GraphicsType.Vnc;
        var graphics = existing is not null && existing.Type == type ? existing : new DomainGraphics { Type = type };
        return graphics with
        {
            Port = g.Port ?? -1,
            AutoPort = g.Port is null,
            Listen = g.Listen ?? graphics.Listen,
            Password = g.Password,
        };
    }

    private static void SetRom(XElement nic, bool enabled)
    {
        var rom = nic.Element("rom");
        var current = rom?.Attribute("enabled")?.Value;
        if (enabled && current is null or "yes") return;
        if (!enabled && current == "no") return;
        if (rom is null)
        {
            rom = new XElement("rom");
            nic.Add(rom);
        }
        rom.SetAttributeValue("enabled", enabled ? "yes" : "no");
    }

    private static void WriteSerials(XElement root, DomainSerialArgs[] serials)
    {
        var devices = root.Element("devices");
        if (devices is null)
        {
            if (serials.Length == 0) return;
            devices = new XElement("devices");
            root.Add(devices);
        }
        foreach (var (s, i) in serials.Select((s, i) => (s, i)))
        {
            var serial = new XElement("serial", new XAttribute("type", s.Type!));
            if (s.Path is { } path) serial.Add(new XElement("source", new XAttribute("path", path)));
            serial.Add(new XElement("target", new XAttribute("port", i.ToString(CultureInfo.InvariantCulture))));
            devices.Add(serial);
        }
    }

    private static void SetLifecycle(XElement root, string element, string? wanted, string? old)
    {
        if (wanted is not null)
        {
            var e = root.Element(element);
            if (e is null) root.Add(new XElement(element, wanted));
            else e.Value = wanted;
        }
        else if (old is not null)
        {
            root.Element(element)?.Remove();
        }
    }

    // ---- what the host reports, as inputs ----

    /// <summary>A definition seen as inputs (no running state, no provider settings).</summary>
    public static DomainArgs ToArgs(DomainDefinition def, IReadOnlyDictionary<string, DomainVlanArgs> linuxVlans, DomainArgs? reference)
    {
        var root = def.Origin.Element;
        var refNics = reference?.Interfaces;
        var args = new DomainArgs
        {
            Name = def.Name,
            Type = def.Type,
            Uuid = def.Uuid?.ToString("D"),
            Vcpus = def.Vcpu is { } v ? v.Current ?? v.Maximum : null,
            MaxVcpus = def.Vcpu?.Maximum,
            VcpuCpuset = def.Vcpu?.Cpuset,
            CpuMode = def.Cpu?.Mode,
            CpuXml = GuestCpu.XmlOf(def.Cpu, reference?.CpuXml),
            Machine = def.Os?.Machine is { } m && reference?.Machine is { } alias && MachineMatches(alias, m) ? alias : def.Os?.Machine,
            Arch = def.Os?.Arch,
            Kernel = def.Os?.Kernel,
            Initrd = def.Os?.Initrd,
            KernelCmdline = def.Os?.Cmdline,
            BootDevices = def.Os is { BootDevices.Count: > 0 } os ? [.. os.BootDevices] : null,
            BootMenu = def.Os?.BootMenu,
            Features = [.. def.Features],
            Disks = [.. def.Disks.Select(ToArgs)],
            Interfaces = [.. def.Interfaces.Select(n => ToArgs(n, linuxVlans))],
            Graphics = def.Graphics.FirstOrDefault() is { } g ? ToArgs(g) : null,
            Serials = root is null ? [] : [.. (root.Element("devices")?.Elements("serial") ?? []).Select(ToSerial)],
            DevicesXml = OtherDevices.InShapeOf(OtherDevices.Read(def), reference?.DevicesXml),
            OnPoweroff = root?.Element("on_poweroff")?.Value,
            OnReboot = root?.Element("on_reboot")?.Value,
            OnCrash = root?.Element("on_crash")?.Value,
        };
        return DomainMemory.WithMax(DomainMemory.WithCurrent(args, def.CurrentMemoryKiB ?? def.MemoryKiB), def.MemoryKiB);
    }

    private static DomainDiskArgs ToArgs(DomainDisk d) => DiskDetails.Read(d, new()
    {
        TargetDev = d.TargetDev,
        File = d.SourceFile,
        BlockDevice = d.SourceDev,
        Format = d.DriverFormat,
        Bus = d.TargetBus,
        Device = d.Device.ToString().ToLowerInvariant(),
        ReadOnly = d.ReadOnly,
        Cache = d.DriverCache,
        Io = d.DriverIo,
        Discard = d.DriverDiscard,
    });

    public static DomainInterfaceArgs ToArgs(DomainInterface n, IReadOnlyDictionary<string, DomainVlanArgs> linuxVlans)
    {
        var mac = DeviceMatching.Mac(n.MacAddress);
        return NicDetails.Read(n, new DomainInterfaceArgs
        {
            Type = n.Type.ToString().ToLowerInvariant(),
            // The live XML of a network interface also names the network's bridge: not an input.
            Bridge = n.Type == InterfaceType.Bridge ? n.SourceBridge : null,
            Network = n.SourceNetwork,
            PortGroup = n.SourcePortGroup,
            Device = n.SourceDev,
            Mode = n.SourceMode?.ToString().ToLowerInvariant(),
            MacAddress = mac,
            Model = n.Model,
            TargetDevice = n.TargetDev,
            LinkState = n.LinkState == LinkState.Down ? "down" : "up",
            Mtu = n.Mtu,
            BootRom = n.Origin.Element?.Element("rom")?.Attribute("enabled")?.Value != "no",
            Vlan = mac is not null && linuxVlans.TryGetValue(mac, out var v) ? v : FromLibvirtVlan(n.Vlan),
        });
    }

    private static DomainGraphicsArgs ToArgs(DomainGraphics g) => new()
    {
        Type = g.Type.ToString().ToLowerInvariant(),
        Listen = g.Listen,
        Port = g.AutoPort == true || g.Port is null or <= 0 ? null : g.Port,
        Password = g.Password,
    };

    private static DomainSerialArgs ToSerial(XElement serial)
    {
        var type = serial.Attribute("type")?.Value ?? "pty";
        return new DomainSerialArgs
        {
            Type = type,
            // A pty's path is allocated at each start: not an input.
            Path = type is "file" or "unix" ? serial.Element("source")?.Attribute("path")?.Value : null,
        };
    }
}

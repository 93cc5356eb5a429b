using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Domains;

/// <summary>The inputs of a libvirt domain (a guest).</summary>
internal partial record DomainArgs
{
    [Input("name", "The domain's name, unique on the host (no '/').", Required = true, ReplaceOnChanges = true, MaxLength = 200)]
    public string? Name { get; init; }

    [Input("type", "The hypervisor: `kvm` (hardware virtualisation) or `qemu` (TCG emulation, no /dev/kvm needed); `test` is libvirt's test driver (test:///default).",
        ReplaceOnChanges = true, OneOf = ["kvm", "qemu", "test"], Default = "kvm")]
    public string? Type { get; init; }

    [Input("uuid", "The domain's UUID. Unset: libvirt generates one (reported in the outputs).", ReplaceOnChanges = true, MaxLength = 36)]
    public string? Uuid { get; init; }

    [Input("memoryMib", "The guest's memory in MiB (libvirt's `currentMemory`, the balloon target). Changed on a running guest without a restart while it stays within the maximum. Set this or `memoryKib`.",
        Min = 1, Max = 16777216)]
    public int? MemoryMib { get; init; }

    [Input("memoryKib", "The guest's memory in KiB, for a size that is not a whole number of MiB (libvirt keeps KiB). Instead of `memoryMib`; a whole number of MiB is shown as `memoryMib`.",
        Min = 1, Max = 17179869184)]
    public long? MemoryKib { get; init; }

    [Input("maxMemoryMib", "The most memory the guest can be given without a restart, in MiB (libvirt's `memory`). Unset (and `maxMemoryKib` unset): the current memory when the domain is created, and not managed afterwards.",
        Min = 1, Max = 16777216)]
    public int? MaxMemoryMib { get; init; }

    [Input("maxMemoryKib", "The most memory, in KiB, for a size that is not a whole number of MiB. Instead of `maxMemoryMib`; a whole number of MiB is shown as `maxMemoryMib`.",
        Min = 1, Max = 17179869184)]
    public long? MaxMemoryKib { get; init; }

    [Input("vcpus", "The number of virtual CPUs online. Changed on a running guest without a restart (CPU hot-plug) while it stays within `maxVcpus`.",
        Required = true, Min = 1, Max = 4096)]
    public int? Vcpus { get; init; }

    [Input("maxVcpus", "The most virtual CPUs the guest can have without a restart. Unset: `vcpus` when the domain is created, and not managed afterwards.",
        Min = 1, Max = 4096)]
    public int? MaxVcpus { get; init; }

    [Input("vcpuCpuset", "The host CPUs the guest's vCPUs may run on (libvirt's `<vcpu cpuset>`), in libvirt's list syntax: `0-3`, `0-7,^4`, `1,3,5`. Unset: not managed (any host CPU).", MaxLength = 1024)]
    public string? VcpuCpuset { get; init; }

    [Input("cpuMode", "How the guest CPU is modelled. Unset: libvirt's default for the hypervisor (not managed). With `cpuXml`, unset or the mode it names.",
        OneOf = ["host-passthrough", "host-model", "custom", "maximum"])]
    public string? CpuMode { get; init; }

    [Input("cpuXml", "The whole `<cpu>` element, for a CPU that is more than a mode: a custom model, topology, features, NUMA cells. Supersedes `cpuMode` (whose value must then be its mode, or unset). Import fills it when the guest's `<cpu>` has more than a mode. Where libvirt adds to it (defaults such as `check`) the program's shorter form is not a change. Unset: not managed beyond `cpuMode`.",
        MaxLength = 65536)]
    public string? CpuXml { get; init; }

    [Input("machine", "The machine type, e.g. `q35`, `pc` or a versioned one such as `pc-q35-7.2`. libvirt expands `q35` and `pc` into the current version; the alias is kept and not reported as drift.",
        MaxLength = 100)]
    public string? Machine { get; init; }

    [Input("arch", "The guest architecture, e.g. `x86_64` or `aarch64`. Unset: the host's.", MaxLength = 50)]
    public string? Arch { get; init; }

    [Input("kernel", "Direct kernel boot: the path of the kernel image on the host.", MaxLength = 4096)]
    public string? Kernel { get; init; }

    [Input("initrd", "Direct kernel boot: the path of the initramfs on the host.", MaxLength = 4096)]
    public string? Initrd { get; init; }

    [Input("kernelCmdline", "Direct kernel boot: the kernel command line.", MaxLength = 4096)]
    public string? KernelCmdline { get; init; }

    [Input("bootDevices", "The firmware's boot order. Unset: libvirt's default (`hd`).", OneOf = ["hd", "cdrom", "network", "fd"], MaxLength = 4)]
    public string[]? BootDevices { get; init; }

    [Input("bootMenu", "Whether the firmware offers its interactive boot menu at start (libvirt's `<os><bootmenu enable>`). Unset: not managed (libvirt's default is no menu).")]
    public bool? BootMenu { get; init; }

    [Input("features", "Hypervisor features to turn on, e.g. `acpi`, `apic`, `pae`, in any order.", Unordered = true, MaxLength = 64)]
    public string[]? Features { get; init; }

    [Input("disks", "The guest's disks and CD-ROM drives, matched to the host's by `targetDev`. Adding or removing one on a running guest hot-plugs it; other changes take effect at the next restart.",
        MaxLength = 256)]
    public DomainDiskArgs[]? Disks { get; init; }

    [Input("interfaces", "The guest's network interfaces, matched to the host's by `macAddress` when set, else by position. Adding or removing one on a running guest hot-plugs it; `linkState` and `vlan` change live; other changes take effect at the next restart.",
        MaxLength = 256)]
    public DomainInterfaceArgs[]? Interfaces { get; init; }

    [Input("graphics", "A graphical console (VNC or SPICE). Unset: not managed.")]
    public DomainGraphicsArgs? Graphics { get; init; }

    [Input("serials", "Serial ports; the first is also the guest's console.", MaxLength = 32)]
    public DomainSerialArgs[]? Serials { get; init; }

    [Input("devicesXml", "The guest's devices that have no inputs of their own, each one libvirt XML element: controllers, video, input, sound, RNG, TPM, watchdog, memory balloon, channels, hostdevs, filesystems, the `<emulator>`, ...; and the NICs, disks, serial ports or display when one of them is of a kind the typed inputs cannot describe (e.g. a vhost-user NIC: then all NICs are here and `interfaces` is unset). Import fills it with what the guest has, so a guest re-created from imported inputs has the same devices. Compared in any order; where libvirt adds to a fragment (an address, an alias, defaults) the program's shorter form is not a change. Unset: such devices are not managed (a new guest gets libvirt's defaults). Written to the persistent definition: a change takes effect when the guest next starts.",
        Unordered = true, MaxLength = 1024)]
    public string[]? DevicesXml { get; init; }

    [Input("onPoweroff", "What libvirt does when the guest powers off.", OneOf = ["destroy", "restart", "preserve", "rename-restart"])]
    public string? OnPoweroff { get; init; }

    [Input("onReboot", "What libvirt does when the guest reboots (`destroy` turns a reboot into a power-off).", OneOf = ["destroy", "restart", "preserve", "rename-restart"])]
    public string? OnReboot { get; init; }

    [Input("onCrash", "What libvirt does when the guest crashes.", OneOf = ["destroy", "restart", "preserve", "rename-restart", "coredump-destroy", "coredump-restart"])]
    public string? OnCrash { get; init; }

    [Input("running", "Whether the guest should be running. A guest that fails to start is reported and left defined (the next `pulumi up` retries).", Default = true)]
    public bool? Running { get; init; }

    [Input("autostart", "Whether libvirt starts the guest when the host boots. Unset: not managed.")]
    public bool? Autostart { get; init; }

    [Input("shutdownTimeoutSeconds", "How long a graceful shutdown (ACPI power button) may take before the guest is powered off hard: on delete, on `running: false` and for restarts under `restartPolicy: graceful`.",
        Min = 0, Max = 86400, Default = 60)]
    public int? ShutdownTimeoutSeconds { get; init; }

    [Input("restartPolicy", "What to do with a running guest when a change needs a restart: `never` writes it to the persistent config and reports it (it takes effect when the guest next restarts; see `pendingRestart`); `graceful` shuts the guest down (up to `shutdownTimeoutSeconds`, then forced) and starts it again; `force` powers it off at once and starts it again.",
        OneOf = ["never", "graceful", "force"], Default = "never")]
    public string? RestartPolicy { get; init; }
}

/// <summary>A libvirt domain as observed: the inputs, plus what only the host can tell.</summary>
internal sealed partial record DomainState : DomainArgs
{
    [Output("state", "The domain's state: running, paused, shutoff, shutdown (on its way off), crashed, pmsuspended, blocked or nostate.", Required = true)]
    public string? State { get; init; }

    [Output("domainId", "The hypervisor's id of the running domain (`virsh domid`); changes whenever the guest is started again. Unset while it is not running.")]
    public int? DomainId { get; init; }

    [Output("pendingRestart", "Property paths whose persistent configuration differs from the running guest: changes written to the config that take effect when the guest next restarts. Empty when the guest is not running.", Required = true)]
    public string[]? PendingRestart { get; init; }

    [Output("liveXml", "The domain XML libvirt reports now (the running definition, or the persistent one of a guest that is not running), without secrets.", Required = true)]
    public string? LiveXml { get; init; }
}

/// <summary>One guest network interface.</summary>
[SchemaType("kvm:index:DomainInterface", "A guest network interface: on a Linux or Open vSwitch bridge (`bridge`), on a libvirt network (`network`) or a macvtap on a host device (`direct`).")]
internal sealed partial record DomainInterfaceArgs
{
    [Input("type", "Where the interface connects: `bridge` (a host bridge), `network` (a libvirt network) or `direct` (macvtap on a host device).", Required = true, OneOf = ["bridge", "network", "direct"])]
    public string? Type { get; init; }

    [Input("bridge", "For type `bridge`: the host bridge (Linux or Open vSwitch). It must exist, or be a `kvm:index:Bridge` of the same program.", MaxLength = 15)]
    public string? Bridge { get; init; }

    [Input("network", "For type `network`: the libvirt network. It must exist, or be a `kvm:index:LibvirtNetwork` of the same program.", MaxLength = 200)]
    public string? Network { get; init; }

    [Input("portGroup", "For type `network`: the network's port group.", MaxLength = 200)]
    public string? PortGroup { get; init; }

    [Input("device", "For type `direct`: the host interface the macvtap sits on.", MaxLength = 15)]
    public string? Device { get; init; }

    [Input("mode", "For type `direct`: the macvtap mode.", OneOf = ["vepa", "bridge", "private", "passthrough"])]
    public string? Mode { get; init; }

    [Input("macAddress", "The guest-side MAC address (unicast, e.g. 52:54:00:12:34:56). Unset: libvirt generates one, reported here and never shown as a change.", MaxLength = 17)]
    public string? MacAddress { get; init; }

    [Input("model", "The NIC model the guest sees, e.g. `virtio`, `e1000e`, `rtl8139`. Unset: libvirt's default (not managed).", MaxLength = 50)]
    public string? Model { get; init; }

    [Input("targetDevice", "The host-side device name (1-15 characters, not starting with vnet, macvtap or macvlan, which libvirt reserves). Unset: libvirt names it vnetN at each start; the name in use is reported here while the guest runs and is never shown as a change.", MaxLength = 15)]
    public string? TargetDevice { get; init; }

    [Input("linkState", "Whether the guest sees its link up or down (a virtual cable pull); changed live.", OneOf = ["up", "down"])]
    public string? LinkState { get; init; }

    [Input("mtu", "The MTU of the host-side device and the guest NIC.", Min = 68, Max = 65535)]
    public int? Mtu { get; init; }

    [Input("bootRom", "Whether the NIC's option ROM (its network-boot firmware) is loaded; false (`<rom enabled='no'/>`) for guests that never boot from the network, or hosts without the iPXE ROMs. Unset: libvirt's default (loaded).")]
    public bool? BootRom { get; init; }

    [Input("virtualPort", "The virtual port type (libvirt's `<virtualport type>`): `openvswitch` for an Open vSwitch bridge (or a network on one): libvirt adds the port to OVS and VLANs become OVS port tags; `802.1Qbg` (VEPA/VSI), `802.1Qbh` (port profiles) or `midonet`. Unset with `virtualPortParameters` set: the type comes from the network.",
        OneOf = ["openvswitch", "802.1Qbg", "802.1Qbh", "midonet"])]
    public string? VirtualPort { get; init; }

    [Input("virtualPortParameters", "The virtual port's parameters (libvirt's `<virtualport><parameters>`): which apply depends on `virtualPort`. An Open vSwitch interface id libvirt generated is reported here and kept; it is never a change.")]
    public VirtualPortParametersArgs? VirtualPortParameters { get; init; }

    [Input("bandwidth", "Traffic shaping of the NIC (libvirt's `<bandwidth>`). Unset: not managed.")]
    public BandwidthArgs? Bandwidth { get; init; }

    [Input("coalesceRxFrames", "Interrupt coalescing: how many received frames the host side may hold before interrupting (libvirt's `<coalesce><rx><frames max>`; 0 means not set). Unset: not managed.", Min = 0, Max = 2147483647)]
    public int? CoalesceRxFrames { get; init; }

    [Input("portIsolated", "Whether the port is isolated (libvirt's `<port isolated='yes'/>`): it may not exchange traffic with other isolated ports of its bridge. Unset: not managed (not isolated).")]
    public bool? PortIsolated { get; init; }

    [Input("trustGuestRxFilters", "Whether the host follows the guest's changes to its MAC address and multicast filters (libvirt's `trustGuestRxFilters`; macvtap NICs). Unset: not managed (not trusted).")]
    public bool? TrustGuestRxFilters { get; init; }

    [Input("teaming", "The NIC's part in a virtio failover pair (libvirt's `<teaming>`): the `persistent` virtio NIC and the `transient` one it backs up share a MAC address.")]
    public DomainTeamingArgs? Teaming { get; init; }

    [Input("alias", "A name of the user's for the device (libvirt's `<alias name>`, which must start with `ua-`): what a transient teaming NIC names its persistent partner by. Unset: libvirt names it at each start (netN), which is never a change.", MaxLength = 200)]
    public string? Alias { get; init; }

    [Input("pciAddress", "The NIC's PCI address in the guest, `domain:bus:slot.function` (e.g. `0000:00:03.0`). Unset: libvirt assigns one, reported here and never shown as a change.", MaxLength = 12)]
    public string? PciAddress { get; init; }

    [Input("bootOrder", "The NIC's place in the firmware's boot order (libvirt's per-device `<boot order>`; 1 first). Not with `bootDevices`. Unset: not managed.", Min = 1, Max = 65535)]
    public int? BootOrder { get; init; }

    [Input("vlan", "The VLANs of the guest's port, changed live. On Open vSwitch, libvirt's own `<vlan>`. On a Linux bridge (where libvirt refuses `<vlan>`) the provider programs the guest's port in the bridge's VLAN table after each start (a libvirt qemu hook it installs does it when libvirt starts the guest); the bridge should have vlanFiltering on.")]
    public DomainVlanArgs? Vlan { get; init; }
}

/// <summary>The VLANs of one guest interface.</summary>
[SchemaType("kvm:index:DomainVlan", "The VLANs of a guest interface: one tag (an access port: the guest sends and receives untagged frames of that VLAN) or a trunk of several tags (the guest sees tagged frames), optionally with a native VLAN.")]
internal sealed partial record DomainVlanArgs
{
    [Input("tags", "VLAN ids, in any order: 0-4095 where libvirt tags them (Open vSwitch, a libvirt network), 1-4094 on a Linux bridge (the kernel's range).", Required = true, Min = 0, Max = 4095, Unordered = true, MaxLength = 4096)]
    public int[]? Tags { get; init; }

    [Input("trunk", "Whether the port is a trunk (tagged frames reach the guest). Unset: a trunk when there is more than one tag.")]
    public bool? Trunk { get; init; }

    [Input("nativeTag", "For a trunk: the VLAN (one of `tags`) that the guest's untagged frames belong to.", Min = 0, Max = 4095)]
    public int? NativeTag { get; init; }

    [Input("nativeMode", "For a trunk with `nativeTag`: whether frames of the native VLAN reach the guest `untagged` (the default) or `tagged`.", OneOf = ["untagged", "tagged"])]
    public string? NativeMode { get; init; }
}

/// <summary>One guest disk or CD-ROM drive.</summary>
[SchemaType("kvm:index:DomainDisk", "A guest disk or CD-ROM drive backed by an image file or a block device on the host.")]
internal sealed partial record DomainDiskArgs
{
    [Input("targetDev", "The device name the guest is told, e.g. `vda`, `sda`, `hdc`. It identifies the disk.", Required = true, MaxLength = 32)]
    public string? TargetDev { get; init; }

    [Input("file", "The image file on the host (for a file-backed disk).", MaxLength = 4096)]
    public string? File { get; init; }

    [Input("blockDevice", "The block device on the host, e.g. /dev/vg0/guest (for a block-backed disk).", MaxLength = 4096)]
    public string? BlockDevice { get; init; }

    [Input("format", "The image format, e.g. `raw` or `qcow2`. Unset: libvirt's default (not managed).", MaxLength = 32)]
    public string? Format { get; init; }

    [Input("bus", "The bus the guest sees the disk on. Unset: libvirt picks one from `targetDev`.", OneOf = ["virtio", "sata", "scsi", "ide", "usb", "sd", "fdc"])]
    public string? Bus { get; init; }

    [Input("device", "What the guest sees.", OneOf = ["disk", "cdrom", "floppy", "lun"])]
    public string? Device { get; init; }

    [Input("readOnly", "Whether the guest may only read the disk.")]
    public bool? ReadOnly { get; init; }

    [Input("cache", "The host's cache mode for the image (`<driver cache>`): `none` (O_DIRECT, the usual choice for raw images on local storage), `writeback`, `writethrough`, `directsync`, `unsafe` (ignores flushes) or `default`. Unset: not managed (libvirt's default).",
        OneOf = ["default", "none", "writethrough", "writeback", "directsync", "unsafe"])]
    public string? Cache { get; init; }

    [Input("io", "How QEMU does the disk's I/O (`<driver io>`): `threads`, `native` (Linux AIO; needs `cache` none or directsync) or `io_uring`. Unset: not managed.", OneOf = ["threads", "native", "io_uring"])]
    public string? Io { get; init; }

    [Input("discard", "What the guest's discard (TRIM/UNMAP) requests do (`<driver discard>`): `unmap` frees the space in the image, `ignore` drops them. Unset: not managed (libvirt's default: ignore).", OneOf = ["unmap", "ignore"])]
    public string? Discard { get; init; }

    [Input("eventIdx", "virtio's event index feature (`<driver event_idx>`), which saves interrupts. Unset: not managed (QEMU's default).")]
    public bool? EventIdx { get; init; }

    [Input("ioeventfd", "Whether virtio notifications go through an eventfd (`<driver ioeventfd>`). Unset: not managed (QEMU's default).")]
    public bool? Ioeventfd { get; init; }

    [Input("queues", "The number of virtio-blk queues (`<driver queues>`). Unset: not managed.", Min = 1, Max = 1024)]
    public int? Queues { get; init; }

    [Input("pciAddress", "The disk's PCI address in the guest, `domain:bus:slot.function` (e.g. `0000:00:04.0`; virtio disks). Unset: libvirt assigns one, reported here and never shown as a change.", MaxLength = 12)]
    public string? PciAddress { get; init; }

    [Input("bootOrder", "The disk's place in the firmware's boot order (libvirt's per-device `<boot order>`; 1 first). Not with `bootDevices`. Unset: not managed.", Min = 1, Max = 65535)]
    public int? BootOrder { get; init; }
}

/// <summary>The graphical console.</summary>
[SchemaType("kvm:index:DomainGraphics", "A graphical console of the guest.")]
internal sealed partial record DomainGraphicsArgs
{
    [Input("type", "The protocol.", Required = true, OneOf = ["vnc", "spice"])]
    public string? Type { get; init; }

    [Input("listen", "The host address the console listens on, e.g. 127.0.0.1.", MaxLength = 255)]
    public string? Listen { get; init; }

    [Input("port", "A fixed TCP port (5900 and up). Unset: libvirt picks a free one at each start.", Min = 1, Max = 65535)]
    public int? Port { get; init; }

    [Input("password", "The console password; kept secret in the state.", Secret = true, MaxLength = 4096)]
    public string? Password { get; init; }
}

/// <summary>One serial port.</summary>
[SchemaType("kvm:index:DomainSerial", "A guest serial port.")]
internal sealed partial record DomainSerialArgs
{
    [Input("type", "Where the port leads: `pty` (a pseudo-terminal: `virsh console`), `file` (output appended to a file) or `unix` (a Unix socket libvirt listens on).", Required = true, OneOf = ["pty", "file", "unix"])]
    public string? Type { get; init; }

    [Input("path", "For `file` and `unix`: the path on the host.", MaxLength = 4096)]
    public string? Path { get; init; }
}

namespace Kvm.Libvirt.Tests.Xml;

/// <summary>Domain documents in libvirt's canonical output form, so a round trip must reproduce them exactly.</summary>
internal static class DomainXmlCases
{
    /// <summary>
    /// Every modelled element, plus unmodelled ones: metadata, title, cpu topology, hyperv settings,
    /// clock, on_* actions, emulator, controller, disk alias, interface rom/alias,
    /// rom, serial target model, graphics listen child, video, memballoon.
    /// </summary>
    public const string Full = """
        <domain type="kvm">
          <name>web1</name>
          <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
          <title>Web server</title>
          <metadata>
            <app:tier xmlns:app="http://example.org/app">frontend</app:tier>
          </metadata>
          <memory unit="KiB">4194304</memory>
          <currentMemory unit="KiB">2097152</currentMemory>
          <vcpu placement="static" cpuset="0-3" current="2">4</vcpu>
          <os>
            <type arch="x86_64" machine="pc-q35-7.2">hvm</type>
            <kernel>/var/lib/kvm/vmlinuz</kernel>
            <initrd>/var/lib/kvm/initrd.img</initrd>
            <cmdline>console=ttyS0 root=/dev/vda1</cmdline>
            <boot dev="hd" />
            <boot dev="network" />
          </os>
          <features>
            <acpi />
            <apic />
            <hyperv mode="custom">
              <relaxed state="on" />
            </hyperv>
          </features>
          <cpu mode="host-passthrough" check="none" migratable="on">
            <topology sockets="1" dies="1" cores="2" threads="2" />
          </cpu>
          <clock offset="utc" />
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>restart</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <disk type="file" device="disk">
              <driver name="qemu" type="qcow2" cache="none" />
              <source file="/var/lib/kvm/web1.qcow2" />
              <target dev="vda" bus="virtio" />
              <alias name="virtio-disk0" />
              <address type="pci" domain="0x0000" bus="0x04" slot="0x00" function="0x0" />
            </disk>
            <disk type="block" device="cdrom">
              <driver name="qemu" type="raw" />
              <source dev="/dev/sr0" />
              <target dev="sda" bus="sata" />
              <readonly />
              <address type="drive" controller="0" bus="0" target="0" unit="0" />
            </disk>
            <controller type="usb" index="0" model="qemu-xhci" />
            <interface type="bridge">
              <mac address="52:54:00:6d:90:01" />
              <source bridge="br0" />
              <vlan trunk="yes">
                <tag id="42" nativeMode="untagged" />
                <tag id="43" />
              </vlan>
              <target dev="vnet0" />
              <model type="virtio" />
              <driver name="vhost" queues="4" />
              <link state="up" />
              <mtu size="9000" />
              <rom enabled="no" />
              <alias name="net0" />
              <address type="pci" domain="0x0000" bus="0x01" slot="0x00" function="0x0" />
            </interface>
            <interface type="network">
              <mac address="52:54:00:6d:90:02" />
              <source network="lab" portgroup="engineering" />
              <model type="e1000e" />
              <link state="down" />
            </interface>
            <interface type="direct">
              <mac address="52:54:00:6d:90:03" />
              <source dev="eth0" mode="vepa" />
              <model type="virtio" />
            </interface>
            <interface type="bridge">
              <mac address="52:54:00:6d:90:04" />
              <source bridge="ovsbr0" />
              <vlan>
                <tag id="7" />
              </vlan>
              <virtualport type="openvswitch">
                <parameters interfaceid="09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" />
              </virtualport>
              <model type="virtio" />
            </interface>
            <serial type="pty">
              <target type="isa-serial" port="0">
                <model name="isa-serial" />
              </target>
            </serial>
            <console type="pty">
              <target type="serial" port="0" />
            </console>
            <graphics type="vnc" port="-1" autoport="yes" listen="127.0.0.1" passwd="s3cret">
              <listen type="address" address="127.0.0.1" />
            </graphics>
            <video>
              <model type="virtio" heads="1" primary="yes" />
            </video>
            <memballoon model="virtio" />
          </devices>
        </domain>
        """;

    public static readonly DomainDefinition FullModel = new()
    {
        Type = "kvm",
        Name = "web1",
        Uuid = Guid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"),
        MemoryKiB = 4194304,
        CurrentMemoryKiB = 2097152,
        Vcpu = new DomainVcpu(4) { Current = 2, Cpuset = "0-3" },
        Cpu = new DomainCpu { Mode = "host-passthrough" },
        Os = new DomainOs
        {
            Type = "hvm",
            Arch = "x86_64",
            Machine = "pc-q35-7.2",
            BootDevices = ["hd", "network"],
            Kernel = "/var/lib/kvm/vmlinuz",
            Initrd = "/var/lib/kvm/initrd.img",
            Cmdline = "console=ttyS0 root=/dev/vda1",
        },
        Features = ["acpi", "apic", "hyperv"],
        Disks =
        [
            new DomainDisk
            {
                Type = DiskType.File,
                Device = DiskDevice.Disk,
                DriverName = "qemu",
                DriverFormat = "qcow2",
                DriverCache = "none",
                SourceFile = "/var/lib/kvm/web1.qcow2",
                TargetDev = "vda",
                TargetBus = "virtio",
                Address = new DeviceAddress { Type = "pci", Domain = "0x0000", Bus = "0x04", Slot = "0x00", Function = "0x0" },
            },
            new DomainDisk
            {
                Type = DiskType.Block,
                Device = DiskDevice.Cdrom,
                DriverName = "qemu",
                DriverFormat = "raw",
                SourceDev = "/dev/sr0",
                TargetDev = "sda",
                TargetBus = "sata",
                ReadOnly = true,
                Address = new DeviceAddress { Type = "drive", Controller = "0", Bus = "0", Target = "0", Unit = "0" },
            },
        ],
        Interfaces =
        [
            new DomainInterface
            {
                Type = InterfaceType.Bridge,
                MacAddress = "52:54:00:6d:90:01",
                SourceBridge = "br0",
                Vlan = new Vlan { Trunk = true, Tags = [new VlanTag(42, VlanNativeMode.Untagged), new VlanTag(43)] },
                TargetDev = "vnet0",
                Model = "virtio",
                DriverName = "vhost",
                DriverQueues = 4,
                LinkState = LinkState.Up,
                Mtu = 9000,
                Alias = "net0",
                Address = new DeviceAddress { Type = "pci", Domain = "0x0000", Bus = "0x01", Slot = "0x00", Function = "0x0" },
            },
            new DomainInterface
            {
                Type = InterfaceType.Network,
                MacAddress = "52:54:00:6d:90:02",
                SourceNetwork = "lab",
                SourcePortGroup = "engineering",
                Model = "e1000e",
                LinkState = LinkState.Down,
            },
            new DomainInterface
            {
                Type = InterfaceType.Direct,
                MacAddress = "52:54:00:6d:90:03",
                SourceDev = "eth0",
                SourceMode = MacvtapMode.Vepa,
                Model = "virtio",
            },
            new DomainInterface
            {
                Type = InterfaceType.Bridge,
                MacAddress = "52:54:00:6d:90:04",
                SourceBridge = "ovsbr0",
                Vlan = new Vlan { Tags = [new VlanTag(7)] },
                VirtualPort = new VirtualPort { Type = "openvswitch", InterfaceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" },
                Model = "virtio",
            },
        ],
        Graphics =
        [
            new DomainGraphics { Type = GraphicsType.Vnc, Port = -1, AutoPort = true, Listen = "127.0.0.1", Password = "s3cret" },
        ],
        Serials = [new DomainCharDevice { Type = "pty", TargetType = "isa-serial", TargetPort = 0 }],
        Consoles = [new DomainCharDevice { Type = "pty", TargetType = "serial", TargetPort = 0 }],
    };

    /// <summary>A small TCG guest that boots a kernel directly, without disks or NICs.</summary>
    public const string Diskless = """
        <domain type="qemu">
          <name>tiny</name>
          <memory unit="KiB">131072</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch="x86_64" machine="q35">hvm</type>
            <kernel>/boot/vmlinuz</kernel>
            <cmdline>console=ttyS0 panic=-1</cmdline>
          </os>
          <devices>
            <serial type="pty">
              <target port="0" />
            </serial>
            <console type="pty" />
          </devices>
        </domain>
        """;

    /// <summary>What libvirt's test driver reports for its canned domain.</summary>
    public const string TestDriverDomain = """
        <domain type="test" id="1">
          <name>test</name>
          <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
          <memory unit="KiB">8388608</memory>
          <currentMemory unit="KiB">2097152</currentMemory>
          <vcpu placement="static">2</vcpu>
          <os>
            <type arch="i686">hvm</type>
            <boot dev="hd" />
          </os>
          <clock offset="utc" />
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>restart</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <disk type="file" device="disk">
              <source file="/guest/diskimage1" />
              <target dev="vda" bus="virtio" />
              <address type="pci" domain="0x0000" bus="0x01" slot="0x00" function="0x0" />
            </disk>
            <interface type="network">
              <mac address="aa:bb:cc:dd:ee:ff" />
              <source network="default" />
              <target dev="testnet0" />
              <address type="pci" domain="0x0000" bus="0x00" slot="0x01" function="0x0" />
            </interface>
            <memballoon model="virtio">
              <address type="pci" domain="0x0000" bus="0x00" slot="0x02" function="0x0" />
            </memballoon>
          </devices>
        </domain>
        """;

    /// <summary>Devices of different kinds interleaved, which libvirt never writes but accepts.</summary>
    public const string Interleaved = """
        <domain type="kvm">
          <name>mixed</name>
          <devices>
            <interface type="bridge">
              <source bridge="br0" />
            </interface>
            <disk type="file">
              <source file="/a.img" />
              <target dev="vda" />
            </disk>
            <interface type="bridge">
              <source bridge="br1" />
            </interface>
            <disk type="file">
              <source file="/b.img" />
              <target dev="vdb" />
            </disk>
          </devices>
        </domain>
        """;

    /// <summary>NICs of the kinds the provider does not model, as libvirt's formatdomain documents them.</summary>
    public const string OtherNicTypes = """
        <domain type="kvm">
          <name>nics</name>
          <devices>
            <interface type="vhostuser">
              <mac address="52:54:00:3b:83:1a" />
              <source type="unix" path="/tmp/vhost1.sock" mode="server" />
              <model type="virtio" />
            </interface>
            <interface type="vhostuser">
              <source type="unix" path="/tmp/vhost2.sock" mode="client">
                <reconnect enabled="yes" timeout="10" />
              </source>
              <model type="virtio" />
              <driver queues="4" />
            </interface>
            <interface type="direct">
              <source dev="eth0" mode="vepa" />
            </interface>
            <interface type="user" />
            <interface type="ethernet">
              <target dev="mytap1" managed="no" />
            </interface>
            <interface type="mcast">
              <source address="230.0.0.1" port="5558" />
            </interface>
            <interface type="udp">
              <source address="192.168.10.1" port="5555">
                <local address="127.0.0.1" port="1234" />
              </source>
            </interface>
            <interface type="hostdev" managed="yes">
              <source>
                <address type="pci" domain="0x0000" bus="0x00" slot="0x07" function="0x0" />
              </source>
            </interface>
            <interface type="vdpa">
              <source dev="/dev/vhost-vdpa-0" />
            </interface>
          </devices>
        </domain>
        """;

    public static TheoryData<string, string> All => new()
    {
        { nameof(Full), Full },
        { nameof(Diskless), Diskless },
        { nameof(TestDriverDomain), TestDriverDomain },
        { nameof(Interleaved), Interleaved },
        { nameof(OtherNicTypes), OtherNicTypes },
    };
}

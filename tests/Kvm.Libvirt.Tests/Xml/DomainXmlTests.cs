using System.Xml.Linq;

namespace Kvm.Libvirt.Tests.Xml;

public class DomainXmlTests
{
    [Theory]
    [MemberData(nameof(DomainXmlCases.All), MemberType = typeof(DomainXmlCases))]
    public void Round_trip_keeps_model_and_document(string name, string xml)
    {
        var parsed = DomainXml.Parse(xml);
        var written = DomainXml.Format(parsed);
        var reparsed = DomainXml.Parse(written);

        Assert.Equal(parsed, reparsed);
        XmlAssert.Equivalent(xml, written);
        Assert.NotNull(name);
    }

    [Fact]
    public void A_source_mode_is_a_macvtap_mode_only_on_a_direct_nic()
    {
        var nics = DomainXml.Parse(DomainXmlCases.OtherNicTypes).Interfaces;

        Assert.Equal([null, null, MacvtapMode.Vepa], nics.Take(3).Select(n => n.SourceMode));
        var written = XElement.Parse(DomainXml.Format(DomainXml.Parse(DomainXmlCases.OtherNicTypes)));
        Assert.Equal(["server", "client", "vepa"], written.Descendants("interface").Take(3).Select(i => (string?)i.Element("source")?.Attribute("mode")));
    }

    [Fact]
    public void The_boot_menu_switch_is_read_and_written_and_its_timeout_kept()
    {
        const string xml = "<domain type='kvm'><name>m</name><os><type>hvm</type><bootmenu enable='yes' timeout='3000'/></os></domain>";
        var parsed = DomainXml.Parse(xml);
        Assert.True(parsed.Os!.BootMenu);

        var off = XElement.Parse(DomainXml.Format(parsed with { Os = parsed.Os with { BootMenu = false } })).Element("os")!.Element("bootmenu")!;
        Assert.Equal(("no", "3000"), ((string?)off.Attribute("enable"), (string?)off.Attribute("timeout")));
        Assert.Null(DomainXml.Parse("<domain type='kvm'><name>m</name><os><type>hvm</type></os></domain>").Os!.BootMenu);
    }

    [Fact]
    public void Parses_every_modelled_field()
    {
        Assert.Equal(DomainXmlCases.FullModel, DomainXml.Parse(DomainXmlCases.Full));
    }

    [Fact]
    public void Built_model_writes_a_document_that_parses_back_to_it()
    {
        var written = DomainXml.Format(DomainXmlCases.FullModel);

        Assert.Equal(DomainXmlCases.FullModel, DomainXml.Parse(written));
    }

    [Theory]
    [InlineData("<memory>1024</memory>", 1024UL)]
    [InlineData("<memory unit='KiB'>1024</memory>", 1024UL)]
    [InlineData("<memory unit='k'>1024</memory>", 1024UL)]
    [InlineData("<memory unit='MiB'>512</memory>", 524288UL)]
    [InlineData("<memory unit='M'>512</memory>", 524288UL)]
    [InlineData("<memory unit='GiB'>4</memory>", 4194304UL)]
    [InlineData("<memory unit='G'>4</memory>", 4194304UL)]
    [InlineData("<memory unit='TiB'>1</memory>", 1073741824UL)]
    [InlineData("<memory unit='b'>1048576</memory>", 1024UL)]
    [InlineData("<memory unit='bytes'>1025</memory>", 2UL)]
    [InlineData("<memory unit='KB'>1024</memory>", 1000UL)]
    [InlineData("<memory unit='MB'>1</memory>", 977UL)]
    [InlineData("<memory unit='GB'>1</memory>", 976563UL)]
    public void Memory_units_normalise_to_KiB(string memory, ulong kib)
    {
        var domain = DomainXml.Parse($"<domain type='kvm'><name>m</name>{memory}</domain>");

        Assert.Equal(kib, domain.MemoryKiB);
        var written = DomainXml.ToElement(domain).Element("memory")!;
        Assert.Equal("KiB", written.Attribute("unit")!.Value);
        Assert.Equal(kib.ToString(), written.Value);
    }

    [Fact]
    public void Memory_keeps_its_other_attributes()
    {
        var domain = DomainXml.Parse("<domain type='kvm'><name>m</name><memory unit='GiB' dumpCore='off'>2</memory></domain>");

        var memory = DomainXml.ToElement(domain with { MemoryKiB = 1048576 }).Element("memory")!;

        XmlAssert.Equivalent("<memory unit='KiB' dumpCore='off'>1048576</memory>", memory);
    }

    [Fact]
    public void Interleaved_devices_keep_their_positions()
    {
        var domain = DomainXml.Parse(DomainXmlCases.Interleaved);

        var devices = DomainXml.ToElement(domain).Element("devices")!;

        Assert.Equal(["interface", "disk", "interface", "disk"], devices.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public void Editing_a_nic_keeps_its_unmodelled_parts_and_address()
    {
        var domain = DomainXml.Parse(DomainXmlCases.Full);
        var nic = domain.Interfaces[0];
        var edited = domain with
        {
            Interfaces =
            [
                nic with { Vlan = new Vlan { Tags = [new VlanTag(100)] }, LinkState = LinkState.Down, Mtu = null },
                .. domain.Interfaces.Skip(1),
            ],
        };

        var written = DomainXml.ToElement(edited).Element("devices")!.Elements("interface").First();

        XmlAssert.Equivalent("""
            <interface type="bridge">
              <mac address="52:54:00:6d:90:01" />
              <source bridge="br0" />
              <vlan><tag id="100" /></vlan>
              <target dev="vnet0" />
              <model type="virtio" />
              <driver name="vhost" queues="4" />
              <link state="down" />
              <rom enabled="no" />
              <alias name="net0" />
              <address type="pci" domain="0x0000" bus="0x01" slot="0x00" function="0x0" />
            </interface>
            """, written);
    }

    [Fact]
    public void Removing_and_adding_devices()
    {
        var domain = DomainXml.Parse(DomainXmlCases.Full);
        var edited = domain with
        {
            Disks = [domain.Disks[0]],
            Interfaces = [.. domain.Interfaces, new DomainInterface { Type = InterfaceType.Network, SourceNetwork = "default", Model = "virtio" }],
            Graphics = [],
        };

        var devices = DomainXml.ToElement(edited).Element("devices")!;

        Assert.Single(devices.Elements("disk"));
        Assert.Equal(5, devices.Elements("interface").Count());
        XmlAssert.Equivalent("<interface type='network'><source network='default'/><model type='virtio'/></interface>",
            devices.Elements("interface").Last());
        // The new NIC follows the last existing one, before the serial port.
        Assert.Equal("serial", ((XElement)devices.Elements("interface").Last().NextNode!).Name.LocalName);
        Assert.Empty(devices.Elements("graphics"));
        Assert.NotNull(devices.Element("video"));
        Assert.NotNull(devices.Element("controller"));
        Assert.Equal(edited, DomainXml.Parse(DomainXml.Format(edited)));
    }

    [Fact]
    public void Features_are_added_and_removed_by_name_and_complex_ones_keep_their_content()
    {
        var domain = DomainXml.Parse(DomainXmlCases.Full);

        var features = DomainXml.ToElement(domain with { Features = ["hyperv", "pae"] }).Element("features")!;

        XmlAssert.Equivalent("<features><hyperv mode='custom'><relaxed state='on'/></hyperv><pae/></features>", features);
        Assert.Null(DomainXml.ToElement(domain with { Features = [] }).Element("features"));
    }

    [Fact]
    public void Vcpu_os_cpu_and_memory_edits()
    {
        var domain = DomainXml.Parse(DomainXmlCases.Full);
        var edited = domain with
        {
            MemoryKiB = 8388608,
            CurrentMemoryKiB = null,
            Vcpu = domain.Vcpu! with { Current = null },
            Cpu = domain.Cpu! with { Mode = "host-model" },
            Os = domain.Os! with { BootDevices = ["cdrom"], Kernel = null, Initrd = null, Cmdline = null, Machine = "q35" },
        };

        var root = DomainXml.ToElement(edited);

        XmlAssert.Equivalent("<memory unit='KiB'>8388608</memory>", root.Element("memory")!);
        Assert.Null(root.Element("currentMemory"));
        XmlAssert.Equivalent("<vcpu placement='static' cpuset='0-3'>4</vcpu>", root.Element("vcpu")!);
        XmlAssert.Equivalent("""
            <cpu mode="host-model" check="none" migratable="on"><topology sockets="1" dies="1" cores="2" threads="2" /></cpu>
            """, root.Element("cpu")!);
        XmlAssert.Equivalent("<os><type arch='x86_64' machine='q35'>hvm</type><boot dev='cdrom'/></os>", root.Element("os")!);
    }

    [Fact]
    public void Graphics_listen_attribute_and_listen_child_stay_in_agreement()
    {
        var domain = DomainXml.Parse(DomainXmlCases.Full);

        var graphics = DomainXml.ToElement(domain with { Graphics = [domain.Graphics[0] with { Listen = "0.0.0.0", Password = null }] })
            .Element("devices")!.Element("graphics")!;

        XmlAssert.Equivalent("""
            <graphics type="vnc" port="-1" autoport="yes" listen="0.0.0.0"><listen type="address" address="0.0.0.0" /></graphics>
            """, graphics);
    }

    [Fact]
    public void Listen_only_in_the_child_element_is_read()
    {
        var domain = DomainXml.Parse("""
            <domain type='kvm'><name>g</name><devices>
              <graphics type='spice' autoport='yes'><listen type='address' address='10.0.0.1'/></graphics>
            </devices></domain>
            """);

        Assert.Equal(new DomainGraphics { Type = GraphicsType.Spice, AutoPort = true, Listen = "10.0.0.1" }, domain.Graphics.Single());
    }

    [Fact]
    public void Device_xml_for_hotplug()
    {
        var nic = new DomainInterface
        {
            Type = InterfaceType.Bridge,
            SourceBridge = "br0",
            MacAddress = "52:54:00:00:00:aa",
            Model = "virtio",
            Vlan = new Vlan { Tags = [new VlanTag(5)] },
            VirtualPort = new VirtualPort { Type = VirtualPort.OpenVSwitch },
        };

        XmlAssert.Equivalent("""
            <interface type="bridge">
              <mac address="52:54:00:00:00:aa" />
              <source bridge="br0" />
              <vlan><tag id="5" /></vlan>
              <virtualport type="openvswitch" />
              <model type="virtio" />
            </interface>
            """, DomainXml.DeviceXml(nic));
        Assert.Equal(nic, DomainXml.ParseInterface(DomainXml.DeviceXml(nic)));

        var disk = new DomainDisk { SourceFile = "/var/lib/kvm/data.raw", DriverName = "qemu", DriverFormat = "raw", TargetDev = "vdb", TargetBus = "virtio" };
        XmlAssert.Equivalent("""
            <disk type="file">
              <driver name="qemu" type="raw" />
              <source file="/var/lib/kvm/data.raw" />
              <target dev="vdb" bus="virtio" />
            </disk>
            """, DomainXml.DeviceXml(disk));
        Assert.Equal(disk, DomainXml.ParseDisk(DomainXml.DeviceXml(disk)));
    }

    [Fact]
    public void Device_xml_of_a_parsed_nic_carries_what_libvirt_needs_to_find_it()
    {
        var nic = DomainXml.Parse(DomainXmlCases.Full).Interfaces[0];

        var xml = XElement.Parse(DomainXml.DeviceXml(nic));

        Assert.Equal("52:54:00:6d:90:01", xml.Element("mac")!.Attribute("address")!.Value);
        Assert.Equal("net0", xml.Element("alias")!.Attribute("name")!.Value);
    }

    [Fact]
    public void Switching_a_nic_from_bridge_to_direct_rewrites_its_source()
    {
        var nic = DomainXml.Parse(DomainXmlCases.Full).Interfaces[0] with
        {
            Type = InterfaceType.Direct,
            SourceBridge = null,
            SourceDev = "eth1",
            SourceMode = MacvtapMode.Bridge,
        };

        var source = XElement.Parse(DomainXml.DeviceXml(nic)).Element("source")!;

        XmlAssert.Equivalent("<source dev='eth1' mode='bridge'/>", source);
    }

    [Fact]
    public void Pci_address_is_exposed_separately_so_callers_can_ignore_it()
    {
        var live = DomainXml.Parse(DomainXmlCases.Full).Interfaces[0];
        var desired = DomainXmlCases.FullModel.Interfaces[0] with { Address = null };

        Assert.NotNull(live.Address);
        Assert.Equal("0x01", live.Address.Bus);
        Assert.Equal(desired, live with { Address = null });
    }

    [Theory]
    [InlineData("<network/>", "expected a <domain>")]
    [InlineData("<domain><name>x</name></domain>", "no 'type' attribute")]
    [InlineData("<domain type='kvm'/>", "no <name>")]
    [InlineData("<domain type='kvm'><name>x</name><memory unit='lots'>1</memory></domain>", "unknown unit 'lots'")]
    [InlineData("<domain type='kvm'><name>x</name><memory>-1</memory></domain>", "not a size")]
    [InlineData("<domain type='kvm'><name>x</name><devices><interface type='carrier-pigeon'/></devices></domain>", "unknown value 'carrier-pigeon'")]
    [InlineData("<domain type='kvm'><name>x</name><devices><disk type='file'/></devices></domain>", "no <target>")]
    public void Malformed_documents_say_what_is_wrong(string xml, string message)
    {
        var e = Assert.Throws<FormatException>(() => DomainXml.Parse(xml));
        Assert.Contains(message, e.Message);
    }
}

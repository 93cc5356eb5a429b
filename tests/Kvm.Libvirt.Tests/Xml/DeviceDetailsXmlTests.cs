namespace Kvm.Libvirt.Tests.Xml;

/// <summary>The finer parts of NICs and disks that import must carry over: read, written, read back the same.</summary>
public class DeviceDetailsXmlTests
{
    private const string Nic = """
        <interface type="network" trustGuestRxFilters="no">
          <mac address="52:54:00:24:a5:9f" />
          <source network="default" />
          <virtualport type="802.1Qbg">
            <parameters managerid="11" typeid="0x123457" typeidversion="2" instanceid="09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" />
          </virtualport>
          <bandwidth>
            <inbound average="1000" peak="4000" burst="1024" floor="200" />
            <outbound average="128" />
          </bandwidth>
          <model type="virtio" />
          <teaming type="transient" persistent="ua-backup0" />
          <coalesce>
            <rx>
              <frames max="7" />
            </rx>
          </coalesce>
          <port isolated="yes" />
          <boot order="2" />
          <alias name="ua-net" />
          <address type="pci" domain="0x0000" bus="0x00" slot="0x07" function="0x0" />
        </interface>
        """;

    [Fact]
    public void A_nics_bandwidth_coalescing_port_teaming_boot_order_and_virtual_port_parameters_are_modelled()
    {
        var nic = DomainXml.ParseInterface(Nic);

        Assert.Equal(new BandwidthLimit { Average = 1000, Peak = 4000, Burst = 1024, Floor = 200 }, nic.Bandwidth!.Inbound);
        Assert.Equal(new BandwidthLimit { Average = 128 }, nic.Bandwidth.Outbound);
        Assert.Equal((7, true, "transient", "ua-backup0", 2, "ua-net", false),
            (nic.CoalesceRxFrames, nic.PortIsolated, nic.TeamingType, nic.TeamingPersistent, nic.BootOrder, nic.Alias, nic.TrustGuestRxFilters));
        Assert.Equal(new VirtualPort { Type = "802.1Qbg", ManagerId = 11, TypeId = 0x123457, TypeIdVersion = 2, InstanceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" }, nic.VirtualPort);
        Assert.Equal(nic, DomainXml.ParseInterface(DomainXml.DeviceXml(nic)));
    }

    [Fact]
    public void A_nic_built_in_code_writes_its_parts_as_libvirt_spells_them()
    {
        var nic = new DomainInterface
        {
            Type = InterfaceType.Bridge,
            SourceBridge = "ovsbr0",
            VirtualPort = new VirtualPort { Type = "openvswitch", InterfaceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f", ProfileId = "bob" },
            Bandwidth = new Bandwidth { Outbound = new BandwidthLimit { Average = 128, Peak = 256, Burst = 32768 } },
            CoalesceRxFrames = 7,
            PortIsolated = true,
            BootOrder = 1,
        };

        var xml = System.Xml.Linq.XElement.Parse(DomainXml.DeviceXml(nic));

        Assert.Equal("bob", xml.Element("virtualport")!.Element("parameters")!.Attribute("profileid")!.Value);
        Assert.Equal("32768", xml.Element("bandwidth")!.Element("outbound")!.Attribute("burst")!.Value);
        Assert.Null(xml.Element("bandwidth")!.Element("inbound"));
        Assert.Equal("7", xml.Element("coalesce")!.Element("rx")!.Element("frames")!.Attribute("max")!.Value);
        Assert.Equal("yes", xml.Element("port")!.Attribute("isolated")!.Value);
        Assert.Equal("1", xml.Element("boot")!.Attribute("order")!.Value);
    }

    [Fact]
    public void Clearing_a_nics_parts_removes_their_elements()
    {
        var nic = DomainXml.ParseInterface(Nic) with
        {
            Bandwidth = null, CoalesceRxFrames = null, PortIsolated = null, TeamingType = null, TeamingPersistent = null,
            BootOrder = null, Alias = null, TrustGuestRxFilters = null,
        };

        var xml = System.Xml.Linq.XElement.Parse(DomainXml.DeviceXml(nic));

        Assert.Equal(["mac", "source", "virtualport", "model", "address"], xml.Elements().Select(e => e.Name.LocalName));
        Assert.Null(xml.Attribute("trustGuestRxFilters"));
    }

    [Fact]
    public void A_disks_virtio_driver_switches_and_boot_order_are_modelled()
    {
        var disk = DomainXml.ParseDisk("""
            <disk type="file" device="disk">
              <driver name="qemu" type="qcow2" ioeventfd="off" event_idx="on" queues="4" />
              <source file="/img/a.qcow2" />
              <target dev="vda" bus="virtio" />
              <boot order="1" />
            </disk>
            """);

        Assert.Equal((true, false, 4, 1), (disk.DriverEventIdx, disk.DriverIoeventfd, disk.DriverQueues, disk.BootOrder));
        var cleared = System.Xml.Linq.XElement.Parse(DomainXml.DeviceXml(disk with { DriverEventIdx = null, BootOrder = null }));
        Assert.Null(cleared.Element("driver")!.Attribute("event_idx"));
        Assert.Equal("off", cleared.Element("driver")!.Attribute("ioeventfd")!.Value);
        Assert.Null(cleared.Element("boot"));
    }

    [Fact]
    public void A_vcpu_cpuset_is_modelled()
    {
        var domain = DomainXml.Parse("<domain type='kvm'><name>c</name><vcpu placement='static' cpuset='0-1'>2</vcpu></domain>");

        Assert.Equal("0-1", domain.Vcpu!.Cpuset);
        var vcpu = DomainXml.ToElement(domain with { Vcpu = domain.Vcpu with { Cpuset = null } }).Element("vcpu")!;
        Assert.Null(vcpu.Attribute("cpuset"));
        Assert.Equal("static", vcpu.Attribute("placement")!.Value);
    }
}

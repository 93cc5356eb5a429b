using System.Xml.Linq;
using Kvm.Libvirt;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Domains;

/// <summary>
/// The finer NIC and disk inputs (bandwidth, coalescing, isolation, virtual port parameters, teaming,
/// alias, PCI address, boot order, virtio driver switches): written, read back as the same inputs,
/// dropped back to libvirt's default, kept from the host when never set, and compared as drift.
/// </summary>
public class DeviceDetailsTests
{
    private static readonly IReadOnlyDictionary<string, DomainVlanArgs> NoVlans = new Dictionary<string, DomainVlanArgs>();

    private static readonly DomainInterfaceArgs Nic = new()
    {
        Type = "network", Network = "default", MacAddress = "52:54:00:24:a5:9f", Model = "virtio",
        Bandwidth = new BandwidthArgs
        {
            Inbound = new BandwidthLimitArgs { Average = 1000, Peak = 4000, Burst = 1024, Floor = 200 },
            Outbound = new BandwidthLimitArgs { Average = 128 },
        },
        CoalesceRxFrames = 7,
        PortIsolated = true,
        TrustGuestRxFilters = false,
        VirtualPort = "802.1Qbg",
        VirtualPortParameters = new VirtualPortParametersArgs { ManagerId = 11, TypeId = 1193047, TypeIdVersion = 2, InstanceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" },
        Alias = "ua-net0",
        PciAddress = "0000:00:07.0",
        BootOrder = 2,
    };

    private static readonly DomainDiskArgs Disk = new()
    {
        TargetDev = "vda", File = "/img/a.qcow2", Format = "qcow2", Bus = "virtio",
        EventIdx = true, Ioeventfd = false, Queues = 4, PciAddress = "0000:00:04.0", BootOrder = 1,
    };

    private static DomainArgs Guest(DomainInterfaceArgs[]? nics = null, DomainDiskArgs[]? disks = null) => new()
    {
        Name = "g1", Type = "qemu", MemoryMib = 256, Vcpus = 1,
        Interfaces = nics ?? [Nic],
        Disks = disks ?? [Disk],
    };

    private static XElement Build(DomainArgs a, DomainArgs? old = null, DomainDefinition? existing = null) =>
        DomainMapping.BuildXml(a, old, existing, _ => false, out _);

    private static void Same(string expected, XElement actual) =>
        Assert.True(XNode.DeepEquals(XElement.Parse(expected), XElement.Parse(actual.ToString())), actual.ToString());

    private static DomainArgs Back(XElement xml, DomainArgs? reference = null) => DomainMapping.ToArgs(DomainXml.Parse(xml), NoVlans, reference);

    [Fact]
    public void A_nics_details_are_written_as_libvirt_spells_them_and_read_back_as_the_same_inputs()
    {
        var xml = Build(Guest());
        var nic = xml.Element("devices")!.Element("interface")!;

        Assert.Equal("1193047", nic.Element("virtualport")!.Element("parameters")!.Attribute("typeid")!.Value);
        Assert.Equal("200", nic.Element("bandwidth")!.Element("inbound")!.Attribute("floor")!.Value);
        Assert.Equal("7", nic.Element("coalesce")!.Element("rx")!.Element("frames")!.Attribute("max")!.Value);
        Assert.Equal("yes", nic.Element("port")!.Attribute("isolated")!.Value);
        Assert.Equal("no", nic.Attribute("trustGuestRxFilters")!.Value);
        Same("<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>", nic.Element("address")!);
        var back = Assert.Single(Back(xml).Interfaces!);
        Assert.Equal(Nic with { LinkState = "up", BootRom = true }, back);
    }

    [Fact]
    public void A_disks_driver_switches_address_and_boot_order_read_back_as_the_same_inputs()
    {
        var xml = Build(Guest());
        var driver = xml.Element("devices")!.Element("disk")!.Element("driver")!;

        Assert.Equal(("qemu", "on", "off", "4"), ((string?)driver.Attribute("name"), (string?)driver.Attribute("event_idx"), (string?)driver.Attribute("ioeventfd"), (string?)driver.Attribute("queues")));
        Assert.Equal(Disk with { Device = "disk", ReadOnly = false }, Assert.Single(Back(xml).Disks!));
    }

    [Fact]
    public void Details_the_program_drops_go_back_to_libvirts_default_and_those_it_never_set_keep_the_hosts()
    {
        var existing = DomainXml.Parse(Build(Guest()));
        var bare = Nic with
        {
            Bandwidth = null, CoalesceRxFrames = null, PortIsolated = null, VirtualPort = null, VirtualPortParameters = null,
            Alias = null, PciAddress = null, BootOrder = null, TrustGuestRxFilters = null,
        };

        var dropped = Build(Guest([bare], [Disk with { EventIdx = null, PciAddress = null }]), old: Guest(), existing).Element("devices")!;
        var nic = dropped.Element("interface")!;
        Assert.Equal(["mac", "source", "model"], nic.Elements().Select(e => e.Name.LocalName));
        Assert.Null(dropped.Element("disk")!.Element("driver")!.Attribute("event_idx"));
        Assert.Null(dropped.Element("disk")!.Element("address"));

        var kept = Build(Guest([bare]), old: Guest([bare]), existing).Element("devices")!.Element("interface")!;
        Assert.Equal(["mac", "source", "virtualport", "model", "bandwidth", "coalesce", "port", "boot", "alias", "address"], kept.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public void A_bandwidth_set_in_part_changes_only_that_part()
    {
        var existing = DomainXml.Parse(Build(Guest()));
        var outboundOnly = Nic with { Bandwidth = new BandwidthArgs { Outbound = new BandwidthLimitArgs { Average = 64 } } };

        var bandwidth = Build(Guest([outboundOnly]), old: Guest(), existing).Element("devices")!.Element("interface")!.Element("bandwidth")!;

        Assert.Null(bandwidth.Element("inbound"));
        Same("<outbound average='64'/>", bandwidth.Element("outbound")!);
    }

    [Fact]
    public void An_open_vswitch_interface_id_the_host_generated_is_kept_and_reported()
    {
        var ovs = new DomainInterfaceArgs { Type = "bridge", Bridge = "ovsbr0", MacAddress = "52:54:00:00:00:01", VirtualPort = "openvswitch" };
        var existing = DomainXml.Parse(Build(Guest([ovs], [])).ToString()
            .Replace("<virtualport type=\"openvswitch\" />", "<virtualport type=\"openvswitch\"><parameters interfaceid=\"09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f\" profileid=\"bob\"/></virtualport>", StringComparison.Ordinal));

        var again = Build(Guest([ovs], []), Guest([ovs], []), existing);

        Assert.Equal("09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f", again.Element("devices")!.Element("interface")!.Element("virtualport")!.Element("parameters")!.Attribute("interfaceid")!.Value);
        var back = Back(again).Interfaces![0];
        Assert.Equal(new VirtualPortParametersArgs { InterfaceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f", ProfileId = "bob" }, back.VirtualPortParameters);
        // ...and re-created from those inputs, the port is the same.
        var recreated = Build(Guest([back with { TargetDevice = null }], []));
        Assert.Equal(back.VirtualPortParameters, Back(recreated).Interfaces![0].VirtualPortParameters);
    }

    [Fact]
    public void A_virtual_port_of_another_type_starts_without_the_old_parameters()
    {
        var existing = DomainXml.Parse(Build(Guest()));
        var midonet = Nic with { Type = "bridge", Network = null, Bridge = "midonet", VirtualPort = "midonet", VirtualPortParameters = null };

        var port = Build(Guest([midonet]), Guest(), existing).Element("devices")!.Element("interface")!.Element("virtualport")!;

        Same("<virtualport type='midonet'/>", port);
    }

    [Fact]
    public void A_teaming_pair_is_written_and_read_back()
    {
        var persistent = new DomainInterfaceArgs { Type = "network", Network = "mybridge", MacAddress = "00:11:22:33:44:55", Alias = "ua-backup0", Teaming = new DomainTeamingArgs { Type = "persistent" } };
        var transient = new DomainInterfaceArgs { Type = "network", Network = "myhostdevpool", MacAddress = "00:11:22:33:44:55", Teaming = new DomainTeamingArgs { Type = "transient", Persistent = "ua-backup0" } };

        var back = Back(Build(Guest([persistent, transient], []))).Interfaces!;

        Assert.Equal((persistent.Teaming, "ua-backup0"), (back[0].Teaming, back[0].Alias));
        Assert.Equal(transient.Teaming, back[1].Teaming);
        Assert.Null(back[1].Alias);
    }

    [Fact]
    public void Aliases_libvirt_generates_are_not_inputs()
    {
        var live = DomainXml.Parse(Build(Guest()).ToString().Replace("ua-net0", "net0", StringComparison.Ordinal));
        Assert.Null(DomainMapping.ToArgs(live, NoVlans, null).Interfaces![0].Alias);
    }

    [Fact]
    public void Pci_addresses_in_other_spellings_and_other_address_kinds()
    {
        Assert.Equal("0000:00:1f.7", PciAddress.Of(new DeviceAddress { Type = "pci", Domain = "0", Bus = "0x0", Slot = "31", Function = "7" }));
        Assert.Null(PciAddress.Of(new DeviceAddress { Type = "drive", Controller = "0", Bus = "1", Target = "0", Unit = "0" }));
        Assert.Equal(new DeviceAddress { Type = "pci", Domain = "0x0000", Bus = "0x0a", Slot = "0x1f", Function = "0x3" }, PciAddress.ToAddress("0000:0A:1f.3"));
        Assert.NotNull(PciAddress.Problem("0000:00:20.0"));
        Assert.NotNull(PciAddress.Problem("00:03.0"));
        Assert.Null(PciAddress.Problem("0000:00:03.0"));
    }

    [Fact]
    public void Drift_in_a_detail_the_program_sets_is_a_change_that_waits_for_a_restart()
    {
        var program = Guest();
        var host = DomainXml.Parse(Build(program).ToString().Replace("average=\"1000\"", "average=\"999\"", StringComparison.Ordinal).Replace("queues=\"4\"", "queues=\"2\"", StringComparison.Ordinal));
        var observed = Resources.Domains.DomainState.FromInputs(DomainMapping.ToArgs(host, NoVlans, program)) with
        {
            Running = true, State = "running", PendingRestart = [], LiveXml = "<domain/>",
        };
        var byDefault = DiffEngine.Compute(ObjectShape.Of<DomainArgs>(), Writer.Write(observed), Writer.Write(program), Writer.Write(program, inputsOnly: true), [], true);

        var plan = DomainChanges.Plan(byDefault, observed, program, program, new HashSet<string>());

        Assert.Equal(
            [("disks[0].queues", ChangeClass.Restart), ("interfaces[0].bandwidth.inbound.average", ChangeClass.Restart)],
            plan.Changes.Select(c => (c.Path, c.Class)).Order());
    }
}

using System.Xml.Linq;
using Kvm.Libvirt;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Domains;

public class DomainMappingTests
{
    private static readonly IReadOnlyDictionary<string, DomainVlanArgs> NoVlans = new Dictionary<string, DomainVlanArgs>();

    private static DomainArgs Args(params DomainInterfaceArgs[] nics) => new()
    {
        Name = "g1", Type = "qemu", MemoryMib = 256, Vcpus = 1, MaxVcpus = 2, Machine = "q35",
        Kernel = "/boot/vmlinux", Initrd = "/boot/initrd.gz", KernelCmdline = "console=ttyS0 quiet",
        Interfaces = nics.Length == 0 ? [new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", Model = "virtio", BootRom = false }] : nics,
        Serials = [new DomainSerialArgs { Type = "file", Path = "/var/log/libvirt/qemu/g1-console.log" }],
        OnPoweroff = "destroy", OnReboot = "destroy", OnCrash = "destroy",
    };

    private static XElement Build(DomainArgs a, DomainArgs? old = null, DomainDefinition? existing = null, Func<int, bool>? linux = null) =>
        DomainMapping.BuildXml(a, old, existing, linux ?? (_ => false), out _);

    [Fact]
    public void A_new_domain_is_written_from_the_inputs_and_reads_back_as_them()
    {
        var a = Args() with { MaxMemoryMib = 512, CpuMode = "host-model", Features = ["acpi", "apic"], BootDevices = ["hd", "network"],
            Disks = [new DomainDiskArgs { TargetDev = "vda", File = "/img/g1.qcow2", Format = "qcow2", Bus = "virtio" }],
            Graphics = new DomainGraphicsArgs { Type = "vnc", Listen = "127.0.0.1", Password = "pw" } };
        var xml = Build(a);
        var def = DomainXml.Parse(xml);
        Assert.Equal("qemu", def.Type);
        Assert.Equal(524288UL, def.MemoryKiB);
        Assert.Equal(262144UL, def.CurrentMemoryKiB);
        Assert.Equal(new DomainVcpu(2) { Current = 1 }, def.Vcpu);
        Assert.Equal("passwd", xml.Element("devices")!.Element("graphics")!.Attribute("passwd")!.Name.LocalName);
        Assert.Equal("destroy", xml.Element("on_reboot")!.Value);

        var back = DomainMapping.ToArgs(def, NoVlans, a);
        Assert.Equal(a.MemoryMib, back.MemoryMib);
        Assert.Equal(a.MaxMemoryMib, back.MaxMemoryMib);
        Assert.Equal(a.Vcpus, back.Vcpus);
        Assert.Equal(a.MaxVcpus, back.MaxVcpus);
        Assert.Equal("q35", back.Machine);
        Assert.Equal(a.Features, back.Features);
        Assert.Equal(a.BootDevices, back.BootDevices);
        Assert.Equal(a.Disks[0] with { Device = "disk", ReadOnly = false }, back.Disks![0]);
        Assert.Equal("pw", back.Graphics!.Password);
        Assert.Null(back.Graphics.Port);
        Assert.Equal(a.Serials, back.Serials);
        Assert.Equal("destroy", back.OnCrash);
        var nic = Assert.Single(back.Interfaces!);
        Assert.Equal(("bridge", "br0", "virtio", "up", false), (nic.Type, nic.Bridge, nic.Model, nic.LinkState, nic.BootRom));
        Assert.Equal("no", xml.Element("devices")!.Element("interface")!.Element("rom")!.Attribute("enabled")!.Value);
    }

    [Fact]
    public void A_disks_cache_io_and_discard_are_written_to_its_driver_and_read_back_and_the_boot_menu_too()
    {
        var disk = new DomainDiskArgs { TargetDev = "vda", File = "/img/g1.raw", Cache = "none", Io = "native", Discard = "unmap" };
        var xml = Build(Args() with { Disks = [disk], BootMenu = true });

        var driver = xml.Element("devices")!.Element("disk")!.Element("driver")!;
        Assert.Equal(("qemu", "none", "native", "unmap"), ((string?)driver.Attribute("name"), (string?)driver.Attribute("cache"), (string?)driver.Attribute("io"), (string?)driver.Attribute("discard")));
        Assert.Equal("yes", (string?)xml.Element("os")!.Element("bootmenu")!.Attribute("enable"));
        var back = DomainMapping.ToArgs(DomainXml.Parse(xml), NoVlans, reference: null);
        Assert.Equal(("none", "native", "unmap"), (back.Disks![0].Cache, back.Disks[0].Io, back.Disks[0].Discard));
        Assert.True(back.BootMenu);

        // dropped from the program: back to libvirt's default
        var dropped = Build(Args() with { Disks = [disk with { Cache = null, Discard = null }] }, Args() with { Disks = [disk] }, DomainXml.Parse(xml));
        var after = dropped.Element("devices")!.Element("disk")!.Element("driver")!;
        Assert.Equal((null, "native", null), ((string?)after.Attribute("cache"), (string?)after.Attribute("io"), (string?)after.Attribute("discard")));
    }

    [Fact]
    public void Inputs_read_from_what_libvirt_filled_in_write_the_same_document_back()
    {
        // The import case: nothing may change, not a PCI address, not a controller.
        var existing = DomainXml.Parse(DomainFixtures.Persistent);
        var imported = DomainMapping.ToArgs(existing, NoVlans, reference: null);
        Assert.Equal(DomainFixtures.Mac, imported.Interfaces![0].MacAddress);
        Assert.Equal("pc-q35-7.2", imported.Machine);
        var xml = Build(imported, imported, existing);
        Assert.Equal(existing.Origin.Element!.ToString(), xml.ToString());
    }

    [Fact]
    public void The_program_that_created_it_writes_the_same_document_back_despite_generated_values()
    {
        var existing = DomainXml.Parse(DomainFixtures.Persistent);
        var xml = Build(Args(), Args(), existing);
        Assert.True(XNode.DeepEquals(existing.Origin.Element, xml), xml.ToString());
    }

    [Fact]
    public void A_change_edits_the_existing_definition_in_place()
    {
        var existing = DomainXml.Parse(DomainFixtures.Persistent);
        var a = Args(new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", Model = "virtio", LinkState = "down" }) with { MemoryMib = 200 };
        var xml = Build(a, Args(), existing);
        var def = DomainXml.Parse(xml);
        Assert.Equal(204800UL, def.CurrentMemoryKiB);
        Assert.Equal(262144UL, def.MemoryKiB);
        var nic = Assert.Single(def.Interfaces);
        Assert.Equal(LinkState.Down, nic.LinkState);
        Assert.Equal(DomainFixtures.Mac, nic.MacAddress);
        Assert.Equal("0x01", nic.Address!.Bus);
        Assert.Equal(3, xml.Element("devices")!.Elements("controller").Count());
        Assert.Equal("qemu64", xml.Element("cpu")!.Element("model")!.Value);
    }

    [Fact]
    public void Memory_beyond_the_maximum_raises_the_maximum_when_the_program_leaves_it_unset()
    {
        var def = DomainXml.Parse(Build(Args() with { MemoryMib = 1024 }, Args(), DomainXml.Parse(DomainFixtures.Persistent)));
        Assert.Equal(1048576UL, def.MemoryKiB);
        Assert.Equal(1048576UL, def.CurrentMemoryKiB);
    }

    [Fact]
    public void An_input_the_program_drops_goes_back_to_the_default_one_never_set_keeps_the_hosts()
    {
        var existing = DomainXml.Parse(DomainFixtures.Persistent);
        var withMode = Args() with { CpuMode = "host-passthrough" };
        var passthrough = Build(withMode, Args(), existing);
        Assert.Equal("host-passthrough", passthrough.Element("cpu")!.Attribute("mode")!.Value);
        Assert.Null(passthrough.Element("cpu")!.Element("model"));

        var dropped = Build(Args(), withMode, DomainXml.Parse(passthrough.ToString()));
        Assert.Null(dropped.Element("cpu"));
        var kept = Build(Args(), Args(), existing);
        Assert.NotNull(kept.Element("cpu"));
    }

    [Fact]
    public void Vlans_on_a_linux_bridge_go_to_our_metadata_by_mac_and_never_into_the_interface()
    {
        var existing = DomainXml.Parse(DomainFixtures.Persistent);
        var a = Args(new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", Model = "virtio", Vlan = new DomainVlanArgs { Tags = [10] } });
        var xml = Build(a, Args(), existing, linux: _ => true);
        Assert.Null(xml.Element("devices")!.Element("interface")!.Element("vlan"));
        var vlans = GuestVlans.Read(xml);
        Assert.Equal([10], vlans[DomainFixtures.Mac].Tags!);

        // A NIC whose MAC libvirt has yet to generate is recorded after the define.
        DomainMapping.BuildXml(a, null, null, _ => true, out var macsMissing);
        Assert.True(macsMissing);
    }

    [Fact]
    public void Vlans_on_open_vswitch_are_libvirts_own()
    {
        var a = Args(new DomainInterfaceArgs { Type = "bridge", Bridge = "ovsbr0", VirtualPort = "openvswitch",
            Vlan = new DomainVlanArgs { Tags = [10, 20], NativeTag = 10 } });
        var nic = DomainXml.Parse(Build(a)).Interfaces[0];
        Assert.Equal("openvswitch", nic.VirtualPort!.Type);
        Assert.True(nic.Vlan!.Trunk);
        Assert.Equal([new VlanTag(10, VlanNativeMode.Untagged), new VlanTag(20)], nic.Vlan.Tags!);
        var back = DomainMapping.FromLibvirtVlan(nic.Vlan)!;
        Assert.Equal([10, 20], back.Tags!);
        Assert.Equal((true, 10, "untagged"), (back.Trunk, back.NativeTag, back.NativeMode));
    }

    [Fact]
    public void Removing_a_nic_by_mac_keeps_the_other_with_its_address()
    {
        var two = DomainXml.Parse(DomainFixtures.Persistent.Replace("</devices>",
            "<interface type='network'><mac address='52:54:00:00:00:02'/><source network='default'/>" +
            "<address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/></interface></devices>"));
        var keepSecond = Args(new DomainInterfaceArgs { Type = "network", Network = "default", MacAddress = "52:54:00:00:00:02" });
        var nic = Assert.Single(DomainXml.Parse(Build(keepSecond, null, two)).Interfaces);
        Assert.Equal("0x04", nic.Address!.Bus);
    }

    [Fact]
    public void Managing_serials_replaces_serial_consoles_but_keeps_virtio_ones()
    {
        var existing = DomainXml.Parse(DomainFixtures.Persistent.Replace("</devices>", "<console type='pty'><target type='virtio' port='1'/></console></devices>"));
        var xml = Build(Args() with { Serials = [new DomainSerialArgs { Type = "pty" }] }, Args(), existing);
        var devices = xml.Element("devices")!;
        Assert.Equal("pty", devices.Element("serial")!.Attribute("type")!.Value);
        Assert.Equal(["virtio"], devices.Elements("console").Select(c => c.Element("target")!.Attribute("type")!.Value));
    }

    [Theory]
    [InlineData("q35", "pc-q35-7.2", true)]
    [InlineData("pc", "pc-i440fx-7.2", true)]
    [InlineData("q35", "pc-i440fx-7.2", false)]
    [InlineData("pc-q35-7.2", "pc-q35-7.2", true)]
    [InlineData("pc", "pc-q35-7.2", false)]
    public void Machine_aliases_match_what_libvirt_expands_them_to(string wanted, string observed, bool same) =>
        Assert.Equal(same, DomainMapping.MachineMatches(wanted, observed));

    [Fact]
    public void Observed_state_writes_as_property_values()
    {
        // Every model record must survive the provider's own writer (reflection over the records).
        var args = DomainMapping.ToArgs(DomainXml.Parse(DomainFixtures.Persistent), NoVlans, null);
        var written = Writer.Write(args);
        Assert.Equal(256, ((NumberValue)written["memoryMib"]!).Value);
    }
}

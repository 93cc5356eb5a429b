using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Domains;

/// <summary>Check accepts what libvirt accepts for the finer device inputs, and names the property of what it refuses.</summary>
public class DeviceValidationTests
{
    private const string Mac = "00:11:22:33:44:55";

    private static DomainArgs Guest(params DomainInterfaceArgs[] nics) => new() { Name = "g1", Type = "qemu", MemoryMib = 256, Vcpus = 1, Interfaces = nics };

    private static Dictionary<string, string> Failures(DomainArgs a) =>
        DomainValidation.Static(PropertyBinder.Bind<DomainArgs>(Writer.Write(a, inputsOnly: true))).ToDictionary(f => f.Property, f => f.Reason);

    private static DomainInterfaceArgs Net(string network = "default") => new() { Type = "network", Network = network };

    [Fact]
    public void The_two_nics_of_a_teaming_pair_share_a_mac()
    {
        var persistent = Net("mybridge") with { MacAddress = Mac, Alias = "ua-backup0", Teaming = new DomainTeamingArgs { Type = "persistent" } };
        var transient = Net("myhostdevpool") with { MacAddress = Mac, Teaming = new DomainTeamingArgs { Type = "transient", Persistent = "ua-backup0" } };

        Assert.Empty(Failures(Guest(persistent, transient)));
        Assert.Contains("also the MAC of interfaces[0]", Failures(Guest(persistent, Net() with { MacAddress = Mac }))["interfaces[1].macAddress"], StringComparison.Ordinal);
        Assert.Contains("names the alias", Failures(Guest(persistent, transient with { Teaming = new DomainTeamingArgs { Type = "transient" } }))["interfaces[1].teaming.persistent"], StringComparison.Ordinal);
        Assert.Contains("not a persistent teaming NIC", Failures(Guest(persistent with { Teaming = null }, transient))["interfaces[1].teaming.persistent"], StringComparison.Ordinal);
    }

    [Fact]
    public void Vlan_tags_0_and_4095_are_libvirts_to_take_but_not_a_linux_bridges()
    {
        var vlan = new DomainVlanArgs { Tags = [4095] };
        Assert.Empty(Failures(Guest(Net() with { Vlan = vlan })));
        Assert.Empty(Failures(Guest(new DomainInterfaceArgs { Type = "bridge", Bridge = "ovsbr0", VirtualPort = "openvswitch", Vlan = new DomainVlanArgs { Tags = [0] } })));
        Assert.Contains("1-4094", Failures(Guest(new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", Vlan = vlan }))["interfaces[0].vlan.tags"], StringComparison.Ordinal);
    }

    [Fact]
    public void Each_virtual_port_type_takes_its_own_parameters()
    {
        var qbg = new VirtualPortParametersArgs { ManagerId = 11, TypeId = 1193047, TypeIdVersion = 2, InstanceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" };
        Assert.Empty(Failures(Guest(Net() with { VirtualPort = "802.1Qbg", VirtualPortParameters = qbg })));
        Assert.Empty(Failures(Guest(Net() with { VirtualPortParameters = qbg with { InterfaceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" } })));
        Assert.Empty(Failures(Guest(new DomainInterfaceArgs { Type = "bridge", Bridge = "midonet", VirtualPort = "midonet" })));
        Assert.Empty(Failures(Guest(new DomainInterfaceArgs { Type = "direct", Device = "eth0", VirtualPort = "802.1Qbh", VirtualPortParameters = new() { ProfileId = "p" } })));

        var f = Failures(Guest(Net() with { VirtualPort = "802.1Qbh", VirtualPortParameters = new() { ProfileId = "p", ManagerId = 1 } }));
        Assert.Contains("does not apply to a virtual port of type 802.1Qbh", f["interfaces[0].virtualPortParameters.managerId"], StringComparison.Ordinal);
        Assert.Contains("is not a UUID", Failures(Guest(Net() with { VirtualPortParameters = new() { InterfaceId = "x" } }))["interfaces[0].virtualPortParameters.interfaceId"], StringComparison.Ordinal);
        Assert.Contains("802.1Qbg or 802.1Qbh", Failures(Guest(new DomainInterfaceArgs { Type = "direct", Device = "eth0", VirtualPort = "openvswitch" }))["interfaces[0].virtualPort"], StringComparison.Ordinal);
        Assert.Contains("openvswitch or midonet", Failures(Guest(new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", VirtualPort = "802.1Qbg" }))["interfaces[0].virtualPort"], StringComparison.Ordinal);
    }

    [Fact]
    public void Bandwidth_floors_are_inbound_on_networks_and_peaks_need_an_average()
    {
        var floor = new BandwidthArgs { Inbound = new BandwidthLimitArgs { Floor = 200 } };
        Assert.Empty(Failures(Guest(Net() with { Bandwidth = floor })));
        Assert.True(Failures(Guest(new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", Bandwidth = floor })).ContainsKey("interfaces[0].bandwidth.inbound.floor"));
        Assert.True(Failures(Guest(Net() with { Bandwidth = new BandwidthArgs { Outbound = new BandwidthLimitArgs { Average = 1, Floor = 1 } } })).ContainsKey("interfaces[0].bandwidth.outbound.floor"));
        Assert.True(Failures(Guest(Net() with { Bandwidth = new BandwidthArgs { Outbound = new BandwidthLimitArgs { Peak = 1 } } })).ContainsKey("interfaces[0].bandwidth.outbound.average"));
    }

    [Fact]
    public void Aliases_addresses_and_boot_orders_are_each_the_devices_own()
    {
        var f = Failures(Guest(Net() with { Alias = "backup", PciAddress = "0000:00:03.0", BootOrder = 1 }, Net() with { PciAddress = "0000:00:03.0", BootOrder = 1 }) with
        {
            Disks = [new DomainDiskArgs { TargetDev = "vda", File = "/a", PciAddress = "0000:00:3.0" }],
        });
        Assert.Contains("start with ua-", f["interfaces[0].alias"], StringComparison.Ordinal);
        Assert.Contains("also the address of interfaces[0]", f["interfaces[1].pciAddress"], StringComparison.Ordinal);
        Assert.Contains("also given to interfaces[0]", f["interfaces[1].bootOrder"], StringComparison.Ordinal);
        Assert.Contains("is not a PCI address", f["disks[0].pciAddress"], StringComparison.Ordinal);
        Assert.Contains("not both", Failures(Guest(Net() with { BootOrder = 1 }) with { BootDevices = ["hd"] })["interfaces[0].bootOrder"], StringComparison.Ordinal);
    }

    [Fact]
    public void Cpu_xml_and_cpuset_are_checked()
    {
        Assert.Empty(Failures(Guest() with { CpuXml = "<cpu mode='custom'><model>qemu64</model></cpu>", CpuMode = "custom", VcpuCpuset = "0-1" }));
        Assert.Contains("cpuMode is host-model", Failures(Guest() with { CpuXml = "<cpu><model>qemu64</model></cpu>", CpuMode = "host-model" })["cpuXml"], StringComparison.Ordinal);
        Assert.Contains("holds the <cpu> element", Failures(Guest() with { CpuXml = "<vcpu/>" })["cpuXml"], StringComparison.Ordinal);
        Assert.Contains("not well-formed", Failures(Guest() with { CpuXml = "<cpu>" })["cpuXml"], StringComparison.Ordinal);
        Assert.True(Failures(Guest() with { VcpuCpuset = "a" }).ContainsKey("vcpuCpuset"));
    }
}

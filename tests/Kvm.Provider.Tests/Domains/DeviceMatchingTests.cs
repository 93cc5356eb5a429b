using Kvm.Provider.Resources.Domains;

namespace Kvm.Provider.Tests.Domains;

public class DeviceMatchingTests
{
    private static DomainInterfaceArgs Nic(string? mac = null) => new() { Type = "bridge", Bridge = "br0", MacAddress = mac };

    [Fact]
    public void Interfaces_without_macs_match_by_position()
    {
        Assert.Equal([0, 1], DeviceMatching.Interfaces([Nic(), Nic()], ["52:54:00:00:00:01", "52:54:00:00:00:02"]));
        Assert.Equal([0, 1, null], DeviceMatching.Interfaces([Nic(), Nic(), Nic()], ["52:54:00:00:00:01", "52:54:00:00:00:02"]));
    }

    [Fact]
    public void A_mac_finds_its_nic_wherever_it_is_so_removing_the_first_keeps_the_second()
    {
        var match = DeviceMatching.Interfaces([Nic("52:54:00:00:00:02")], ["52:54:00:00:00:01", "52:54:00:00:00:02"]);
        Assert.Equal([1], match);
        Assert.Equal([0], DeviceMatching.Unmatched(match, 2));
    }

    [Fact]
    public void Macs_compare_case_and_separator_blind_and_an_unknown_mac_is_a_new_nic()
    {
        Assert.Equal([0], DeviceMatching.Interfaces([Nic("52-54-00-AA-00-01")], ["52:54:00:aa:00:01"]));
        Assert.Equal([null, 0], DeviceMatching.Interfaces([Nic("52:54:00:99:99:99"), Nic()], ["52:54:00:aa:00:01"]));
    }

    [Fact]
    public void Disks_match_by_target_device()
    {
        var disks = new DomainDiskArgs[] { new() { TargetDev = "vdb", File = "/b" }, new() { TargetDev = "vdc", File = "/c" } };
        var match = DeviceMatching.Disks(disks, ["vda", "vdb"]);
        Assert.Equal([1, null], match);
        Assert.Equal([0], DeviceMatching.Unmatched(match, 2));
    }
}

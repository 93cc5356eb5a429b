using System.Text.Json;

namespace Kvm.Netlink.Tests.Live;

/// <summary>
/// BridgeVlanService against the real kernel. This machine's kernel has no bridge VLAN
/// filtering: there the round trip checks that the kernel's EOPNOTSUPP comes through intact;
/// on a kernel with it (the kernel VM) the same test runs the whole round trip, observed with
/// <c>bridge -j vlan show</c>.
/// </summary>
[Trait("Category", "Live")]
public sealed class BridgeVlanLiveTests
{
    [Fact]
    public async Task Dump_reports_the_bridge_and_its_ports_in_one_request()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));
        lab.AddVethPair("p0", "p0peer");
        lab.AddVethPair("p1", "p1peer");
        lab.AddVethPair("loose", "loosepeer");
        var p0 = (await lab.Links.GetByNameAsync("p0"))!;
        var p1 = (await lab.Links.GetByNameAsync("p1"))!;
        await lab.Links.SetMasterAsync(p0.Index, bridge.Index);
        await lab.Links.SetMasterAsync(p1.Index, bridge.Index);

        var before = lab.Socket.RequestsSent;
        var tables = await lab.Vlans.DumpAsync();

        Assert.Equal(1, lab.Socket.RequestsSent - before);
        Assert.Equal(["br0", "p0", "p1"], tables.Select(t => t.Name).Order().ToArray());
        var self = tables.Single(t => t.Name == "br0");
        Assert.True(self.IsBridgeSelf);
        Assert.Equal(VlanTarget.BridgeSelf, self.Target);
        var port = tables.Single(t => t.Name == "p0");
        Assert.Equal(p0.Index, port.Index);
        Assert.Equal(bridge.Index, port.MasterIndex);
        Assert.Equal(VlanTarget.BridgePort, port.Target);
        if (!await VlanFilteringSupportedAsync(lab, bridge.Index))
            Assert.All(tables, t => Assert.Empty(t.Entries));
    }

    [Fact]
    public async Task Get_table_of_a_link_that_is_no_bridge_port_is_null()
    {
        using var lab = LabNetlink.Create();
        lab.AddVethPair("loose", "loosepeer");
        var loose = (await lab.Links.GetByNameAsync("loose"))!;

        Assert.Null(await lab.Vlans.GetTableAsync(loose.Index));
    }

    [Fact]
    public async Task Port_vlan_round_trip_or_EOPNOTSUPP_where_the_kernel_lacks_vlan_filtering()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));
        lab.AddVethPair("p0", "p0peer");
        var p0 = (await lab.Links.GetByNameAsync("p0"))!;
        await lab.Links.SetMasterAsync(p0.Index, bridge.Index);
        VlanEntry[] first = [new(1, 1, Pvid: true, Untagged: true), VlanEntry.Of(10, 20), VlanEntry.Of(30) with { Untagged = true }];

        if (!await VlanFilteringSupportedAsync(lab, bridge.Index))
        {
            var error = await Assert.ThrowsAsync<NetlinkException>(() => lab.Vlans.AddAsync(p0.Index, VlanTarget.BridgePort, first));
            Assert.Equal(Errno.EOPNOTSUPP, error.Errno);
            Assert.Equal("RTM_SETLINK", error.Operation);
            return;
        }

        await BridgeVlanScenario.RunPortRoundTripAsync(lab, p0, bridge.Index, first);
    }

    [Fact]
    public async Task Bridge_self_add_or_EOPNOTSUPP_where_the_kernel_lacks_vlan_filtering()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));
        VlanEntry[] entries = [VlanEntry.Of(100, 110)];

        if (!await VlanFilteringSupportedAsync(lab, bridge.Index))
        {
            var error = await Assert.ThrowsAsync<NetlinkException>(() => lab.Vlans.AddAsync(bridge.Index, VlanTarget.BridgeSelf, entries));
            Assert.Equal(Errno.EOPNOTSUPP, error.Errno);
            return;
        }

        await lab.Vlans.AddAsync(bridge.Index, VlanTarget.BridgeSelf, entries);
        var self = (await lab.Vlans.GetTableAsync(bridge.Index))!;
        Assert.True(self.IsBridgeSelf);
        Assert.Contains(VlanEntry.Of(100, 110), self.Entries);
    }

    /// <summary>Turns VLAN filtering on, which this machine's kernel refuses with EOPNOTSUPP.</summary>
    private static async Task<bool> VlanFilteringSupportedAsync(LabNetlink lab, int bridgeIndex)
    {
        try
        {
            await lab.Links.SetAsync(bridgeIndex, new LinkChange { Bridge = new BridgeOptions { VlanFiltering = true } });
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.EOPNOTSUPP)
        {
            return false;
        }
    }
}

/// <summary>The VLAN round trip for kernels with bridge VLAN filtering (run from the kernel VM as well).</summary>
internal static class BridgeVlanScenario
{
    public static async Task RunPortRoundTripAsync(LabNetlink lab, Link port, int bridgeIndex, IReadOnlyList<VlanEntry> first)
    {
        var portIndex = port.Index;
        // A new port starts with the bridge's default PVID 1; replace the whole table with `first`.
        var start = (await lab.Vlans.GetTableAsync(portIndex))!;
        var before = lab.Socket.RequestsSent;
        await lab.Vlans.ApplyAsync(portIndex, VlanTarget.BridgePort, VlanTable.Diff(start.Entries, first));
        Assert.True(lab.Socket.RequestsSent - before <= 2);

        var table = (await lab.Vlans.GetTableAsync(portIndex))!;
        Assert.Equal(bridgeIndex, table.MasterIndex);
        Assert.Equal(VlanTable.Compress(first), table.Entries);
        Assert.Equal(VlanTable.Compress(first), ObservedVlans(lab, port.Name));

        // Move the PVID, drop a range, widen another and re-flag a vid: one delete, one add.
        VlanEntry[] second = [VlanEntry.Of(1), new(5, 5, Pvid: true, Untagged: true), VlanEntry.Of(10, 25), VlanEntry.Of(30)];
        var delta = VlanTable.Diff(table.Entries, second);
        before = lab.Socket.RequestsSent;
        await lab.Vlans.ApplyAsync(portIndex, VlanTarget.BridgePort, delta);
        Assert.Equal((delta.ToDelete.Count > 0 ? 1 : 0) + (delta.ToAdd.Count > 0 ? 1 : 0), lab.Socket.RequestsSent - before);
        Assert.Equal(VlanTable.Compress(second), (await lab.Vlans.GetTableAsync(portIndex))!.Entries);
        Assert.Equal(VlanTable.Compress(second), ObservedVlans(lab, port.Name));

        await lab.Vlans.DeleteAsync(portIndex, VlanTarget.BridgePort, second);
        Assert.Empty((await lab.Vlans.GetTableAsync(portIndex))!.Entries);
    }

    /// <summary><c>bridge -j vlan show dev NAME</c>, in our entry form.</summary>
    public static IReadOnlyList<VlanEntry> ObservedVlans(LabNetlink lab, string port)
    {
        var result = lab.Lab.Exec("bridge", "-j", "vlan", "show", "dev", port).EnsureSuccess("bridge vlan show");
        var entries = new List<VlanEntry>();
        foreach (var device in JsonDocument.Parse(result.StdOut).RootElement.EnumerateArray())
        {
            foreach (var vlan in device.GetProperty("vlans").EnumerateArray())
            {
                var start = (ushort)vlan.GetProperty("vlan").GetInt32();
                var end = vlan.TryGetProperty("vlanEnd", out var e) ? (ushort)e.GetInt32() : start;
                var flags = vlan.TryGetProperty("flags", out var f) ? f.EnumerateArray().Select(x => x.GetString()).ToArray() : [];
                entries.Add(new VlanEntry(start, end, flags.Contains("PVID"), flags.Contains("Egress Untagged")));
            }
        }
        return VlanTable.Compress(entries);
    }
}

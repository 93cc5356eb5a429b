using System.Net;
using System.Text.Json;
using Kvm.Lab;

namespace Kvm.Netlink.Tests.Live;

/// <summary>
/// LinkService against the real kernel, each test in its own throwaway namespace, with
/// <c>ip -j -d link show</c> as the independent observer.
/// </summary>
[Trait("Category", "Live")]
public sealed class LinkServiceLiveTests
{
    private static readonly BridgeOptions SampleOptions = new()
    {
        StpState = BridgeStpState.Kernel,
        ForwardDelayCentiseconds = 400,
        HelloTimeCentiseconds = 100,
        MaxAgeCentiseconds = 1000,
        AgeingTimeCentiseconds = 6000,
        Priority = 4096,
        MulticastSnooping = false,
    };

    [Fact]
    public async Task List_returns_every_link_from_one_dump()
    {
        using var lab = LabNetlink.Create();
        lab.AddVethPair("va0", "vb0");

        var before = lab.Socket.RequestsSent;
        var links = await lab.Links.ListAsync();

        Assert.Equal(1, lab.Socket.RequestsSent - before);
        var observed = lab.Lab.Links().EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).Order().ToArray();
        Assert.Equal(observed, links.Select(l => l.Name).Order().ToArray());
        var lo = Assert.Single(links, l => l.Name == "lo");
        Assert.True(lo.IsUp);
        Assert.Null(lo.Kind);
        Assert.Equal("veth", links.Single(l => l.Name == "va0").Kind);
    }

    [Fact]
    public async Task Ports_of_a_bridge_come_from_one_dump_the_kernel_filters()
    {
        using var lab = LabNetlink.Create();
        lab.AddVethPair("pa0", "pb0");
        lab.AddVethPair("pa1", "pb1");
        lab.AddVethPair("pa2", "pb2");
        lab.Lab.Ip("link", "add", "brp1", "type", "bridge");
        lab.Lab.Ip("link", "add", "brp2", "type", "bridge");
        lab.Lab.Ip("link", "set", "pa0", "master", "brp1");
        lab.Lab.Ip("link", "set", "pa1", "master", "brp1");
        lab.Lab.Ip("link", "set", "pa2", "master", "brp2");
        var bridge = (await lab.Links.GetByNameAsync("brp1"))!;

        var before = lab.Socket.RequestsSent;
        var ports = await lab.Links.ListPortsAsync(bridge.Index);

        Assert.Equal(1, lab.Socket.RequestsSent - before);
        var observed = lab.Lab.Ip("-j", "link", "show", "master", "brp1");
        Assert.Equal(["pa0", "pa1"], ports.Select(p => p.Name).Order().ToArray());
        Assert.Contains("\"pa0\"", observed);
        Assert.Empty(await lab.Links.ListPortsAsync((await lab.Links.GetByNameAsync("lo"))!.Index));
    }

    [Fact]
    public async Task Delete_many_removes_exactly_those_links_in_one_unregistration()
    {
        using var lab = LabNetlink.Create();
        var doomed = new List<int>();
        for (var i = 0; i < 4; i++)
            doomed.Add((await lab.Links.CreateBridgeAsync(new NewBridge($"gone{i}"))).Index);
        var kept = await lab.Links.CreateBridgeAsync(new NewBridge("kept0"));
        lab.Lab.Ip("link", "set", "kept0", "group", "7");
        lab.AddVethPair("kva", "kvb");
        lab.Lab.Ip("link", "del", "gone3");

        var before = lab.Socket.RequestsSent;
        var outcomes = await lab.Links.DeleteManyAsync(doomed);

        Assert.Equal([DeleteOutcome.Deleted, DeleteOutcome.Deleted, DeleteOutcome.Deleted, DeleteOutcome.AlreadyGone], outcomes);
        // one dump to pick a free group, one group change per link, one delete for all of them
        Assert.Equal(1 + 3 + 1, lab.Socket.RequestsSent - before);
        var names = lab.Lab.Links().EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Assert.DoesNotContain(names, n => n!.StartsWith("gone", StringComparison.Ordinal));
        Assert.Contains("kept0", names);
        Assert.Contains("kva", names);
        Assert.Equal("7", lab.Lab.Link("kept0")!.Value.GetProperty("group").ToString());
        Assert.Equal("default", lab.Lab.Link("kva")!.Value.GetProperty("group").GetString());
    }

    [Fact]
    public async Task List_spanning_many_datagrams_matches_ip()
    {
        using var lab = LabNetlink.Create();
        for (var i = 0; i < 40; i++)
            lab.AddVethPair($"ma{i}", $"mb{i}");

        var links = await lab.Links.ListAsync();

        Assert.Equal(81, links.Count);
        Assert.Equal(lab.Lab.Links().GetArrayLength(), links.Count);
        Assert.Equal(links.Count, links.Select(l => l.Index).Distinct().Count());
    }

    [Fact]
    public async Task Get_of_a_missing_link_is_null()
    {
        using var lab = LabNetlink.Create();

        Assert.Null(await lab.Links.GetByNameAsync("nosuchlink"));
        Assert.Null(await lab.Links.GetByIndexAsync(4242));
    }

    [Fact]
    public async Task Create_bridge_applies_all_options_in_one_request()
    {
        using var lab = LabNetlink.Create();
        var mac = MacAddress.Parse("02:11:22:33:44:55");

        var before = lab.Socket.RequestsSent;
        var created = await lab.Links.CreateBridgeAsync(new NewBridge("br0")
        {
            Mtu = 1400,
            Address = mac,
            AdminState = AdminState.Up,
            Options = SampleOptions,
        });

        Assert.Equal(3, lab.Socket.RequestsSent - before); // RTM_NEWLINK, the MTU, RTM_GETLINK to read it back
        var ip = ObservedLink(lab, "br0");
        Assert.Equal(created.Index, ip.GetProperty("ifindex").GetInt32());
        Assert.Equal(1400, ip.GetProperty("mtu").GetInt32());
        Assert.Equal("02:11:22:33:44:55", ip.GetProperty("address").GetString());
        Assert.Contains("UP", Flags(ip));
        var data = InfoData(ip);
        Assert.Equal("bridge", ip.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal(1, data.GetProperty("stp_state").GetInt32());
        Assert.Equal(400, data.GetProperty("forward_delay").GetInt32());
        Assert.Equal(100, data.GetProperty("hello_time").GetInt32());
        Assert.Equal(1000, data.GetProperty("max_age").GetInt32());
        Assert.Equal(6000, data.GetProperty("ageing_time").GetInt32());
        Assert.Equal(4096, data.GetProperty("priority").GetInt32());
        Assert.Equal(0, data.GetProperty("mcast_snooping").GetInt32());

        Assert.Equal("br0", created.Name);
        Assert.Equal("bridge", created.Kind);
        Assert.True(created.IsBridge);
        Assert.True(created.IsUp);
        Assert.Equal(1400u, created.Mtu);
        Assert.Equal(mac, created.Address);
        var options = Assert.IsType<BridgeOptions>(created.Bridge);
        Assert.Equal(SampleOptions with { VlanFiltering = false }, options with { VlanProtocol = null, VlanDefaultPvid = null });
    }

    [Fact]
    public async Task Create_without_mtu_is_two_requests()
    {
        using var lab = LabNetlink.Create();

        var before = lab.Socket.RequestsSent;
        await lab.Links.CreateBridgeAsync(new NewBridge("br0") { Options = SampleOptions });

        Assert.Equal(2, lab.Socket.RequestsSent - before);
    }

    [Fact]
    public async Task Mtu_given_at_creation_survives_the_first_port()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0") { Mtu = 1400 });
        lab.AddVethPair("p0", "p0peer");
        var port = (await lab.Links.GetByNameAsync("p0"))!;

        await lab.Links.SetMasterAsync(port.Index, bridge.Index);

        Assert.Equal(1400, ObservedLink(lab, "br0").GetProperty("mtu").GetInt32());
    }

    [Fact]
    public async Task Create_with_a_refused_mtu_leaves_no_bridge_behind()
    {
        using var lab = LabNetlink.Create();

        var error = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.CreateBridgeAsync(new NewBridge("br0") { Mtu = 10 }));

        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.Null(lab.Lab.Link("br0"));
    }

    [Fact]
    public async Task Create_with_a_refused_option_leaves_no_bridge_behind()
    {
        using var lab = LabNetlink.Create();

        // The kernel refuses a hello time under 1 s (ERANGE) only after it has registered the device.
        var error = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.CreateBridgeAsync(new NewBridge("br0")
        {
            Options = new BridgeOptions { AgeingTimeCentiseconds = 1000, HelloTimeCentiseconds = 5 },
        }));

        Assert.Equal(Errno.ERANGE, error.Errno);
        Assert.Null(lab.Lab.Link("br0"));
    }

    [Fact]
    public async Task Set_applies_a_change_set_in_one_request()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));

        var before = lab.Socket.RequestsSent;
        await lab.Links.SetAsync(bridge.Index, new LinkChange
        {
            Mtu = 9000,
            Address = MacAddress.Parse("02:00:00:00:00:42"),
            AdminState = AdminState.Up,
            Bridge = new BridgeOptions { AgeingTimeCentiseconds = 12340, StpState = BridgeStpState.Kernel, HelloTimeCentiseconds = 300 },
        });

        Assert.Equal(1, lab.Socket.RequestsSent - before);
        var ip = ObservedLink(lab, "br0");
        Assert.Equal(9000, ip.GetProperty("mtu").GetInt32());
        Assert.Equal("02:00:00:00:00:42", ip.GetProperty("address").GetString());
        Assert.Contains("UP", Flags(ip));
        Assert.Equal(12340, InfoData(ip).GetProperty("ageing_time").GetInt32());
        Assert.Equal(1, InfoData(ip).GetProperty("stp_state").GetInt32());
        Assert.Equal(300, InfoData(ip).GetProperty("hello_time").GetInt32());

        var read = await lab.Links.GetByIndexAsync(bridge.Index);
        Assert.NotNull(read);
        Assert.Equal(9000u, read.Mtu);
        Assert.Equal(12340u, read.Bridge!.AgeingTimeCentiseconds);
    }

    [Fact]
    public async Task Empty_change_set_sends_nothing()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));

        var before = lab.Socket.RequestsSent;
        await lab.Links.SetAsync(bridge.Index, new LinkChange { Bridge = new BridgeOptions() });

        Assert.Equal(0, lab.Socket.RequestsSent - before);
    }

    [Fact]
    public async Task Up_and_down()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));
        Assert.DoesNotContain("UP", Flags(ObservedLink(lab, "br0")));

        await lab.Links.SetAdminStateAsync(bridge.Index, AdminState.Up);
        Assert.Contains("UP", Flags(ObservedLink(lab, "br0")));
        Assert.True((await lab.Links.GetByIndexAsync(bridge.Index))!.IsUp);

        await lab.Links.SetAdminStateAsync(bridge.Index, AdminState.Down);
        Assert.DoesNotContain("UP", Flags(ObservedLink(lab, "br0")));
        Assert.False((await lab.Links.GetByIndexAsync(bridge.Index))!.IsUp);
    }

    [Fact]
    public async Task Enslave_and_release_veth_ports()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0") { AdminState = AdminState.Up });
        lab.AddVethPair("p0", "p0peer");
        lab.AddVethPair("p1", "p1peer");
        var p0 = (await lab.Links.GetByNameAsync("p0"))!;
        var p1 = (await lab.Links.GetByNameAsync("p1"))!;

        await lab.Links.SetMasterAsync(p0.Index, bridge.Index);
        await lab.Links.SetAsync(p1.Index, new LinkChange { MasterIndex = bridge.Index, AdminState = AdminState.Up });

        Assert.Equal("br0", ObservedLink(lab, "p0").GetProperty("master").GetString());
        Assert.Equal("br0", ObservedLink(lab, "p1").GetProperty("master").GetString());
        Assert.Contains("UP", Flags(ObservedLink(lab, "p1")));
        var port = (await lab.Links.GetByNameAsync("p0"))!;
        Assert.Equal(bridge.Index, port.MasterIndex);
        Assert.Equal("bridge", port.PortKind);
        Assert.Equal("veth", port.Kind);

        await lab.Links.ReleaseFromMasterAsync(p0.Index);

        Assert.False(ObservedLink(lab, "p0").TryGetProperty("master", out _));
        Assert.Null((await lab.Links.GetByNameAsync("p0"))!.MasterIndex);
        Assert.Equal("br0", ObservedLink(lab, "p1").GetProperty("master").GetString());

        // Releasing a link that has no master is not an error.
        await lab.Links.ReleaseFromMasterAsync(p0.Index);
    }

    [Fact]
    public async Task Delete_then_delete_again_reports_already_gone()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));

        Assert.Equal(DeleteOutcome.Deleted, await lab.Links.DeleteAsync(bridge.Index));
        Assert.Null(lab.Lab.Link("br0"));
        Assert.Equal(DeleteOutcome.AlreadyGone, await lab.Links.DeleteAsync(bridge.Index));
        Assert.Null(await lab.Links.GetByIndexAsync(bridge.Index));
    }

    [Fact]
    public async Task Duplicate_name_gives_EEXIST()
    {
        using var lab = LabNetlink.Create();
        await lab.Links.CreateBridgeAsync(new NewBridge("br0"));

        var error = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.CreateBridgeAsync(new NewBridge("br0")));

        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Equal("EEXIST", error.ErrnoName);
        Assert.Equal("RTM_NEWLINK", error.Operation);
        Assert.Contains("EEXIST", error.Message);
    }

    [Fact]
    public async Task Kernel_refusal_carries_the_extended_ack_text()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));

        var error = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.SetAsync(bridge.Index, new LinkChange { Mtu = 10 }));

        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.Equal("mtu less than device minimum", error.ExtendedAckMessage);
        Assert.Contains("mtu less than device minimum", error.Message);
    }

    [Fact]
    public async Task Change_of_a_missing_link_gives_ENODEV()
    {
        using var lab = LabNetlink.Create();

        var error = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.SetAdminStateAsync(4242, AdminState.Up));

        Assert.True(error.IsNoSuchDevice);
        Assert.Equal("ENODEV", error.ErrnoName);
    }

    [Fact]
    public async Task Bridge_options_on_a_veth_are_refused()
    {
        using var lab = LabNetlink.Create();
        lab.AddVethPair("va0", "vb0");
        var veth = (await lab.Links.GetByNameAsync("va0"))!;

        var error = await Assert.ThrowsAsync<NetlinkException>(() =>
            lab.Links.SetAsync(veth.Index, new LinkChange { Bridge = new BridgeOptions { AgeingTimeCentiseconds = 100 } }));

        Assert.Equal(Errno.EOPNOTSUPP, error.Errno);
    }

    [Fact]
    public async Task Bridge_made_in_the_lab_namespace_is_invisible_in_the_default_namespace()
    {
        using var lab = LabNetlink.Create();
        var name = "iso" + Guid.NewGuid().ToString("N")[..8];

        await lab.Links.CreateBridgeAsync(new NewBridge(name));

        Assert.NotNull(lab.Lab.Link(name));
        // Read-only looks at the default namespace: ip, and our own socket opened there.
        var defaultNamespace = JsonDocument.Parse(Shell.Check("ip", "-j", "link", "show")).RootElement;
        Assert.DoesNotContain(defaultNamespace.EnumerateArray(), l => l.GetProperty("ifname").GetString() == name);
        using var hostSocket = NetlinkSocket.Open();
        var hostLinks = await new LinkService(hostSocket).ListAsync();
        Assert.DoesNotContain(hostLinks, l => l.Name == name);
        Assert.Null(await new LinkService(hostSocket).GetByNameAsync(name));
    }

    [Fact]
    public async Task Addresses_of_a_link()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));
        lab.AddVethPair("va0", "vb0");
        lab.Lab.Ip("addr", "add", "10.20.0.1/24", "dev", "br0");
        lab.Lab.Ip("addr", "add", "fd00:20::1/64", "dev", "br0");
        lab.Lab.Ip("addr", "add", "10.30.0.1/24", "dev", "va0");

        var addresses = await lab.Links.ListAddressesAsync(bridge.Index);

        Assert.Contains(addresses, a => a.Address.Equals(IPAddress.Parse("10.20.0.1")) && a.PrefixLength == 24 && a.Scope == AddressScope.Universe && a.Label == "br0");
        Assert.Contains(addresses, a => a.Address.Equals(IPAddress.Parse("fd00:20::1")) && a.PrefixLength == 64);
        Assert.All(addresses, a => Assert.Equal(bridge.Index, a.Index));
        Assert.DoesNotContain(addresses, a => a.Address.Equals(IPAddress.Parse("10.30.0.1")));
    }

    [Fact]
    public async Task Addresses_of_a_link_without_any_is_empty()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));

        Assert.Empty(await lab.Links.ListAddressesAsync(bridge.Index));
    }

    [Fact]
    public async Task Default_route_detection()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0") { AdminState = AdminState.Up });
        var other = await lab.Links.CreateBridgeAsync(new NewBridge("br1") { AdminState = AdminState.Up });
        lab.Lab.Ip("addr", "add", "10.40.0.1/24", "dev", "br0");
        lab.Lab.Ip("addr", "add", "10.41.0.1/24", "dev", "br1");
        lab.Lab.Ip("route", "add", "10.99.0.0/16", "via", "10.41.0.254", "dev", "br1", "onlink");

        Assert.False(await lab.Links.CarriesDefaultRouteAsync(bridge.Index));

        lab.Lab.Ip("route", "add", "default", "via", "10.40.0.254", "dev", "br0", "onlink");

        var before = lab.Socket.RequestsSent;
        Assert.True(await lab.Links.CarriesDefaultRouteAsync(bridge.Index));
        Assert.Equal(1, lab.Socket.RequestsSent - before);
        Assert.False(await lab.Links.CarriesDefaultRouteAsync(other.Index));
    }

    [Fact]
    public async Task IPv6_default_route_counts_too()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0") { AdminState = AdminState.Up });
        lab.Lab.Ip("-6", "route", "add", "default", "via", "fe80::1", "dev", "br0");

        Assert.True(await lab.Links.CarriesDefaultRouteAsync(bridge.Index));
    }

    [Fact]
    public async Task Concurrent_callers_share_one_socket()
    {
        using var lab = LabNetlink.Create();
        var bridge = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));
        const int callers = 8;
        const int rounds = 25;

        var before = lab.Socket.RequestsSent;
        var tasks = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < rounds; i++)
            {
                Assert.Equal("br0", (await lab.Links.GetByIndexAsync(bridge.Index))!.Name);
                Assert.Contains(await lab.Links.ListAsync(), l => l.Name == "br0");
                Assert.Null(await lab.Links.GetByNameAsync("missing"));
            }
        }));
        await Task.WhenAll(tasks);

        Assert.Equal(callers * rounds * 3, lab.Socket.RequestsSent - before);
    }

    private static JsonElement ObservedLink(LabNetlink lab, string name) =>
        lab.Lab.Link(name) ?? throw new Xunit.Sdk.XunitException($"ip does not see {name}");

    private static JsonElement InfoData(JsonElement link) => link.GetProperty("linkinfo").GetProperty("info_data");

    private static string[] Flags(JsonElement link) => link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray();
}

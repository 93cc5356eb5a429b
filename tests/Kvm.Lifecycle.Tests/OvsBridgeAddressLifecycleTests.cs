using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The host's own addresses, gateways and static routes on an Open vSwitch bridge's internal port (the link named
/// like the bridge, which ovs-vswitchd makes down), through the real plugin as `pulumi` drives it, against Open
/// vSwitch of our own (userspace datapath) in a lab namespace. `ip` in that namespace, and pings from a peer
/// namespace on a veth that is a port of the bridge, are the observers.
/// </summary>
public sealed class OvsBridgeAddressLifecycleTests : IDisposable
{
    private const string OvsBridge = OvsBridgeLifecycleTests.OvsBridge;
    private static readonly TimeSpan PingPatience = TimeSpan.FromSeconds(20);

    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders.Where(Directory.Exists)) Directory.Delete(folder, recursive: true);
    }

    private string TempFolder(string what)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"kvm-{what}-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        _folders.Add(folder);
        return folder;
    }

    private static Task<Stack> StackFor(OvsSwitch ovs, IDictionary<string, string>? more = null)
    {
        var config = new Dictionary<string, string>(more ?? new Dictionary<string, string>())
        {
            ["ovsdbSocket"] = ovs.DbSocket,
            ["netns"] = ovs.Namespace.Name,
            ["uri"] = "test:///default",
        };
        return Stack.StartAsync(JsonSerializer.Serialize(config));
    }

    /// <summary>The link's addresses and routes of both families, one per line, as `ip` lists them.</summary>
    private static string Layer3(LabNamespace ns, string link) =>
        string.Join("\n", [.. ns.Addresses(link), .. ns.Routes("-4", link), .. ns.Routes("-6", link)]);

    /// <summary>
    /// A second namespace on the bridge's LAN: veth <paramref name="port"/> in the switch's namespace (up, for the bridge
    /// to take as a port), its peer "lan0" in here holding <paramref name="address"/>.
    /// </summary>
    private static LabNamespace Peer(OvsSwitch ovs, string port, string address)
    {
        var peer = LabNamespace.CreateLab();
        try
        {
            ovs.Namespace.Ip("link", "add", port, "type", "veth", "peer", "name", "lan0", "netns", peer.Name);
            ovs.Namespace.Ip("link", "set", port, "up");
            peer.Ip("addr", "add", address, "dev", "lan0");
            peer.Ip("link", "set", "lan0", "up");
            return peer;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    /// <summary>up0 stands in for the host's NIC: it holds the host's address 10.84.0.1/24 and the default route via the LAN's router, 10.84.0.254 (the returned peer).</summary>
    private static LabNamespace Uplink(OvsSwitch ovs)
    {
        var lan = Peer(ovs, "up0", "10.84.0.254/24");
        try
        {
            ovs.Namespace.Ip("addr", "add", "10.84.0.1/24", "dev", "up0");
            ovs.Namespace.Ip("route", "add", "default", "via", "10.84.0.254");
            return lan;
        }
        catch
        {
            lan.Dispose();
            throw;
        }
    }

    private const string Declared = """
        {"name": "ob0", "datapathType": "netdev", "ports": [{"name": "pv0"}],
         "addresses": ["192.168.81.1/24", "FD00:81::1/64"], "gateway": "192.168.81.254", "gateway6": "fd00:81::fe",
         "routes": [{"destination": "10.81.0.0/16", "via": "192.168.81.2", "metric": 50}]}
        """;

    [Fact]
    public async Task The_internal_port_comes_up_with_exactly_the_declared_addresses_and_routes_and_a_peer_pings_it()
    {
        using var ovs = OvsSwitch.Start();
        using var peer = Peer(ovs, "pv0", "192.168.81.2/24");
        await using var stack = await StackFor(ovs);
        var sw = Res(OvsBridge, "sw", Declared);

        var preview = (await stack.PreviewAsync(sw)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["sw"].Op);
        Assert.Null(ovs.Namespace.Link("ob0"));   // a preview makes nothing

        (await stack.UpAsync(sw)).EnsureOk();
        Assert.True(ovs.Namespace.IsUp("ob0"), "the internal port stayed down");
        Assert.Equal(["192.168.81.1/24", "fd00:81::1/64"], ovs.Namespace.Addresses("ob0"));
        var v4 = ovs.Namespace.Routes("-4", "ob0");
        Assert.Contains("default via 192.168.81.254 proto static", v4);
        Assert.Contains("10.81.0.0/16 via 192.168.81.2 proto static metric 50", v4);
        Assert.Equal(["via 192.168.81.254 dev ob0"], ovs.Namespace.DefaultRoutes("-4"));
        Assert.Equal(["via fd00:81::fe dev ob0"], ovs.Namespace.DefaultRoutes("-6"));
        Assert.Equal("fd00:81::1/64", stack["sw"].Output("addresses")!.ListValue.Values[1].StringValue);   // as the kernel writes it
        Assert.True(stack["sw"].Output("up")!.BoolValue);

        // The LAN reaches the host on the bridge, and the host the LAN through it.
        Assert.True(peer.Pings("192.168.81.1", PingPatience), "the peer on the bridge's port cannot ping the internal port's address");
        Assert.True(ovs.Namespace.Pings("192.168.81.2", PingPatience), "the host cannot ping the peer through the bridge");

        // Read back exactly: nothing the kernel added (fe80::, subnet routes) shows as a change.
        Assert.All((await stack.UpAsync(sw)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.All((await stack.RefreshAsync()).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
    }

    [Fact]
    public async Task Drift_is_found_and_undone_a_new_subnet_comes_before_the_old_goes_and_an_import_shows_no_change()
    {
        using var ovs = OvsSwitch.Start();
        using var peer = Peer(ovs, "pv0", "192.168.81.2/24");
        await using var stack = await StackFor(ovs);
        var sw = Res(OvsBridge, "sw", Declared);
        (await stack.UpAsync(sw)).EnsureOk();

        // An address added by hand: refresh shows it, the preview names addresses, up takes it away.
        ovs.Namespace.Ip("addr", "add", "192.168.99.9/24", "dev", "ob0");
        Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["sw"].Op);
        Assert.Contains("192.168.99.9/24", stack["sw"].Output("addresses")!.ListValue.Values.Select(v => v.StringValue));
        var drift = (await stack.PreviewAsync(sw)).EnsureOk()["sw"];
        Assert.Equal(StepOp.Update, drift.Op);
        Assert.Equal(["addresses"], drift.Diff!.Diffs);
        (await stack.UpAsync(sw)).EnsureOk();
        Assert.Equal(["192.168.81.1/24", "fd00:81::1/64"], ovs.Namespace.Addresses("ob0"));

        // A new subnet and gateway: an update in place; the kernel sees the new address come before the old one goes.
        var ifindex = NetworkLab.IfIndex(ovs.Namespace, "ob0");
        var moved = Res(OvsBridge, "sw", Declared.Replace("192.168.81.", "192.168.82.", StringComparison.Ordinal));
        stack.Engine.ClearLogs();
        var plan = (await stack.PreviewAsync(moved)).EnsureOk()["sw"];
        Assert.Equal(StepOp.Update, plan.Op);
        Assert.Empty(plan.Diff!.Replaces);
        Assert.Contains(NetworkLab.Logs(stack, "kvm:live"), l => l.StartsWith("kvm:live addresses, gateway, routes: set on the internal port ob0", StringComparison.Ordinal)
            && l.Contains("new addresses and routes come before old ones go", StringComparison.Ordinal));
        using (var monitor = AddressMonitor.Start(ovs.Namespace))
        {
            (await stack.UpAsync(moved)).EnsureOk();
            // The kernel has sent the events; the monitor may not have printed them yet.
            monitor.WaitFor(l => l.StartsWith("Deleted", StringComparison.Ordinal) && l.Contains("inet 192.168.81.1/24", StringComparison.Ordinal), "the old address's deletion");
            var events = monitor.Stop();
            var added = events.FindIndex(e => !e.StartsWith("Deleted", StringComparison.Ordinal) && e.Contains("inet 192.168.82.1/24", StringComparison.Ordinal));
            var deleted = events.FindIndex(e => e.StartsWith("Deleted", StringComparison.Ordinal) && e.Contains("inet 192.168.81.1/24", StringComparison.Ordinal));
            Assert.True(added >= 0 && deleted > added, $"expected 192.168.82.1/24 added before 192.168.81.1/24 deleted:\n{string.Join("\n", events)}");
        }
        Assert.Equal(["192.168.82.1/24", "fd00:81::1/64"], ovs.Namespace.Addresses("ob0"));
        Assert.Equal(["via 192.168.82.254 dev ob0"], ovs.Namespace.DefaultRoutes("-4"));
        Assert.Contains("10.81.0.0/16 via 192.168.82.2 proto static metric 50", ovs.Namespace.Routes("-4", "ob0"));
        Assert.Equal(ifindex, NetworkLab.IfIndex(ovs.Namespace, "ob0"));
        Assert.All((await stack.UpAsync(moved)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // Imported as it is: the program that declares it has no changes, nor has the program of the imported inputs.
        stack.Forget("sw");
        var imported = await stack.ImportAsync(OvsBridge, "sw", "ob0");
        Assert.True(imported.Ok, StepRenderer.Render(imported));
        var inputs = Props.ToJson(stack["sw"].Inputs);
        Assert.Contains("192.168.82.1/24", inputs, StringComparison.Ordinal);
        Assert.Contains("192.168.82.254", inputs, StringComparison.Ordinal);
        Assert.Contains("10.81.0.0/16", inputs, StringComparison.Ordinal);
        foreach (var program in new[] { moved, Res(OvsBridge, "sw", inputs) })
        {
            var step = (await stack.PreviewAsync(program)).EnsureOk()["sw"];
            Assert.True(step.Op == StepOp.Same, StepRenderer.Render(step, plan: true));
            Assert.Equal(Pulumirpc.DiffResponse.Types.DiffChanges.DiffNone, step.Diff!.Changes);
        }
    }

    [Fact]
    public async Task A_bridge_whose_internal_port_carries_the_host_s_address_is_deleted_only_with_forceDestroy()
    {
        using var ovs = OvsSwitch.Start();
        await using var stack = await StackFor(ovs);
        var sw = Res(OvsBridge, "sw", """{"name": "ob1", "datapathType": "netdev", "addresses": ["192.168.83.1/24"], "gateway": "192.168.83.254"}""");
        (await stack.UpAsync(sw)).EnsureOk();

        // Leaving the gateway out takes the host's default route off the internal port: refused at Check.
        var withoutGateway = Res(OvsBridge, "sw", """{"name": "ob1", "datapathType": "netdev", "addresses": ["192.168.83.1/24"]}""");
        var refused = await stack.PreviewAsync(withoutGateway);
        var failure = Assert.Single(refused["sw"].Failures);
        Assert.Equal("gateway", failure.Property);
        Assert.Contains("takes the host's default route off ob1", failure.Reason);
        Assert.Contains("set forceDestroy: true", failure.Reason);
        Assert.Single((await stack.UpAsync(withoutGateway))["sw"].Failures);
        Assert.Equal(["via 192.168.83.254 dev ob1"], ovs.Namespace.DefaultRoutes("-4"));

        // Destroy refuses, naming what the port carries and forceDestroy; the bridge stays as it was.
        var destroy = await stack.DestroyAsync();
        Assert.Equal(StepOp.Failed, destroy["sw"].Op);
        Assert.Contains("the internal port of the Open vSwitch bridge ob1 carries the address 192.168.83.1/24 and the default route", destroy["sw"].Error);
        Assert.Contains("set forceDestroy: true", destroy["sw"].Error);
        Assert.Equal("ob1", ovs.Vsctl("list-br").Trim());
        Assert.Equal(["192.168.83.1/24"], ovs.Namespace.Addresses("ob1"));
        Assert.Equal(["via 192.168.83.254 dev ob1"], ovs.Namespace.DefaultRoutes("-4"));

        // With consent: forceDestroy is an update that touches nothing, then the bridge and its port go.
        var forced = Res(OvsBridge, "sw", """{"name": "ob1", "datapathType": "netdev", "addresses": ["192.168.83.1/24"], "gateway": "192.168.83.254", "forceDestroy": true}""");
        (await stack.UpAsync(forced)).EnsureOk();
        Assert.Equal(["192.168.83.1/24"], ovs.Namespace.Addresses("ob1"));
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Equal("", ovs.Vsctl("list-br").Trim());
        Poll.Until(() => ovs.Namespace.Link("ob1") is null, TimeSpan.FromSeconds(15), "ovs-vswitchd to remove the internal port ob1");
        Assert.Empty(ovs.Namespace.DefaultRoutes("-4"));
    }

    [Fact]
    public async Task The_uplink_s_address_and_default_route_move_to_the_internal_port_and_the_lan_still_reaches_the_host()
    {
        using var ovs = OvsSwitch.Start();
        var host = ovs.Namespace;
        using var lan = Uplink(ovs);
        Assert.True(lan.Pings("10.84.0.1", PingPatience), "the lab's LAN does not work before the test");
        // Any answer of the router counts, a TCP reset too: nothing needs to listen there.
        await using var stack = await StackFor(ovs, new Dictionary<string, string> { ["reachabilityProbe"] = "10.84.0.254:22" });
        var sw = Res(OvsBridge, "sw", """
            {"name": "ob2", "datapathType": "netdev", "ports": [{"name": "up0"}],
             "addresses": ["10.84.0.1/24"], "gateway": "10.84.0.254"}
            """);

        (await stack.PreviewAsync(sw)).EnsureOk();
        var notes = stack.Engine.Logs.Select(l => l.Message).ToList();
        Assert.Contains("kvm:move 10.84.0.1/24 and the default route via 10.84.0.254 from up0 to ob2: the port joins, the internal port ob2 takes them, then up0 lets them go", notes);
        Assert.Contains(notes, l => l.StartsWith("kvm:checkpoint ob2: up0 carries the default route; the change is kept once 10.84.0.254:22 (reachabilityProbe) confirms the host is reachable", StringComparison.Ordinal)
            && l.Contains("(Open vSwitch's ports included)", StringComparison.Ordinal));
        Assert.Equal("", ovs.Vsctl("list-br").Trim());
        Assert.Equal(["10.84.0.1/24"], host.Addresses("up0"));

        (await stack.UpAsync(sw)).EnsureOk();
        Assert.Equal("ob2", ovs.Vsctl("port-to-br", "up0").Trim());
        Assert.True(host.IsUp("ob2"), "the internal port stayed down");
        Assert.Equal(["10.84.0.1/24"], host.Addresses("ob2"));
        Assert.Empty(host.Addresses("up0"));
        Assert.Equal(["via 10.84.0.254 dev ob2"], host.DefaultRoutes("-4"));
        Assert.True(lan.Pings("10.84.0.1", PingPatience), "the LAN lost the host");
        Assert.True(host.Pings("10.84.0.254", PingPatience), "the host lost its router");

        // Nothing left to do.
        Assert.All((await stack.UpAsync(sw)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
    }

    [Fact]
    public async Task A_takeover_that_cuts_the_host_off_is_rolled_back_open_vswitch_s_ports_included()
    {
        using var ovs = OvsSwitch.Start();
        var host = ovs.Namespace;
        using var lan = Uplink(ovs);
        await using var stack = await StackFor(ovs, new Dictionary<string, string> { ["reachabilityProbe"] = "10.84.0.254:22", ["confirmTimeoutSeconds"] = "3" });
        // failMode secure: without an OpenFlow controller's flows the bridge forwards nothing, so the host is cut off.
        var slip = Res(OvsBridge, "sw", """
            {"name": "ob2", "datapathType": "netdev", "failMode": "secure", "ports": [{"name": "up0"}],
             "addresses": ["10.84.0.1/24"], "gateway": "10.84.0.254"}
            """);

        var result = await stack.UpAsync(slip);
        var step = result["sw"];
        Assert.Equal(StepOp.Failed, step.Op);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, step.ErrorCode);
        Assert.Contains("the host was not confirmed reachable through 10.84.0.254:22 (reachabilityProbe) within 3 s", step.Error);
        Assert.Contains("up0 carries the default route", step.Error);
        Assert.Contains("rolled it back by itself: nothing was changed", step.Error);

        // As it was: no bridge (up0 left it in the database), the address and default route on up0, the LAN reachable.
        Assert.Equal("", ovs.Vsctl("list-br").Trim());
        Assert.Equal("", ovs.Vsctl("--bare", "--columns=name", "list", "port").Trim());
        Poll.Until(() => host.Link("ob2") is null, TimeSpan.FromSeconds(15), "ovs-vswitchd to remove the internal port ob2");
        Assert.Equal(["10.84.0.1/24"], host.Addresses("up0"));
        Assert.Equal(["via 10.84.0.254 dev up0"], host.DefaultRoutes("-4"));
        Assert.True(lan.Pings("10.84.0.1", PingPatience), "the rollback left the host cut off");
        Assert.Empty(stack.State);
    }

    [Fact]
    public async Task A_change_of_a_taken_over_bridge_that_cuts_the_host_off_is_rolled_back_settings_unset_before_included()
    {
        using var ovs = OvsSwitch.Start();
        var host = ovs.Namespace;
        using var lan = Uplink(ovs);
        await using var stack = await StackFor(ovs, new Dictionary<string, string> { ["reachabilityProbe"] = "10.84.0.254:22", ["confirmTimeoutSeconds"] = "3" });
        const string Taken = """
            {"name": "ob2", "datapathType": "netdev", "ports": [{"name": "up0"}],
             "addresses": ["10.84.0.1/24"], "gateway": "10.84.0.254"}
            """;
        (await stack.UpAsync(Res(OvsBridge, "sw", Taken))).EnsureOk();
        Assert.Equal("[]", ovs.Vsctl("get", "bridge", "ob2", "fail_mode").Trim());

        // failMode was unset (not managed, the column empty): the rollback empties it again rather than leaving secure.
        var step = (await stack.UpAsync(Res(OvsBridge, "sw", Taken.Replace("\"ports\"", "\"failMode\": \"secure\", \"ports\"", StringComparison.Ordinal))))["sw"];
        Assert.Equal(StepOp.Failed, step.Op);
        Assert.Contains("rolled it back by itself: nothing was changed", step.Error);
        Assert.Equal("[]", ovs.Vsctl("get", "bridge", "ob2", "fail_mode").Trim());
        Assert.Equal("ob2", ovs.Vsctl("port-to-br", "up0").Trim());
        Assert.Equal(["10.84.0.1/24"], host.Addresses("ob2"));
        Assert.Equal(["via 10.84.0.254 dev ob2"], host.DefaultRoutes("-4"));
        Assert.True(lan.Pings("10.84.0.1", PingPatience), "the rollback left the host cut off");
        Assert.All((await stack.UpAsync(Res(OvsBridge, "sw", Taken))).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
    }

    [Fact]
    public async Task Addresses_held_elsewhere_routes_on_a_down_port_and_managed_links_fail_check_naming_the_property()
    {
        using var ovs = OvsSwitch.Start();
        var ns = ovs.Namespace;
        ns.Ip("link", "add", "x0", "type", "veth", "peer", "name", "x0-p");
        ns.Ip("addr", "add", "192.168.85.1/24", "dev", "x0");
        ns.Ip("link", "add", "up0", "type", "veth", "peer", "name", "up0-p");
        var root = TempFolder("hostroot");
        Directory.CreateDirectory(Path.Combine(root, "etc/network"));
        File.WriteAllText(Path.Combine(root, "etc/network/interfaces"), "auto lo\niface lo inet loopback\n\niface up0 inet manual\n");
        await using var stack = await StackFor(ovs, new Dictionary<string, string> { ["hostRoot"] = root });
        var before = (ns.Ip("-j", "addr"), ns.Ip("-j", "route"));

        var held = await stack.UpAsync(Res(OvsBridge, "sw", """{"name": "ob3", "datapathType": "netdev", "addresses": ["192.168.85.1/24"]}"""));
        var failure = Assert.Single(held["sw"].Failures);
        Assert.Equal("addresses[0]", failure.Property);
        Assert.Contains("192.168.85.1 is already held by x0", failure.Reason);
        Assert.Contains("list x0 in ports to move it to this bridge", failure.Reason);

        var down = await stack.UpAsync(Res(OvsBridge, "sw", """{"name": "ob3", "datapathType": "netdev", "addresses": ["192.168.86.1/24"], "gateway": "192.168.86.254", "up": false}"""));
        failure = Assert.Single(down["sw"].Failures);
        Assert.Equal("up", failure.Property);
        Assert.Contains("the kernel refuses routes through a link that is down", failure.Reason);

        var managed = Res(OvsBridge, "sw", """{"name": "ob3", "datapathType": "netdev", "ports": [{"name": "up0"}]}""");
        var refused = await stack.PreviewAsync(managed);
        failure = Assert.Single(refused["sw"].Failures);
        Assert.Equal("ports[0].name", failure.Property);
        Assert.Equal("up0 is managed by ifupdown (/etc/network/interfaces: \"iface up0 inet manual\"): ifupdown would reconfigure it behind the provider's back. " +
            "Hand it over (remove its stanza from /etc/network/interfaces (and `ifdown up0` first)), or set takeOverManagedLinks: true to take it anyway", failure.Reason);
        Assert.Single((await stack.UpAsync(managed))["sw"].Failures);

        // Nothing was made, nothing on the host changed.
        Assert.Equal("", ovs.Vsctl("list-br").Trim());
        Assert.Null(ns.Link("ob3"));
        Assert.Equal(before, (ns.Ip("-j", "addr"), ns.Ip("-j", "route")));
        Assert.Empty(stack.State);

        // With consent the preview names the link it takes, and up takes it.
        var consented = Res(OvsBridge, "sw", """{"name": "ob3", "datapathType": "netdev", "ports": [{"name": "up0"}], "takeOverManagedLinks": true}""");
        (await stack.PreviewAsync(consented)).EnsureOk();
        Assert.Contains(NetworkLab.Logs(stack, "kvm:takeover"), l => l.StartsWith("kvm:takeover up0: managed by ifupdown (/etc/network/interfaces: \"iface up0 inet manual\"); taken anyway (takeOverManagedLinks)", StringComparison.Ordinal));
        (await stack.UpAsync(consented)).EnsureOk();
        Assert.Equal("ob3", ovs.Vsctl("port-to-br", "up0").Trim());
        Assert.All((await stack.UpAsync(consented)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));   // taken once, not asked about again
    }

    [Fact]
    public async Task With_persistDir_the_internal_port_s_addresses_and_routes_come_back_after_a_reboot()
    {
        var persistDir = Path.Combine(TempFolder("persist"), "state");
        var unitDir = TempFolder("units");
        using var ovs = OvsSwitch.Start();
        var ns = ovs.Namespace;
        using var peer = Peer(ovs, "pv0", "192.168.81.2/24");
        await using var stack = await StackFor(ovs, new Dictionary<string, string> { ["persistDir"] = persistDir, ["systemdUnitDir"] = unitDir });
        var sw = Res(OvsBridge, "sw", Declared);
        (await stack.UpAsync(sw)).EnsureOk();

        var stateFile = Path.Combine(persistDir, "desired-state.json");
        var entry = JsonNode.Parse(File.ReadAllText(stateFile))!["namespaces"]![ns.Name]!["ovsBridges"]!["ob0"]!;
        Assert.Equal("192.168.81.254", (string?)entry["gateway"]);
        var wants = Assert.Single(Directory.GetFiles(Path.Combine(unitDir, "multi-user.target.wants")));
        var unit = File.ReadAllLines(wants);
        Assert.Contains("After=ovs-vswitchd.service openvswitch-switch.service", unit);
        var before = Layer3(ns, "ob0");

        // The reboot: ovs-vswitchd makes the internal port again, down, without addresses or routes.
        ovs.RestartVswitchd("ob0");
        Poll.Until(() => ns.Link("ob0") is not null, TimeSpan.FromSeconds(30), "ovs-vswitchd to make ob0 again", () => Poll.Tail(ovs.LogPath));
        Assert.False(ns.IsUp("ob0"), "the re-made internal port is already up: the reboot did not happen");
        Assert.Empty(ns.Addresses("ob0"));
        Assert.Empty(ns.DefaultRoutes("-4"));

        // The boot unit's command, as systemd runs it (with --netns: the lab's links are in a lab namespace).
        var restored = EnabledUnit.RunIn(ns, wants, persistDir);
        Assert.True(restored.ExitCode == 0, restored.StdErr);
        Assert.Equal("", restored.StdErr);
        Assert.True(ns.IsUp("ob0"), "restore left the internal port down");
        Assert.Equal(before, Layer3(ns, "ob0"));
        Assert.Equal(["via 192.168.81.254 dev ob0"], ns.DefaultRoutes("-4"));
        Assert.True(peer.Pings("192.168.81.1", PingPatience), "the peer cannot ping the restored address");

        // The plugin sees what it made: no drift, nothing to do.
        Assert.All((await stack.RefreshAsync()).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.All((await stack.UpAsync(sw)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // Destroyed, the entry leaves the file and the unit goes with it.
        (await stack.UpAsync(Res(OvsBridge, "sw", Declared.Replace("\"ports\"", "\"forceDestroy\": true, \"ports\"", StringComparison.Ordinal)))).EnsureOk();
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Empty(JsonNode.Parse(File.ReadAllText(stateFile))!["namespaces"]!.AsObject());
        Assert.Empty(Directory.GetFiles(unitDir, "*", SearchOption.AllDirectories));
    }

    // Not in name order, as an import lists them: ports are told apart by name, so the import still matches.
    private const string ManagementPort = """
        {"name": "ob9", "datapathType": "netdev", "ports": [
          {"name": "pv10", "tag": 10},
          {"name": "pv20", "tag": 20},
          {"name": "mgmt10", "type": "internal", "tag": 10, "macAddress": "52:54:00:0a:09:01", "addresses": ["10.10.9.1/24"], "routes": [{"destination": "10.99.0.0/16", "via": "10.10.9.2"}]}
        ]}
        """;

    [Fact]
    public async Task A_management_port_in_a_vlan_carries_the_host_s_address_there_imports_as_declared_and_comes_back_after_a_reboot()
    {
        var persistDir = Path.Combine(TempFolder("persist"), "state");
        var unitDir = TempFolder("units");
        using var ovs = OvsSwitch.Start();
        var ns = ovs.Namespace;
        using var vlan10 = Peer(ovs, "pv10", "10.10.9.2/24");
        using var vlan20 = Peer(ovs, "pv20", "10.10.9.3/24");
        await using var stack = await StackFor(ovs, new Dictionary<string, string> { ["persistDir"] = persistDir, ["systemdUnitDir"] = unitDir });
        var sw = Res(OvsBridge, "sw", ManagementPort);

        var preview = (await stack.PreviewAsync(sw)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["sw"].Op);
        Assert.Null(ns.Link("mgmt10"));   // a preview makes nothing
        (await stack.UpAsync(sw)).EnsureOk();
        Assert.True(ns.IsUp("mgmt10"), "the management port was left down");
        Assert.Equal("52:54:00:0a:09:01", ns.Link("mgmt10")!.Value.GetProperty("address").GetString());
        Assert.Equal(["10.10.9.1/24"], ns.Addresses("mgmt10"));
        Assert.Contains("10.99.0.0/16 via 10.10.9.2 proto static", ns.Routes("-4", "mgmt10"));
        Assert.False(ns.IsUp("ob9"), "the bridge's own internal port declares nothing: it stays as Open vSwitch made it");
        // The address lives in VLAN 10: a host on VLAN 10 reaches it, one on VLAN 20 of the same bridge does not.
        Assert.True(vlan10.Pings("10.10.9.1", PingPatience), "VLAN 10 cannot reach the management address");
        Assert.NotEqual(0, vlan20.Exec("busybox", "ping", "-c", "1", "-W", "2", "10.10.9.1").ExitCode);
        Assert.All((await stack.UpAsync(sw)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // Drift on the port's link is found and undone.
        ns.Ip("addr", "add", "10.10.9.77/24", "dev", "mgmt10");
        (await stack.RefreshAsync()).EnsureOk();
        var plan = (await stack.PreviewAsync(sw)).EnsureOk()["sw"];
        Assert.NotEmpty(plan.Diff!.DetailedDiff.Keys);
        Assert.All(plan.Diff.DetailedDiff.Keys, k => Assert.StartsWith("ports[2].addresses", k, StringComparison.Ordinal));
        (await stack.UpAsync(sw)).EnsureOk();
        Assert.Equal(["10.10.9.1/24"], ns.Addresses("mgmt10"));

        // Imported as it is: the program that declares the port's address has no change.
        stack.Forget("sw");
        var imported = await stack.ImportAsync(OvsBridge, "sw", "ob9");
        Assert.True(imported.Ok, StepRenderer.Render(imported));
        Assert.Contains("10.10.9.1/24", Props.ToJson(stack["sw"].Inputs), StringComparison.Ordinal);
        var same = (await stack.PreviewAsync(sw)).EnsureOk()["sw"];
        Assert.True(same.Op == StepOp.Same, StepRenderer.Render(same, plan: true));

        // The reboot: both internal ports come back down and bare; the boot unit's command puts the port's side back.
        (await stack.UpAsync(sw)).EnsureOk();   // recorded in the desired-state file (import records it too)
        ovs.RestartVswitchd("ob9", "mgmt10");
        Poll.Until(() => ns.Link("mgmt10") is not null, TimeSpan.FromSeconds(30), "ovs-vswitchd to make mgmt10 again", () => Poll.Tail(ovs.LogPath));
        Assert.Empty(ns.Addresses("mgmt10"));
        var restored = EnabledUnit.RunIn(ns, Assert.Single(Directory.GetFiles(Path.Combine(unitDir, "multi-user.target.wants"))), persistDir);
        Assert.True(restored.ExitCode == 0, restored.StdErr);
        Assert.Equal(["10.10.9.1/24"], ns.Addresses("mgmt10"));
        Assert.True(ns.IsUp("mgmt10"), "restore left the management port down");
        Assert.Contains("10.99.0.0/16 via 10.10.9.2 proto static", ns.Routes("-4", "mgmt10"));
        // The declared MAC pinned it: the re-made port has the MAC the peer already knows, so its ARP cache still holds.
        Assert.Equal("52:54:00:0a:09:01", ns.Link("mgmt10")!.Value.GetProperty("address").GetString());
        Assert.True(vlan10.Pings("10.10.9.1", PingPatience), "VLAN 10 cannot reach the restored management address");
        Assert.All((await stack.RefreshAsync()).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // Deleting the bridge would cut the host's management address off: refused without forceDestroy.
        var destroy = await stack.DestroyAsync();
        Assert.False(destroy.Ok);
        Assert.Contains("the internal port mgmt10 of the Open vSwitch bridge ob9 carries the address 10.10.9.1/24", StepRenderer.Render(destroy), StringComparison.Ordinal);
        Assert.Equal(["10.10.9.1/24"], ns.Addresses("mgmt10"));
    }

    /// <summary>`ip monitor address` in a namespace while something runs: the kernel's address events, in order.</summary>
    private sealed class AddressMonitor : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();

        private AddressMonitor(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => { if (e.Data is { } line) _lines.Enqueue(line); };
            _process.BeginOutputReadLine();
        }

        /// <summary>Starts the monitor and returns once it reports events (a marker address on lo, added and removed).</summary>
        public static AddressMonitor Start(LabNamespace ns)
        {
            var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "-n", ns.Name, "monitor", "address" }) psi.ArgumentList.Add(arg);
            var monitor = new AddressMonitor(Process.Start(psi) ?? throw new InvalidOperationException("could not start ip monitor"));
            try
            {
                ns.Ip("addr", "add", "127.0.0.99/32", "dev", "lo");
                ns.Ip("addr", "del", "127.0.0.99/32", "dev", "lo");
                Poll.Until(() => monitor._lines.Any(l => l.StartsWith("Deleted", StringComparison.Ordinal) && l.Contains("127.0.0.99", StringComparison.Ordinal)),
                    TimeSpan.FromSeconds(10), "ip monitor to report the marker address");
                return monitor;
            }
            catch
            {
                monitor.Dispose();
                throw;
            }
        }

        /// <summary>Waits (bounded) until the monitor has printed a line that matches.</summary>
        public void WaitFor(Func<string, bool> line, string what) =>
            Poll.Until(() => _lines.Any(line), TimeSpan.FromSeconds(10), $"ip monitor to report {what}", () => string.Join("\n", _lines));

        /// <summary>Ends the monitor (the process this started, by its pid) and returns the events after the marker.</summary>
        public List<string> Stop()
        {
            Dispose();
            var lines = _lines.ToList();
            var marker = lines.FindLastIndex(l => l.Contains("127.0.0.99", StringComparison.Ordinal));
            return lines[(marker + 1)..];
        }

        private bool _stopped;

        public void Dispose()
        {
            if (_stopped) return;
            _stopped = true;
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }
}

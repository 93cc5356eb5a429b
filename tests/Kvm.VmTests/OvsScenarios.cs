using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.VmTests;

/// <summary>
/// Open vSwitch's kernel datapath (<c>datapathType: system</c>), which only the kernel VM has (the openvswitch module):
/// Open vSwitch of our own in a lab namespace (the host), veths to LAN namespaces as the bridge's ports, the real
/// plugin through a Stack. `ip -d link`, `ip addr`/`ip route`, ovs-vsctl and pings from the LANs are the observers.
/// </summary>
public static class OvsScenarios
{
    private static readonly TimeSpan PingPatience = TimeSpan.FromSeconds(30);

    private const string OvsBridge = "kvm:index:OvsBridge";

    public static IReadOnlyList<Scenario> All => [new("ovs_kernel_datapath", KernelDatapath)];

    // pv0 is a trunk of VLAN 0 (untagged, the bridge's own port kb0) and VLAN 10 (the management port mgmt10).
    private static ResourceDecl Switch(bool forceDestroy = false) => Res(OvsBridge, "sw", $$"""
        {"name": "kb0", "datapathType": "system", "forceDestroy": {{(forceDestroy ? "true" : "false")}},
         "ports": [
           {"name": "pv0", "trunks": [0, 10]},
           {"name": "mgmt10", "type": "internal", "tag": 10, "addresses": ["10.10.91.1/24"]}
         ],
         "addresses": ["192.168.91.1/24"], "gateway": "192.168.91.254"}
        """);

    private static ResourceDecl Uplink(string? failMode = null, bool forceDestroy = false) => Res(OvsBridge, "up", $$"""
        {"name": "kb1", "datapathType": "system", {{(failMode is null ? "" : $"\"failMode\": \"{failMode}\", ")}}"forceDestroy": {{(forceDestroy ? "true" : "false")}},
         "ports": [{"name": "eth0"}], "addresses": ["10.84.0.1/24"], "gateway": "10.84.0.254"}
        """);

    private static async Task KernelDatapath()
    {
        using var host = LabNamespace.CreateLab();
        using var ovs = OvsSwitch.Start(host);
        using var lan = LabNamespace.CreateLab();
        using var uplan = LabNamespace.CreateLab();
        Expect.True(File.Exists("/sys/module/openvswitch/initstate"), "the openvswitch module is loaded in the kernel VM");

        // 1. A bridge on the kernel datapath: its own internal port and a management port in VLAN 10 carry the host's addresses.
        host.Ip("link", "add", "pv0", "type", "veth", "peer", "name", "lan0", "netns", lan.Name);
        host.Ip("link", "set", "pv0", "up");
        lan.Ip("addr", "add", "192.168.91.2/24", "dev", "lan0");
        lan.Ip("link", "set", "lan0", "up");
        lan.Ip("link", "add", "link", "lan0", "name", "lan0.10", "type", "vlan", "id", "10");
        lan.Ip("addr", "add", "10.10.91.2/24", "dev", "lan0.10");
        lan.Ip("link", "set", "lan0.10", "up");
        await using (var stack = await StackFor(ovs))
        {
            var up = await stack.UpAsync(Switch());
            True(up.Ok, "the bridge on the kernel datapath: " + StepRenderer.Render(up), () => Diagnostics(ovs));
            Expect.Equal("system", ovs.Vsctl("get", "bridge", "kb0", "datapath_type").Trim(), "kb0's datapath_type");
            Expect.Equal("openvswitch", Kind(host, "kb0"), "kb0 as `ip -d link` shows it");
            Expect.Equal("openvswitch", Kind(host, "mgmt10"), "mgmt10 as `ip -d link` shows it");
            Expect.Equal("ovs-system", host.MasterOf("pv0"), "pv0's master");
            Expect.Equal("openvswitch", SlaveKind(host, "pv0"), "pv0's slave kind");
            True(host.IsUp("kb0") && host.IsUp("mgmt10"), "the internal ports are up", () => Diagnostics(ovs));
            Expect.Sequence(["192.168.91.1/24"], host.Addresses("kb0"), "kb0's addresses");
            Expect.Sequence(["10.10.91.1/24"], host.Addresses("mgmt10"), "mgmt10's addresses");
            Expect.Sequence(["via 192.168.91.254 dev kb0"], host.DefaultRoutes("-4"), "the default route");
            True(lan.Pings("192.168.91.1", PingPatience), "the LAN (untagged) pings kb0's address", () => Diagnostics(ovs));
            True(lan.Pings("10.10.91.1", PingPatience), "the LAN's VLAN 10 pings mgmt10's address", () => Diagnostics(ovs));
            Expect.True(host.Pings("192.168.91.2", PingPatience), "the host pings the LAN through kb0");

            var again = await stack.UpAsync(Switch());
            Expect.True(again.Ok && again.Steps.All(s => s.Op == StepOp.Same), "a second up: " + StepRenderer.Render(again));
            var refresh = await stack.RefreshAsync();
            Expect.True(refresh.Ok && refresh.Steps.All(s => s.Op == StepOp.Same), "a refresh: " + StepRenderer.Render(refresh));

            // 3 (first half). kb0 carries the default route: destroyed with forceDestroy, leaving nothing on the datapath.
            var forced = await stack.UpAsync(Switch(forceDestroy: true));
            Expect.True(forced.Ok, "forceDestroy: " + StepRenderer.Render(forced));
            var destroy = await stack.DestroyAsync();
            Expect.True(destroy.Ok, "destroy: " + StepRenderer.Render(destroy));
            Expect.Equal("", ovs.Vsctl("list-br").Trim(), "bridges after destroy");
            NothingOnTheDatapath(host, "kb0", "mgmt10");
            Expect.True(host.Link("pv0") is { } pv0 && !pv0.TryGetProperty("master", out _), "pv0 left the datapath and still exists");
        }

        // 2. Uplink take-over: eth0 holds the host's address and default route, joins kb1, kb1's internal port takes them.
        host.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "lan0", "netns", uplan.Name);
        uplan.Ip("addr", "add", "10.84.0.254/24", "dev", "lan0");
        uplan.Ip("link", "set", "lan0", "up");
        host.Ip("addr", "add", "10.84.0.1/24", "dev", "eth0");
        host.Ip("link", "set", "eth0", "up");
        host.Ip("route", "add", "default", "via", "10.84.0.254");
        Expect.True(uplan.Pings("10.84.0.1", PingPatience), "the uplink's LAN reaches the host before the test");
        // Any answer of the router counts, a TCP reset too: nothing needs to listen there.
        await using (var stack = await StackFor(ovs, """, "reachabilityProbe": "10.84.0.254:22", "confirmTimeoutSeconds": 5"""))
        {
            // Made with failMode secure, the bridge cuts the host off at once: the host deletes it from the database, the
            // kernel datapath lets eth0 go, and eth0 gets its address and default route back.
            var slip = await stack.UpAsync(Uplink(failMode: "secure"));
            Expect.True(!slip.Ok && slip["up"].Error is { } slipError && slipError.Contains("rolled it back by itself: nothing was changed", StringComparison.Ordinal),
                "a take-over that cuts the host off is rolled back: " + StepRenderer.Render(slip));
            Expect.Equal("", ovs.Vsctl("list-br").Trim(), "bridges after the take-over's rollback");
            NothingOnTheDatapath(host, "kb1");
            True(host.Link("eth0") is { } released && !released.TryGetProperty("master", out _) && host.IsUp("eth0"), "eth0 is out of ovs-system and up", () => Diagnostics(ovs));
            Expect.Sequence(["10.84.0.1/24"], host.Addresses("eth0"), "eth0's addresses after the take-over's rollback");
            Expect.Sequence(["via 10.84.0.254 dev eth0"], host.DefaultRoutes("-4"), "the default route after the take-over's rollback");
            True(uplan.Pings("10.84.0.1", PingPatience), "the LAN reaches the host after the take-over's rollback", () => Diagnostics(ovs));
            Expect.True(stack.State.Count == 0, "nothing in the stack's state after the take-over's rollback");

            var up = await stack.UpAsync(Uplink());
            True(up.Ok, "the take-over: " + StepRenderer.Render(up), () => Diagnostics(ovs));
            Expect.Equal("kb1", ovs.Vsctl("port-to-br", "eth0").Trim(), "eth0's bridge in the database");
            Expect.Equal("ovs-system", host.MasterOf("eth0"), "eth0's master");
            Expect.Equal("openvswitch", Kind(host, "kb1"), "kb1 as `ip -d link` shows it");
            Expect.True(host.IsUp("kb1"), "kb1 is up");
            Expect.Sequence(["10.84.0.1/24"], host.Addresses("kb1"), "kb1's addresses");
            Expect.Sequence([], host.Addresses("eth0"), "eth0's addresses");
            Expect.Sequence(["via 10.84.0.254 dev kb1"], host.DefaultRoutes("-4"), "the default route after the take-over");
            True(uplan.Pings("10.84.0.1", PingPatience), "the LAN reaches the host after the take-over", () => Diagnostics(ovs));
            var same = await stack.UpAsync(Uplink());
            Expect.True(same.Ok && same.Steps.All(s => s.Op == StepOp.Same), "a second up: " + StepRenderer.Render(same));

            // failMode secure: without an OpenFlow controller's flows the kernel datapath forwards nothing: the host is cut off
            // and puts itself back, the database first, then the links.
            var routesBefore = host.DefaultRoutes("-4");
            var cut = await stack.UpAsync(Uplink(failMode: "secure"));
            Expect.True(!cut.Ok && cut["up"].Error is { } error && error.Contains("rolled it back by itself: nothing was changed", StringComparison.Ordinal),
                "a change that cuts the host off is rolled back: " + StepRenderer.Render(cut));
            Expect.Equal("[]", ovs.Vsctl("get", "bridge", "kb1", "fail_mode").Trim(), "kb1's fail_mode after the rollback");
            Expect.Equal("kb1", ovs.Vsctl("port-to-br", "eth0").Trim(), "eth0's bridge after the rollback");
            Expect.Equal("ovs-system", host.MasterOf("eth0"), "eth0's master after the rollback");
            True(host.IsUp("kb1") && host.IsUp("eth0"), "kb1 and eth0 are up after the rollback", () => Diagnostics(ovs));
            Expect.Sequence(["10.84.0.1/24"], host.Addresses("kb1"), "kb1's addresses after the rollback");
            Expect.Sequence([], host.Addresses("eth0"), "eth0's addresses after the rollback");
            Expect.Sequence(routesBefore, host.DefaultRoutes("-4"), "the default route after the rollback");
            True(uplan.Pings("10.84.0.1", PingPatience), "the LAN reaches the host after the rollback", () => Diagnostics(ovs));
            var after = await stack.UpAsync(Uplink());
            Expect.True(after.Ok && after.Steps.All(s => s.Op == StepOp.Same), "after the rollback the host is as the program says: " + StepRenderer.Render(after));

            // 3 (second half). Destroyed with forceDestroy: no port left on ovs-system, no internal link.
            Expect.True((await stack.UpAsync(Uplink(forceDestroy: true))).Ok, "forceDestroy on kb1");
            var destroy = await stack.DestroyAsync();
            Expect.True(destroy.Ok, "destroy: " + StepRenderer.Render(destroy));
            Expect.Equal("", ovs.Vsctl("list-br").Trim(), "bridges after destroy");
            NothingOnTheDatapath(host, "kb1");
            Expect.True(host.Link("eth0") is { } eth0 && !eth0.TryGetProperty("master", out _), "eth0 left the datapath and still exists");
        }
    }

    /// <summary>The plugin against <paramref name="ovs"/>'s database, acting in its namespace; <paramref name="more"/>: a few more config keys as JSON members.</summary>
    private static Task<Stack> StackFor(OvsSwitch ovs, string more = "") => Stack.StartAsync(
        $$"""{"ovsdbSocket": "{{ovs.DbSocket}}", "netns": "{{ovs.Namespace.Name}}", "uri": "test:///default"{{more}}}""");

    /// <summary>No link of the namespace is a port of the kernel datapath, and the named internal ports are gone (ovs-vswitchd removes them: polled).</summary>
    private static void NothingOnTheDatapath(LabNamespace ns, params string[] internalPorts)
    {
        foreach (var port in internalPorts)
            Poll.Until(() => ns.Link(port) is null, TimeSpan.FromSeconds(30), $"ovs-vswitchd to remove the internal port {port}", () => ns.Ip("-d", "link"));
        var links = ns.Links().EnumerateArray().ToList();
        Expect.Sequence([], links.Where(l => l.TryGetProperty("master", out var m) && m.GetString() == "ovs-system").Select(l => l.GetProperty("ifname").GetString()),
            "ports still on ovs-system");
        Expect.Sequence([], links.Where(l => l.GetProperty("ifname").GetString() != "ovs-system"
                && l.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind) && kind.GetString() == "openvswitch")
            .Select(l => l.GetProperty("ifname").GetString()), "internal links still there");
    }

    private static string? Kind(LabNamespace ns, string link) =>
        ns.Link(link) is { } l && l.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind) ? kind.GetString() : null;

    private static string? SlaveKind(LabNamespace ns, string link) =>
        ns.Link(link) is { } l && l.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_slave_kind", out var kind) ? kind.GetString() : null;

    /// <summary>Like <see cref="Expect.True"/>, with what Open vSwitch and the links looked like when it failed.</summary>
    private static void True(bool condition, string what, Func<string> diagnostics)
    {
        if (!condition) throw new ScenarioFailure(what + diagnostics());
    }

    private static string Diagnostics(OvsSwitch ovs) =>
        "\n" + ovs.Namespace.Ip("-d", "-br", "link") + "\n" + ovs.Vsctl("show") + "\n" + Poll.Tail(ovs.LogPath);
}

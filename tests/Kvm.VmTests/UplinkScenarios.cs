using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;
using static Kvm.VmTests.BridgeVlanObserver;

namespace Kvm.VmTests;

/// <summary>
/// Taking over an uplink into a VLAN-filtering bridge, where a VLAN setting can cut the host off:
/// the host's namespace (eth0 holding its address and default route) and a LAN namespace with the
/// gateway, joined by a veth; the local reachabilityProbe confirms every change to br0 and to its ports' VLAN tables.
/// </summary>
public static class UplinkScenarios
{
    private const string Bridge = "kvm:index:Bridge";
    private const string Gateway = "192.168.77.1";

    public static IReadOnlyList<Scenario> All => [new("vlan_uplink_takeover_and_rollback", TakeoverAndRollback)];

    private static ResourceDecl Br0(int defaultPvid) => Res(Bridge, "br", $$"""
        {"name": "br0", "stp": false, "forwardDelay": 0, "vlanFiltering": true, "defaultPvid": {{defaultPvid}},
         "ports": ["eth0"], "addresses": ["192.168.77.90/24"], "gateway": "{{Gateway}}"}
        """);

    private static async Task TakeoverAndRollback()
    {
        using var host = LabNamespace.Create("kvmvmh");
        using var lan = LabNamespace.Create("kvmvml");
        host.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "lan0", "netns", lan.Name);
        lan.Ip("addr", "add", $"{Gateway}/24", "dev", "lan0");
        lan.Ip("link", "set", "lan0", "up");
        host.Ip("addr", "add", "192.168.77.90/24", "dev", "eth0");
        host.Ip("link", "set", "eth0", "up");
        host.Ip("route", "add", "default", "via", Gateway);
        // Port 9 of the gateway: nothing listens, its reset is the answer.
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{host.Name}}", "reachabilityProbe": "{{Gateway}}:9", "confirmTimeoutSeconds": 3}""");

        var up = await stack.UpAsync(Br0(defaultPvid: 1));
        Expect.True(up.Ok, "the take-over: " + StepRenderer.Render(up));
        Expect.Sequence([new Row(1, true, true)], Table(host, "eth0"), "eth0's VLANs on the filtering bridge");
        Expect.True(host.Ip("-4", "route", "show", "default").Contains("dev br0", StringComparison.Ordinal), "the default route is on br0");

        // defaultPvid 0 takes the uplink's untagged VLAN away: the gateway stops answering, and the host puts it back.
        var cut = await stack.UpAsync(Br0(defaultPvid: 0));
        Expect.True(!cut.Ok && cut["br"].Error is { } error && error.Contains("so the host rolled it back by itself: nothing was changed", StringComparison.Ordinal),
            "a change that cuts the host off is rolled back: " + StepRenderer.Render(cut));
        Expect.Equal("1", host.Exec("cat", "/sys/class/net/br0/bridge/default_pvid").StdOut.Trim(), "br0's default PVID after the rollback");
        Expect.Sequence([new Row(1, true, true)], Table(host, "eth0"), "eth0's VLANs after the rollback");
        var again = await stack.UpAsync(Br0(defaultPvid: 1));
        Expect.True(again.Steps.All(s => s.Op == StepOp.Same), "after the rollback the host is as the program says: " + StepRenderer.Render(again));

        // A VLAN table that moves the uplink's untagged frames to VLAN 100, away from br0's own VLAN 1: put back too,
        // and the preview says so first, as a Bridge's does.
        var uplink = Res("kvm:index:VlanFilter", "uplink", """{"bridge": "br0", "port": "eth0", "access": 100}""");
        var preview = await stack.PreviewAsync(Br0(defaultPvid: 1), uplink);
        Expect.True(preview.Ok && stack.Engine.Logs.Any(l => l.Message.StartsWith(
                $"kvm:checkpoint br0/eth0: br0 carries the default route; the change is kept once {Gateway}:9 (reachabilityProbe) confirms the host is reachable", StringComparison.Ordinal)),
            "the VlanFilter's preview announces the checkpoint: " + string.Join(" | ", stack.Engine.Logs.Select(l => l.Message)));
        var access = await stack.UpAsync(Br0(defaultPvid: 1), uplink);
        Expect.True(!access.Ok && access["uplink"].Error is { } vlanError && vlanError.Contains("so the host put the old table back by itself: nothing was changed", StringComparison.Ordinal),
            "a VLAN table that cuts the host off is put back: " + StepRenderer.Render(access));
        Expect.Sequence([new Row(1, true, true)], Table(host, "eth0"), "eth0's VLANs after the VLAN table was put back");
    }
}

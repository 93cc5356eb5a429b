using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;
using static Kvm.VmTests.BridgeVlanObserver;

namespace Kvm.VmTests;

/// <summary>
/// Guest VLANs on a Linux bridge (where libvirt refuses &lt;vlan&gt;), on a kernel with bridge VLAN
/// filtering. A nested TCG guest would be far too slow here, so taps stand in for the guest NICs:
/// the plugin drives libvirt's test driver, whose guests name their NICs testnetN, and the scenario
/// makes taps of those names in a VLAN-filtering bridge; the qemu hook is run as libvirt runs it,
/// with the domain XML on stdin, around a tap that is deleted and made again as at a guest restart.
/// </summary>
public static class DomainScenarios
{
    private const string Domain = "kvm:index:Domain";
    private const string Namespace = "https://pulumi-resource-kvm/xmlns/guest-vlans/1";

    public static IReadOnlyList<Scenario> All =>
    [
        new("domain_guest_vlans_programmed_by_the_provider", ProgrammedByTheProvider),
        new("domain_hook_reapplies_guest_vlans_after_a_restart", HookReappliesAfterARestart),
    ];

    private static void Ok(RunResult r)
    {
        if (!r.Ok) throw new ScenarioFailure("the run failed: " + StepRenderer.Render(r));
    }

    /// <summary>A tap in a bridge, up: what libvirt makes for a guest NIC.</summary>
    public static void Tap(LabNamespace ns, string name, string bridge)
    {
        ns.Ip("tuntap", "add", name, "mode", "tap");
        ns.Ip("link", "set", name, "master", bridge);
        ns.Ip("link", "set", name, "up");
    }

    private static string Guest(string vlan) => $$"""
        {"name": "g", "type": "test", "memoryMib": 64, "vcpus": 1,
         "interfaces": [{"type": "bridge", "bridge": "brg"{{vlan}}}]}
        """;

    private static async Task ProgrammedByTheProvider()
    {
        using var ns = LabNamespace.Create("kvmvm");
        ns.Ip("link", "add", "brg", "type", "bridge", "vlan_filtering", "1");
        ns.Ip("link", "set", "brg", "up");
        for (var i = 0; i < 4; i++) Tap(ns, $"testnet{i}", "brg");
        await using var stack = await Stack.StartAsync($$"""{"uri": "test:///default", "netns": "{{ns.Name}}"}""");

        var access = Res(Domain, "g", Guest(""", "vlan": {"tags": [10]}"""));
        Ok(await stack.UpAsync(access));
        var tap = stack["g"].Output("interfaces[0].targetDevice")!.StringValue;
        Expect.Sequence([new Row(10, true, true)], Table(ns, tap), $"{tap} after create");
        var domainId = stack["g"].Output("domainId")!.NumberValue;
        Expect.True((await stack.UpAsync(access)).Steps.All(s => s.Op == StepOp.Same), "a second up changed something");

        // a trunk with a native VLAN, live
        stack.Engine.ClearLogs();
        var trunk = Res(Domain, "g", Guest(""", "vlan": {"tags": [30, 10, 20], "nativeTag": 10}"""));
        Ok(await stack.PreviewAsync(trunk));
        Expect.True(stack.Engine.Logs.Any(l => l.Message.StartsWith("kvm:live interfaces[0].vlan", StringComparison.Ordinal) && l.Message.EndsWith(": applied to the running guest", StringComparison.Ordinal)),
            "preview line: " + string.Join(" | ", stack.Engine.Logs.Select(l => l.Message)));
        Ok(await stack.UpAsync(trunk));
        Expect.Sequence([new Row(10, true, true), new Row(20, false, false), new Row(30, false, false)], Table(ns, tap), $"{tap} as a trunk");
        Expect.Equal(domainId, stack["g"].Output("domainId")!.NumberValue, "the guest was not restarted");

        // drift made by hand shows on refresh and is put back
        ns.Exec("bridge", "vlan", "del", "vid", "20", "dev", tap);
        Expect.Equal(StepOp.Refresh, (await stack.RefreshAsync())["g"].Op, "refresh sees the drift");
        var preview = await stack.PreviewAsync(trunk);
        Ok(preview);
        Expect.Equal(StepOp.Update, preview["g"].Op, "the drift shows as an update: " + StepRenderer.Render(preview));
        Ok(await stack.UpAsync(trunk));
        Expect.Sequence([new Row(10, true, true), new Row(20, false, false), new Row(30, false, false)], Table(ns, tap), $"{tap} put back");

        // dropping the VLANs gives the port the bridge's default back
        Ok(await stack.UpAsync(Res(Domain, "g", Guest(""))));
        Expect.Sequence([new Row(1, true, true)], Table(ns, tap), $"{tap} without VLANs");
        Ok(await stack.DestroyAsync());
    }

    private static async Task HookReappliesAfterARestart()
    {
        using var ns = LabNamespace.Create("kvmvm");
        ns.Ip("link", "add", "brh", "type", "bridge", "vlan_filtering", "1");
        ns.Ip("link", "set", "brh", "up");
        Tap(ns, "vnet0", "brh");
        var hooks = Path.Combine(Path.GetTempPath(), $"kvm-hooks-{Guid.NewGuid():N}");
        try
        {
            // the provider's own binary installs the hook, as it does for a local libvirt
            Shell.Run(RepoPaths.ProviderBinary, ["qemu-hook", "--install", hooks], stdin: null, timeout: TimeSpan.FromMinutes(2)).EnsureSuccess("qemu-hook --install");
            var script = Path.Combine(hooks, "qemu.d", "pulumi-kvm-guest-vlans");
            Expect.True(File.Exists(script), $"{script} installed");
            var uuid = Guid.NewGuid().ToString("D");
            var xml = $"""
                <domain type='qemu' id='4'>
                  <name>g1</name>
                  <uuid>{uuid}</uuid>
                  <metadata>
                    <kvmvlan:guest-vlans xmlns:kvmvlan="{Namespace}">
                      <kvmvlan:interface mac="52:54:00:aa:bb:01" nativeTag="10"><kvmvlan:tag id="10"/><kvmvlan:tag id="20"/></kvmvlan:interface>
                    </kvmvlan:guest-vlans>
                  </metadata>
                  <devices>
                    <interface type='bridge'><mac address='52:54:00:aa:bb:01'/><source bridge='brh'/><target dev='vnet0'/></interface>
                  </devices>
                </domain>
                """;
            ShellResult Hook(string operation) =>
                Shell.Run("ip", ["netns", "exec", ns.Name, script, "g1", operation, "begin", "-"], stdin: xml, timeout: TimeSpan.FromMinutes(2));

            Expect.Equal(0, Hook("start").ExitCode, "the hook at start");
            var trunk = new[] { new Row(10, true, true), new Row(20, false, false) };
            Expect.Sequence(trunk, Table(ns, "vnet0"), "vnet0 after the hook");
            Expect.True(File.Exists(Path.Combine(hooks, "pulumi-kvm", "started", uuid)), "the hook recorded the start");

            // the guest stops and starts again: libvirt makes a new tap, which gets the bridge's default
            ns.Ip("link", "del", "vnet0");
            Tap(ns, "vnet0", "brh");
            Expect.Sequence([new Row(1, true, true)], Table(ns, "vnet0"), "a new tap");
            Expect.Equal(0, Hook("prepare").ExitCode, "the hook at prepare");
            Expect.Sequence([new Row(1, true, true)], Table(ns, "vnet0"), "prepare does nothing");
            Expect.Equal(0, Hook("start").ExitCode, "the hook at the second start");
            Expect.Sequence(trunk, Table(ns, "vnet0"), "vnet0 after the restart");

            // a tap that left its bridge stops the start (libvirt refuses to start the guest)
            ns.Ip("link", "set", "vnet0", "nomaster");
            var refused = Hook("start");
            Expect.Equal(1, refused.ExitCode, "the hook when vnet0 is in no bridge");
            Expect.True(refused.StdErr.Contains("guest g1 not started") && refused.StdErr.Contains("not a port of a bridge"), refused.StdErr);
        }
        finally
        {
            if (Directory.Exists(hooks)) Directory.Delete(hooks, recursive: true);
        }
        await Task.CompletedTask;
    }
}

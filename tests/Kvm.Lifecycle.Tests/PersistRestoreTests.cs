using System.Text.Json;
using System.Text.Json.Nodes;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// Issue 17: declared host networking survives a reboot. Through the real plugin with `persistDir`, then a reboot
/// simulated in a throwaway namespace (the bridges deleted with `ip link del`, as the kernel forgets them), then
/// the plugin binary's `restore`, which must bring back exactly what `up` made.
/// </summary>
public sealed class PersistRestoreTests : IDisposable
{
    private const string Bridge = "kvm:index:Bridge";

    private readonly string _persistDir = Path.Combine(Path.GetTempPath(), $"kvm-persist-{Environment.ProcessId}-{Guid.NewGuid():N}");

    // The boot unit goes here, never to the machine's /etc/systemd/system.
    private readonly string _unitDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"kvm-units-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        if (Directory.Exists(_persistDir)) Directory.Delete(_persistDir, recursive: true);
        if (Directory.Exists(_unitDir)) Directory.Delete(_unitDir, recursive: true);
    }

    private string StateFile => Path.Combine(_persistDir, "desired-state.json");

    private string UnitInstance => $"pulumi-kvm-restore@{_persistDir.Trim('/').Replace("-", "\\x2d", StringComparison.Ordinal).Replace('/', '-')}.service";

    private string WantsLink => Path.Combine(_unitDir, "multi-user.target.wants", UnitInstance);

    private ShellResult RestoreAsTheUnitWould(LabNamespace ns) => EnabledUnit.RunIn(ns, WantsLink, _persistDir);

    private static ShellResult Restore(string stateFile, LabNamespace ns) =>
        Shell.Run(RepoPaths.ProviderBinary, ["restore", "--state", stateFile, "--netns", ns.Name], stdin: null, timeout: TimeSpan.FromMinutes(1));

    /// <summary>The namespace as `ip -d -j link`, `ip -j addr`, `ip -j route` (both families) show it (see <see cref="NetworkSnapshot"/>).</summary>
    private static string Snapshot(LabNamespace ns) => string.Join("\n---\n",
        NetworkSnapshot.Lines(ns.Ip("-d", "-j", "link")), NetworkSnapshot.Lines(ns.Ip("-j", "addr")),
        NetworkSnapshot.Lines(ns.Ip("-4", "-j", "route")), NetworkSnapshot.Lines(ns.Ip("-6", "-j", "route")));

    private static void Reboot(LabNamespace ns, params string[] bridges)
    {
        foreach (var b in bridges) ns.Ip("link", "del", b);
    }

    [Fact]
    public async Task Bridges_with_ports_options_addresses_and_routes_come_back_after_a_reboot_and_a_destroyed_one_does_not()
    {
        using var ns = LabNamespace.Create();
        foreach (var veth in new[] { "pa0", "pb0", "pb1" }) ns.Ip("link", "add", veth, "type", "veth", "peer", "name", $"{veth}-p");
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["netns"] = ns.Name, ["persistDir"] = _persistDir, ["systemdUnitDir"] = _unitDir }));
        var a = Res(Bridge, "a", """
            {"name": "br-pa", "mtu": 1400, "ageingTime": 120, "forceDestroy": true, "ports": ["pa0"],
             "portOptions": [{"port": "pa0", "hairpin": true, "cost": 150}],
             "addresses": ["192.168.61.1/24"], "gateway": "192.168.61.254"}
            """);
        var b = Res(Bridge, "b", """
            {"name": "br-pb", "forceDestroy": true, "ports": ["pb0", "pb1"],
             "portOptions": [{"port": "pb1", "isolated": true, "learning": false, "priority": 40}],
             "addresses": ["10.62.0.1/24", "fd00:62::1/64"],
             "routes": [{"destination": "10.63.0.0/16", "via": "10.62.0.2", "metric": 20}]}
            """);

        // preview names the file and writes nothing
        (await stack.PreviewAsync(a, b)).EnsureOk();
        foreach (var name in new[] { "br-pa", "br-pb" })
            Assert.Contains(stack.Engine.Logs, l => l.Message == $"kvm:persist {name}: written to {StateFile}, re-applied at boot by the systemd unit {UnitInstance} in {_unitDir} (`{_persistDir}/pulumi-resource-kvm restore`)");
        Assert.False(File.Exists(StateFile));
        Assert.False(File.Exists(WantsLink));

        (await stack.UpAsync(a, b)).EnsureOk();
        var bridges = JsonNode.Parse(File.ReadAllText(StateFile))!["namespaces"]![ns.Name]!["bridges"]!.AsObject();
        Assert.Equal(["br-pa", "br-pb"], bridges.Select(p => p.Key));
        Assert.Equal("192.168.61.254", (string?)bridges["br-pa"]!["gateway"]);
        var afterUp = Snapshot(ns);

        // the boot unit is enabled and runs the plugin's own binary, copied beside the file
        Assert.Equal("../pulumi-kvm-restore@.service", new FileInfo(WantsLink).LinkTarget);
        Assert.Equal(File.ReadAllBytes(RepoPaths.ProviderBinary), File.ReadAllBytes(Path.Combine(_persistDir, "pulumi-resource-kvm")));
        Assert.Equal([Path.Combine(_persistDir, "pulumi-resource-kvm"), "restore", "--state", StateFile], EnabledUnit.Command(WantsLink, _persistDir));
        var verify = Shell.Run("systemd-analyze", ["verify", "--man=no", WantsLink], stdin: null, timeout: TimeSpan.FromMinutes(1));
        Assert.True(verify.ExitCode == 0 && verify.StdOut.Length == 0 && verify.StdErr.Length == 0, $"systemd-analyze verify: {verify.ExitCode} {verify.StdOut}{verify.StdErr}");

        // the reboot: the kernel forgets the bridges (their addresses, routes and the ports' options go with them)
        Reboot(ns, "br-pa", "br-pb");
        Assert.Null(ns.Link("br-pa"));
        Assert.NotEqual(afterUp, Snapshot(ns));

        var restored = RestoreAsTheUnitWould(ns);
        Assert.True(restored.ExitCode == 0, restored.StdErr);
        Assert.Equal("", restored.StdErr);
        Assert.Equal(afterUp, Snapshot(ns));

        // idempotent: a second run changes nothing, and the file stays as it was
        var file = File.ReadAllText(StateFile);
        var again = Restore(StateFile, ns);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(afterUp, Snapshot(ns));
        Assert.Equal(file, File.ReadAllText(StateFile));

        // the plugin sees no change: refresh finds no drift (only the output ifindex is new: the kernel numbers a
        // re-created link afresh, as it does at every boot), and the next up does nothing
        foreach (var step in (await stack.RefreshAsync()).EnsureOk().Steps)
        {
            var changed = step.Outputs!.Fields.Keys.Union(step.OldOutputs!.Fields.Keys)
                .Where(k => !Equals(step.Outputs.Fields.GetValueOrDefault(k), step.OldOutputs.Fields.GetValueOrDefault(k)));
            Assert.Equal(["ifindex"], changed);
        }
        Assert.All((await stack.UpAsync(a, b)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // a port missing at boot is one line on stderr and exit 1; everything else still comes back
        Reboot(ns, "br-pa", "br-pb");
        ns.Ip("link", "del", "pb1");
        var partial = Restore(StateFile, ns);
        Assert.Equal(1, partial.ExitCode);
        var problem = Assert.Single(partial.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"restore: bridge br-pb: port pb1 does not exist in network namespace {ns.Name}; skipped", problem);
        Assert.Equal("br-pb", ns.Link("pb0")!.Value.GetProperty("master").GetString());
        Assert.Equal("br-pa", ns.Link("pa0")!.Value.GetProperty("master").GetString());
        Assert.Contains("10.63.0.0/16", ns.Ip("-j", "route"), StringComparison.Ordinal);

        // destroy: the file no longer lists them, so the next boot does not make them again
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Empty(JsonNode.Parse(File.ReadAllText(StateFile))!["namespaces"]!.AsObject());
        // and the boot unit is gone with the last entry: template, enabling link and binary copy
        Assert.Empty(Directory.GetFiles(_unitDir, "*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(_persistDir, "pulumi-resource-kvm")));
        var afterDestroy = Restore(StateFile, ns);
        Assert.True(afterDestroy.ExitCode == 0, afterDestroy.StdErr);
        Assert.Null(ns.Link("br-pa"));
        Assert.Null(ns.Link("br-pb"));
    }

    [Fact]
    public async Task An_imported_bridge_is_recorded_and_its_import_shows_no_change()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "im0", "type", "veth", "peer", "name", "im0-p");
        ns.Ip("link", "add", "br-im", "type", "bridge");
        ns.Ip("link", "set", "im0", "master", "br-im");
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["netns"] = ns.Name, ["persistDir"] = _persistDir, ["systemdUnitDir"] = _unitDir }));

        // the engine's import fails when its Diff finds any change: the file's entry must match what import read
        var imported = (await stack.ImportAsync(Bridge, "br", "br-im")).EnsureOk();
        Assert.Equal(StepOp.Import, Assert.Single(imported.Steps).Op);
        Assert.Equal(["im0"], JsonNode.Parse(File.ReadAllText(StateFile))!["namespaces"]![ns.Name]!["bridges"]!["br-im"]!["ports"]!.AsArray().Select(p => (string)p!));
        Assert.True(File.Exists(WantsLink));
        stack.Forget("br");
    }

    [Fact]
    public async Task Refresh_warns_when_the_file_differs_from_the_stack_and_the_next_up_rewrites_it_without_touching_the_bridge()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["netns"] = ns.Name, ["persistDir"] = _persistDir, ["systemdUnitDir"] = _unitDir }));
        var br = Res(Bridge, "br", """{"name": "br-pd", "mtu": 1400}""");
        (await stack.UpAsync(br)).EnsureOk();
        var ifindex = ns.Link("br-pd")!.Value.GetProperty("ifindex").GetInt32();

        // the file edited by hand: the next boot would make br-pd with MTU 9000
        var edited = JsonNode.Parse(File.ReadAllText(StateFile))!;
        edited["namespaces"]![ns.Name]!["bridges"]!["br-pd"]!["mtu"] = 9000;
        File.WriteAllText(StateFile, edited.ToJsonString());

        stack.Engine.ClearLogs();
        Assert.All((await stack.RefreshAsync()).EnsureOk().Steps, s => Assert.Equal(s.OldOutputs!.ToString(), s.Outputs!.ToString()));
        Assert.Contains(stack.Engine.Logs, l => l.Severity == Pulumirpc.LogSeverity.Warning
            && l.Message == $"kvm:persist br-pd: {StateFile} holds other mtu than the stack, so a reboot would not bring back what the program declares; the next `pulumi up` rewrites it");

        // up: an update that names no property, the file rewritten, the bridge untouched (same link, same MTU)
        var step = Assert.Single((await stack.UpAsync(br)).EnsureOk().Steps);
        Assert.Equal(StepOp.Update, step.Op);
        Assert.Equal(1400, (int)JsonNode.Parse(File.ReadAllText(StateFile))!["namespaces"]![ns.Name]!["bridges"]!["br-pd"]!["mtu"]!);
        Assert.Equal(ifindex, ns.Link("br-pd")!.Value.GetProperty("ifindex").GetInt32());
        Assert.Equal(1400, ns.Link("br-pd")!.Value.GetProperty("mtu").GetInt32());
        Assert.All((await stack.UpAsync(br)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        (await stack.DestroyAsync()).EnsureOk();
    }
}

/// <summary>
/// VLAN tables through `restore` on a kernel with bridge VLAN filtering (the lab's kernel VM; this machine's kernel
/// lacks it): a VLAN-filtering bridge and the tables of two ports come back from a desired-state file, twice alike.
/// </summary>
public sealed class PersistRestoreVlanTests
{
    [Fact]
    public void Restore_makes_a_vlan_filtering_bridge_and_its_port_tables_and_a_second_run_changes_nothing()
    {
        var result = KernelVm.Run($$"""
            ip link add d0 type dummy
            ip link add d1 type dummy
            cat > /tmp/state.json <<'X'
            {"version": 1, "namespaces": {"": {
              "bridges": {"br-v": {"name": "br-v", "vlanFiltering": true, "ports": ["d0", "d1"], "up": true} },
              "vlanFilters": {
                "br-v/d0": {"bridge": "br-v", "port": "d0", "access": 20},
                "br-v/d1": {"bridge": "br-v", "port": "d1", "trunk": {"vids": [10, 30], "ranges": ["100-102"], "native": 5} } } } } }
            X
            {{RepoPaths.ProviderBinary}} restore --state /tmp/state.json; echo "first=$?"
            bridge -j vlan show > /tmp/first
            {{RepoPaths.ProviderBinary}} restore --state /tmp/state.json; echo "second=$?"
            bridge -j vlan show > /tmp/second
            cmp -s /tmp/first /tmp/second && echo "tables unchanged"
            echo "TABLES $(cat /tmp/first)"
            """, TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.Output + result.Console);
        Assert.Contains("first=0", result.Output, StringComparison.Ordinal);
        Assert.Contains("second=0", result.Output, StringComparison.Ordinal);
        Assert.Contains("tables unchanged", result.Output, StringComparison.Ordinal);
        var json = result.Output[(result.Output.IndexOf("TABLES ", StringComparison.Ordinal) + 7)..].Split('\n')[0];
        var tables = JsonNode.Parse(json)!.AsArray().ToDictionary(p => (string)p!["ifname"]!, p => p!["vlans"]!.AsArray()
            .Select(v => $"{(int)v!["vlan"]!}{(v["flags"]?.AsArray().Select(f => (string)f!).Contains("PVID") == true ? " pvid" : "")}{(v["flags"]?.AsArray().Select(f => (string)f!).Contains("Egress Untagged") == true ? " untagged" : "")}")
            .ToList());
        Assert.Equal(["20 pvid untagged"], tables["d0"]);
        Assert.Equal(["5 pvid untagged", "10", "30", "100", "101", "102"], tables["d1"]);
    }
}

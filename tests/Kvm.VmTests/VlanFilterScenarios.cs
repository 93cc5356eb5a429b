using Grpc.Core;
using Kvm.Engine;
using Kvm.Engine.Fuzzing;
using Kvm.Lab;
using static Kvm.Engine.Decl;
using static Kvm.VmTests.BridgeVlanObserver;

namespace Kvm.VmTests;

/// <summary>
/// VlanFilter through the real plugin, on a kernel with bridge VLAN filtering, with `bridge -j
/// vlan show` as the observer. Each scenario has its own namespace and plugin process.
/// </summary>
public static class VlanFilterScenarios
{
    private const string Bridge = "kvm:index:Bridge";
    private const string VlanFilter = "kvm:index:VlanFilter";

    public static IReadOnlyList<Scenario> All =>
    [
        new("vlan_access_port", AccessPort),
        new("vlan_trunk_with_native_vlan", TrunkWithNativeVlan),
        new("vlan_ranges_entry_by_entry", RangesEntryByEntry),
        new("vlan_bridge_self_entries", BridgeSelfEntries),
        new("vlan_delta_update_of_a_full_trunk", DeltaUpdateOfAFullTrunk),
        new("vlan_drift_made_by_hand", DriftMadeByHand),
        new("vlan_import", Import),
        new("vlan_delete_restores_default_pvid", DeleteRestoresDefaultPvid),
        new("vlan_bad_input_leaves_the_table_untouched", BadInputLeavesTheTableUntouched),
        new("vlan_lifecycle", Lifecycle),
        new("vlan_fuzz", Fuzz),
    ];

    /// <summary>A namespace with veth ports and a plugin configured for it (netlink traced at -v=9).</summary>
    private sealed class Lab : IAsyncDisposable
    {
        public LabNamespace Ns { get; } = LabNamespace.Create("kvmvm");
        public Stack Stack { get; private set; } = null!;

        public static async Task<Lab> StartAsync(params string[] ports)
        {
            var lab = new Lab();
            try
            {
                foreach (var p in ports) lab.Ns.Ip("link", "add", p, "type", "veth", "peer", "name", p + "x");
                lab.Stack = await Stack.StartAsync($$"""{"netns": "{{lab.Ns.Name}}"}""", extraArgs: ["-v=9"]);
                return lab;
            }
            catch
            {
                await lab.DisposeAsync();
                throw;
            }
        }

        public IReadOnlyList<Row> Table(string dev) => BridgeVlanObserver.Table(Ns, dev);

        public async ValueTask DisposeAsync()
        {
            if (Stack is not null) await Stack.DisposeAsync();
            Ns.Dispose();
        }
    }

    private static ResourceDecl FilteringBridge(string ports = """["vp1", "vp2"]""") =>
        Res(Bridge, "br", $$"""{"name": "brv", "vlanFiltering": true, "ports": {{ports}}}""");

    private static void Ok(RunResult r)
    {
        if (!r.Ok) throw new ScenarioFailure("the run failed: " + StepRenderer.Render(r));
    }

    private static void Rows(IEnumerable<Row> expected, IReadOnlyList<Row> actual, string what) =>
        Expect.Sequence(expected, actual, what);

    private static async Task AccessPort()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        var program = new[] { FilteringBridge(), Res(VlanFilter, "vp1", """{"bridge": "${br.name}", "port": "vp1", "access": 100}""") };
        var preview = await lab.Stack.PreviewAsync(program);
        Ok(preview);
        Expect.True(lab.Ns.Link("brv") is null, "preview created the bridge");
        Ok(await lab.Stack.UpAsync(program));
        // the VLAN 1 the port got on joining is gone: the resource owns the whole table
        Rows([new Row(100, true, true)], lab.Table("vp1"), "vp1 after up");
        Rows([new Row(1, true, true)], lab.Table("vp2"), "vp2 (not managed) keeps the bridge's default");
        var again = await lab.Stack.UpAsync(program);
        Expect.True(again.Steps.All(s => s.Op == StepOp.Same), "a second up changed something: " + StepRenderer.Render(again));
    }

    private static async Task TrunkWithNativeVlan()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        Ok(await lab.Stack.UpAsync(FilteringBridge(),
            Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "trunk": {"native": 10, "vids": [20, 21, 22], "ranges": ["200-299"]}}""")));
        Rows([new Row(10, true, true), .. Range(20, 22), .. Range(200, 299)], lab.Table("vp1"), "trunk on vp1");
        var table = lab.Stack["vp1"].Output("table")!.ListValue.Values;
        Expect.Equal(3, table.Count, "entries in the table output (20-22 and 200-299 compressed)");
    }

    private static async Task RangesEntryByEntry()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        Ok(await lab.Stack.UpAsync(FilteringBridge(),
            Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "vlans": [{"vid": 5, "pvid": true, "untagged": true}, {"range": "100-110"}, {"range": "300-301", "untagged": true}]}""")));
        Rows([new Row(5, true, true), .. Range(100, 110), .. Range(300, 301, untagged: true)], lab.Table("vp1"), "ranges on vp1");
    }

    private static async Task BridgeSelfEntries()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        Ok(await lab.Stack.UpAsync(FilteringBridge(),
            Res(VlanFilter, "self", """{"bridge": "brv", "port": "brv", "vlans": [{"vid": 10, "pvid": true, "untagged": true}, {"vid": 20}]}""")));
        Rows([new Row(10, true, true), new Row(20, false, false)], lab.Table("brv"), "the bridge's own entries");
        Rows([new Row(1, true, true)], lab.Table("vp1"), "ports keep theirs");
    }

    private static async Task DeltaUpdateOfAFullTrunk()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        var full = Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "trunk": {"ranges": ["1-4094"]}}""");
        Ok(await lab.Stack.UpAsync(FilteringBridge()));
        var mark = lab.Stack.Provider.Stderr.Length;
        Ok(await lab.Stack.UpAsync(FilteringBridge(), full));
        var create = await ChangesSinceAsync(lab, mark);
        Rows(Range(1, 4094), lab.Table("vp1"), "full trunk");
        Expect.Equal(1, create.Count, $"requests that changed the host while programming 4,094 VLANs ({string.Join("; ", create)})");

        mark = lab.Stack.Provider.Stderr.Length;
        Ok(await lab.Stack.UpAsync(FilteringBridge(), Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "trunk": {"ranges": ["1-99", "101-4094"]}}""")));
        var update = await ChangesSinceAsync(lab, mark);
        Rows([.. Range(1, 99), .. Range(101, 4094)], lab.Table("vp1"), "trunk without 100");
        Expect.Equal(1, update.Count, $"requests that changed the host for a one-VLAN change ({string.Join("; ", update)})");
        var bytes = int.Parse(update[0].Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture);
        Expect.True(update[0].Contains("RTM_DELLINK") && bytes < 128, $"the change is a small delete, not the table: {update[0]}");
    }

    /// <summary>The plugin's netlink requests that change the host (not RTM_GET*; traced at -v=9) since a mark in its stderr.</summary>
    private static async Task<List<string>> ChangesSinceAsync(Lab lab, int mark)
    {
        // stderr is read asynchronously: wait until it stops growing
        var last = -1;
        for (var i = 0; i < 100 && lab.Stack.Provider.Stderr.Length != last; i++)
        {
            last = lab.Stack.Provider.Stderr.Length;
            await Task.Delay(200);
        }
        return [.. lab.Stack.Provider.Stderr[mark..].Split('\n')
            .Where(l => l.Contains("netlink request ") && !l.Contains("netlink request RTM_GET"))
            .Select(l => l[(l.IndexOf("netlink request ", StringComparison.Ordinal) + 16)..].Trim())];
    }

    private static async Task DriftMadeByHand()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        var program = new[] { FilteringBridge(), Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "vlans": [{"vid": 10, "pvid": true, "untagged": true}, {"vid": 20}]}""") };
        Ok(await lab.Stack.UpAsync(program));
        lab.Ns.Exec("bridge", "vlan", "add", "vid", "77", "dev", "vp1");
        lab.Ns.Exec("bridge", "vlan", "add", "vid", "20", "dev", "vp1", "untagged");
        var refresh = await lab.Stack.RefreshAsync();
        Expect.Equal(StepOp.Refresh, refresh["vp1"].Op, "refresh sees the drift");
        var preview = await lab.Stack.PreviewAsync(program);
        Ok(preview);
        var diff = preview["vp1"].Diff!;
        Expect.True(diff.DetailedDiff.ContainsKey("vlans[1]"), "vid 20's flags show as a change: " + string.Join(", ", diff.DetailedDiff.Keys));
        Expect.True(diff.DetailedDiff.ContainsKey("vlans[2]"), "the hand-added vid 77 shows as a deletion: " + string.Join(", ", diff.DetailedDiff.Keys));
        Ok(await lab.Stack.UpAsync(program));
        Rows([new Row(10, true, true), new Row(20, false, false)], lab.Table("vp1"), "after the up puts it back");
    }

    private static async Task Import()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        lab.Ns.Ip("link", "add", "brh", "type", "bridge", "vlan_filtering", "1");
        lab.Ns.Ip("link", "set", "vp1", "master", "brh");
        lab.Ns.Exec("bridge", "vlan", "add", "vid", "30", "dev", "vp1", "pvid", "untagged");
        lab.Ns.Exec("bridge", "vlan", "add", "vid", "40-45", "dev", "vp1");
        var before = lab.Table("vp1");
        var imported = await lab.Stack.ImportAsync(VlanFilter, "vp1", "brh/vp1");
        Ok(imported);
        var inputs = Props.ToJson(imported["vp1"].Inputs);
        var up = await lab.Stack.UpAsync(Res(VlanFilter, "vp1", inputs));
        Ok(up);
        Expect.Equal(StepOp.Same, up["vp1"].Op, "the first up after import: " + StepRenderer.Render(up));
        Rows(before, lab.Table("vp1"), "import changed the table");
        var missing = await lab.Stack.ImportAsync(VlanFilter, "x", "brh/vp2");
        Expect.True(!missing.Ok, "importing a port that is not in the bridge fails");
    }

    private static async Task DeleteRestoresDefaultPvid()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        Ok(await lab.Stack.UpAsync(FilteringBridge(), Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "access": 300}""")));
        Rows([new Row(300, true, true)], lab.Table("vp1"), "access 300");
        Ok(await lab.Stack.UpAsync(FilteringBridge()));
        Rows([new Row(1, true, true)], lab.Table("vp1"), "after the VlanFilter is deleted the port is back on the default PVID");
        lab.Ns.Ip("link", "set", "vp1", "nomaster");
        Ok(await lab.Stack.UpAsync(FilteringBridge("""["vp2"]""")));
        // deleting a VlanFilter whose port left the bridge is not an error
        Ok(await lab.Stack.UpAsync(FilteringBridge("""["vp2"]"""), Res(VlanFilter, "vp2", """{"bridge": "brv", "port": "vp2", "access": 5}""")));
        lab.Ns.Ip("link", "set", "vp2", "nomaster");
        Ok(await lab.Stack.DestroyAsync());
    }

    private static async Task BadInputLeavesTheTableUntouched()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2", "vp3");
        Ok(await lab.Stack.UpAsync(FilteringBridge(), Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "access": 7}""")));
        lab.Ns.Ip("link", "add", "brn", "type", "bridge");
        lab.Ns.Ip("link", "set", "vp3", "master", "brn");
        var before = lab.Table("vp1");
        var cases = new (string Json, string Property, string Reason)[]
        {
            ("""{"bridge": "brv", "port": "vp1", "vlans": [{"vid": 0}]}""", "vlans[0].vid", "between 1 and 4094"),
            ("""{"bridge": "brv", "port": "vp1", "vlans": [{"vid": 4095}]}""", "vlans[0].vid", "between 1 and 4094"),
            ("""{"bridge": "brv", "port": "vp1", "vlans": [{"vid": 5, "pvid": true}, {"vid": 6, "pvid": true}]}""", "vlans[1]", "one PVID"),
            ("""{"bridge": "brv", "port": "vp1", "vlans": [{"range": "10-20"}, {"range": "15-30"}]}""", "vlans[1]", "also given by"),
            ("""{"bridge": "brv", "port": "vp1", "access": 4095}""", "access", "between 1 and 4094"),
            ("""{"bridge": "brv", "port": "vp3", "access": 9}""", "port", "not a port of bridge brv"),
            ("""{"bridge": "brn", "port": "vp3", "access": 9}""", "bridge", "does not filter VLANs"),
        };
        foreach (var (json, property, reason) in cases)
        {
            var r = await lab.Stack.UpAsync(FilteringBridge(), Res(VlanFilter, "vp1", json));
            var failure = r["vp1"].Failures.FirstOrDefault(f => f.Property == property);
            Expect.True(failure is not null && failure.Reason.Contains(reason),
                $"{json}: expected a failure on {property} saying \"{reason}\", got: {StepRenderer.Render(r["vp1"])}");
            Rows(before, lab.Table("vp1"), $"vp1's table after {json}");
        }

        // a bridge declared without vlan filtering in the same program
        var declared = await lab.Stack.UpAsync(Res(Bridge, "br", """{"name": "brv", "vlanFiltering": false, "ports": ["vp1", "vp2"]}"""),
            Res(VlanFilter, "vp1", """{"bridge": "brv", "port": "vp1", "access": 8}"""));
        Expect.True(declared["vp1"].Failures.Any(f => f.Property == "bridge" && f.Reason.Contains("vlanFiltering: false")), "declared bridge without filtering: " + StepRenderer.Render(declared));

        // the host says otherwise at apply time (Check skipped, as in a race with someone else)
        var e = await Catch(() => lab.Stack.Provider.Client.CreateAsync(new Pulumirpc.CreateRequest
        {
            Urn = lab.Stack.Urn(VlanFilter, "vp3"), Type = VlanFilter, Properties = Props.Parse("""{"bridge": "brn", "port": "vp3", "access": 9}"""),
        }).ResponseAsync);
        Expect.Equal(StatusCode.FailedPrecondition, e?.StatusCode, "apply on a bridge without filtering");
        Expect.True(e!.Status.Detail.Contains("vlanFiltering"), e.Status.Detail);
        Rows(before, lab.Table("vp1"), "vp1's table at the end");
    }

    private static async Task<RpcException?> Catch(Func<Task> call)
    {
        try { await call(); return null; }
        catch (RpcException e) { return e; }
    }

    private static async Task Lifecycle()
    {
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        var program = new[]
        {
            FilteringBridge(),
            Res(VlanFilter, "vp1", """{"bridge": "${br.name}", "port": "vp1", "trunk": {"native": 10, "ranges": ["100-199"]}}"""),
            Res(VlanFilter, "vp2", """{"bridge": "${br.name}", "port": "vp2", "access": 10}"""),
        };
        var preview = await lab.Stack.PreviewAsync(program);
        Ok(preview);
        Expect.True(preview.Steps.All(s => s.Op == StepOp.Create), "preview plans three creates");
        Expect.True(lab.Ns.Link("brv") is null, "preview changed nothing");
        Ok(await lab.Stack.UpAsync(program));
        Rows([new Row(10, true, true), .. Range(100, 199)], lab.Table("vp1"), "vp1");
        Rows([new Row(10, true, true)], lab.Table("vp2"), "vp2");
        var refresh = await lab.Stack.RefreshAsync();
        Expect.True(refresh.Steps.All(s => s.Op == StepOp.Same), "refresh of an untouched host: " + StepRenderer.Render(refresh));
        Ok(await lab.Stack.DestroyAsync());
        Expect.True(lab.Ns.Link("brv") is null, "destroy removed the bridge");
        Ok(await lab.Stack.DestroyAsync());
    }

    /// <summary>
    /// The VLAN part of the fuzz suite (tests/Kvm.Lifecycle.Tests/Hardening/FuzzTests has the rest): 1,000
    /// malformed requests each for a VlanFilter and for a filtering Bridge that exist, on a kernel that
    /// really has VLAN tables. Nothing refused may touch a table or the bridge; every answer is deliberate.
    /// </summary>
    private static async Task Fuzz()
    {
        const string bridge = """{"name": "brv", "vlanFiltering": true, "vlanProtocol": "802.1Q", "defaultPvid": 1, "ports": ["vp1", "vp2"], "portOptions": [{"port": "vp2", "isolated": true, "learning": false}]}""";
        const string filter = """{"bridge": "brv", "port": "vp1", "vlans": [{"vid": 10, "pvid": true, "untagged": true}, {"range": "20-29"}, {"vid": 4094}]}""";
        await using var lab = await Lab.StartAsync("vp1", "vp2");
        Ok(await lab.Stack.UpAsync(Res(Bridge, "br", bridge), Res(VlanFilter, "vp1", filter)));
        string Host() => string.Join("\n", new[] { "brv", "vp1", "vp2" }.Select(d => $"{d}: {Describe(lab.Table(d))}")) + "\n" + WithoutTimers(lab.Ns.Ip("-d", "-j", "link", "show"));
        var before = Host();

        var fuzz = new FuzzRun(lab.Stack.Provider.Client, seed: 20261205);
        await fuzz.RunAsync(VlanFilter, filter, id: lab.Stack["vp1"].Id);
        await fuzz.RunAsync(Bridge, bridge, id: lab.Stack["br"].Id);

        Console.WriteLine($"KVMTEST REPORT vlan_fuzz On a kernel with VLAN filtering (the kernel VM), a VlanFilter and a filtering Bridge: {fuzz.Report}");
        Expect.True(fuzz.Problems.Count == 0, $"{fuzz.Report}: {string.Join(" | ", fuzz.Problems.Take(20))}");
        Expect.Equal(before, Host(), "the VLAN tables and links after the fuzz");
        var again = await lab.Stack.UpAsync(Res(Bridge, "br", bridge), Res(VlanFilter, "vp1", filter));
        Expect.True(again.Steps.All(s => s.Op == StepOp.Same), "the plugin still serves the program unchanged: " + StepRenderer.Render(again));
    }

    /// <summary>`ip -d -j link show` without the bridge's running timers (gc_timer and the like), which move by themselves.</summary>
    private static string WithoutTimers(string json)
    {
        static void Strip(System.Text.Json.Nodes.JsonNode? node)
        {
            if (node is System.Text.Json.Nodes.JsonObject o)
            {
                foreach (var key in o.Select(p => p.Key).Where(k => k.EndsWith("_timer", StringComparison.Ordinal)).ToList()) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
            }
            else if (node is System.Text.Json.Nodes.JsonArray a)
            {
                foreach (var child in a) Strip(child);
            }
        }
        var root = System.Text.Json.Nodes.JsonNode.Parse(json);
        Strip(root);
        return root?.ToJsonString() ?? "";
    }
}

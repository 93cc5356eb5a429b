using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>The Bridge's portOptions (IFLA_BRPORT_*) through the real plugin, with `bridge -d -j link show` as the observer.</summary>
public sealed class BridgePortOptionsTests
{
    private const string Bridge = "kvm:index:Bridge";

    /// <summary>A port as `bridge -d link` reports it: hairpin, isolated, learning, flood, mcast_flood, cost, priority.</summary>
    private static JsonElement PortOf(LabNamespace ns, string port)
    {
        var all = JsonDocument.Parse(Shell.Check("bridge", "-n", ns.Name, "-d", "-j", "link", "show")).RootElement;
        return all.EnumerateArray().FirstOrDefault(p => p.GetProperty("ifname").GetString() == port) is { ValueKind: JsonValueKind.Object } found
            ? found.Clone()
            : throw new Xunit.Sdk.XunitException($"{port} is no bridge port in {ns.Name}");
    }

    private static string Flags(JsonElement p) =>
        $"hairpin={p.GetProperty("hairpin").GetBoolean()} isolated={p.GetProperty("isolated").GetBoolean()} learning={p.GetProperty("learning").GetBoolean()} " +
        $"flood={p.GetProperty("flood").GetBoolean()} mcast_flood={p.GetProperty("mcast_flood").GetBoolean()} cost={p.GetProperty("cost").GetInt32()} priority={p.GetProperty("priority").GetInt32()}";

    [Fact]
    public async Task Set_after_enslaving_changed_in_place_drift_refreshed_rejoin_restored_imported()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "po0", "type", "veth", "peer", "name", "po0-peer");
        ns.Ip("link", "add", "po1", "type", "veth", "peer", "name", "po1-peer");
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["netns"] = ns.Name }));
        var br = Res(Bridge, "br", """
            {"name": "br-po", "ports": ["po0", "po1"], "portOptions": [
              {"port": "po1", "hairpin": true, "isolated": true, "learning": false, "unicastFlood": false, "multicastFlood": false, "cost": 150, "priority": 40},
              {"port": "po0", "priority": 8}]}
            """);

        var preview = (await stack.PreviewAsync(br)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["br"].Op);
        Assert.Null(ns.Link("br-po"));
        (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal("hairpin=True isolated=True learning=False flood=False mcast_flood=False cost=150 priority=40", Flags(PortOf(ns, "po1")));
        Assert.Equal("hairpin=False isolated=False learning=True flood=True mcast_flood=True cost=2 priority=8", Flags(PortOf(ns, "po0")));
        var po1 = stack["br"].Output("portOptions")!.ListValue.Values[0].StructValue.Fields;
        Assert.Equal("po1", po1["port"].StringValue);
        Assert.Equal(150, po1["cost"].NumberValue);
        Assert.All((await stack.UpAsync(br)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // a change in place: one option of one port, the rest as it was
        br = Res(Bridge, "br", """
            {"name": "br-po", "ports": ["po0", "po1"], "portOptions": [
              {"port": "po1", "hairpin": false, "isolated": true, "learning": false, "unicastFlood": false, "multicastFlood": false, "cost": 150, "priority": 40},
              {"port": "po0", "priority": 8}]}
            """);
        var update = (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal(StepOp.Update, update["br"].Op);
        Assert.Equal(["portOptions[0].hairpin"], update["br"].Diff!.DetailedDiff.Keys);
        Assert.Equal("hairpin=False isolated=True learning=False flood=False mcast_flood=False cost=150 priority=40", Flags(PortOf(ns, "po1")));

        // drift by hand on a declared option shows on refresh; on an undeclared one it does not
        ns.Ip("link", "set", "po1", "type", "bridge_slave", "learning", "on");
        ns.Ip("link", "set", "po0", "type", "bridge_slave", "hairpin", "on");
        Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["br"].Op);
        var drift = (await stack.PreviewAsync(br)).EnsureOk()["br"];
        Assert.Equal(StepOp.Update, drift.Op);
        Assert.Equal(["portOptions[0].learning"], drift.Diff!.DetailedDiff.Keys);
        (await stack.UpAsync(br)).EnsureOk();
        Assert.False(PortOf(ns, "po1").GetProperty("learning").GetBoolean());
        Assert.True(PortOf(ns, "po0").GetProperty("hairpin").GetBoolean());

        // a port that leaves and joins again by hand starts from the kernel's defaults: drift, put back by up
        ns.Ip("link", "set", "po1", "nomaster");
        ns.Ip("link", "set", "po1", "master", "br-po");
        await stack.RefreshAsync();
        var rejoined = (await stack.PreviewAsync(br)).EnsureOk()["br"];
        Assert.Equal(StepOp.Update, rejoined.Op);
        Assert.Contains("portOptions[0].cost", rejoined.Diff!.DetailedDiff.Keys);
        (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal("hairpin=False isolated=True learning=False flood=False mcast_flood=False cost=150 priority=40", Flags(PortOf(ns, "po1")));

        // a port the program releases and takes back gets its options written after it joins
        var without = Res(Bridge, "br", """{"name": "br-po", "ports": ["po0"], "portOptions": [{"port": "po0", "priority": 8}]}""");
        (await stack.UpAsync(without)).EnsureOk();
        Assert.False(ns.Link("po1")!.Value.TryGetProperty("master", out _));
        (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal("hairpin=False isolated=True learning=False flood=False mcast_flood=False cost=150 priority=40", Flags(PortOf(ns, "po1")));

        // import: only what differs from a new port's defaults, and no changes. A cost set by hand is kept even when a
        // port of another speed would get it by default (19 at 100 Mb/s): a veth's own is 2.
        ns.Ip("link", "set", "po0", "type", "bridge_slave", "cost", "19");
        stack.Forget("br");
        var imported = await stack.ImportAsync(Bridge, "br", "br-po");
        Assert.True(imported.Ok, imported["br"].Error);
        var entries = stack["br"].Inputs.Fields["portOptions"].ListValue.Values.Select(v => v.StructValue.Fields).ToList();
        Assert.Equal(["po0", "po1"], entries.Select(e => e["port"].StringValue));
        Assert.Equal(["cost", "hairpin", "port", "priority"], entries[0].Keys.Order());
        Assert.Equal(19, entries[0]["cost"].NumberValue);
        Assert.Equal(["cost", "isolated", "learning", "multicastFlood", "port", "priority", "unicastFlood"], entries[1].Keys.Order());
        Assert.All((await stack.UpAsync(Res(Bridge, "br", Props.ToJson(stack["br"].Inputs)))).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        (await stack.DestroyAsync()).EnsureOk();
        Assert.Null(ns.Link("br-po"));
    }
}

using System.Text.Json;
using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The host's own addresses, default gateways and static routes on a Bridge, through the real plugin
/// as `pulumi` drives it, in a throwaway namespace; `ip -j addr` / `ip -j route` are the observers.
/// </summary>
public sealed class BridgeAddressLifecycleTests
{
    private const string Bridge = "kvm:index:Bridge";

    private static async Task<Stack> StackIn(LabNamespace ns) => await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");

    [Fact]
    public async Task Addresses_and_routes_are_made_changed_in_place_found_drifted_imported_and_deleted()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await StackIn(ns);
        var declared = Res(Bridge, "br", """
            {"name": "br-l3", "forceDestroy": true,
             "addresses": ["192.168.50.90/24", "FD00:50::1/64"], "gateway": "192.168.50.1", "gateway6": "fd00:50::fe",
             "routes": [{"destination": "10.8.0.0/16", "via": "192.168.50.2", "metric": 50}]}
            """);

        // preview says what will be there and touches nothing
        var preview = (await stack.PreviewAsync(declared)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["br"].Op);
        Assert.Null(ns.Link("br-l3"));

        // up: the host holds the addresses and routes; the kernel's own (fe80::, subnet routes) stay its own
        (await stack.UpAsync(declared)).EnsureOk();
        Assert.Equal(["192.168.50.90/24", "fd00:50::1/64"], ns.Addresses("br-l3"));
        var v4 = ns.Routes("-4", "br-l3");
        Assert.Contains("default via 192.168.50.1 proto static", v4);
        Assert.Contains("10.8.0.0/16 via 192.168.50.2 proto static metric 50", v4);
        Assert.Contains(ns.Routes("-6", "br-l3"), r => r.StartsWith("default via fd00:50::fe proto static", StringComparison.Ordinal));
        Assert.Equal("fd00:50::1/64", stack["br"].Output("addresses")!.ListValue.Values[1].StringValue);

        // nothing the kernel added shows as a change
        Assert.All((await stack.UpAsync(declared)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // a new subnet and gateway: an update in place that says which address comes and which goes
        var ifindex = ns.Link("br-l3")!.Value.GetProperty("ifindex").GetInt32();
        var moved = Res(Bridge, "br", """
            {"name": "br-l3", "forceDestroy": true,
             "addresses": ["fd00:50::1/64", "192.168.51.90/24"], "gateway": "192.168.51.1", "gateway6": "fd00:50::fe", "routes": []}
            """);
        var plan = (await stack.PreviewAsync(moved)).EnsureOk();
        Assert.Equal(StepOp.Update, plan["br"].Op);
        var detailed = plan["br"].Diff!.DetailedDiff;
        Assert.Contains(detailed, d => d.Key.StartsWith("addresses[", StringComparison.Ordinal) && d.Value.Kind == Pulumirpc.PropertyDiff.Types.Kind.Add);
        Assert.Contains(detailed, d => d.Key.StartsWith("addresses[", StringComparison.Ordinal) && d.Value.Kind == Pulumirpc.PropertyDiff.Types.Kind.Delete);
        Assert.Equal(Pulumirpc.PropertyDiff.Types.Kind.Update, detailed["gateway"].Kind);
        Assert.Empty(plan["br"].Diff!.Replaces);
        (await stack.UpAsync(moved)).EnsureOk();
        Assert.Equal(["192.168.51.90/24", "fd00:50::1/64"], ns.Addresses("br-l3"));
        Assert.Contains("default via 192.168.51.1 proto static", ns.Routes("-4", "br-l3"));
        Assert.DoesNotContain(ns.Routes("-4", "br-l3"), r => r.StartsWith("10.8.0.0/16", StringComparison.Ordinal));
        Assert.Equal(ifindex, ns.Link("br-l3")!.Value.GetProperty("ifindex").GetInt32());

        // drift made by hand: an extra address and the default route gone; refresh finds both, up puts them right
        ns.Ip("addr", "add", "192.168.99.9/24", "dev", "br-l3");
        ns.Ip("route", "del", "default", "dev", "br-l3");
        (await stack.RefreshAsync()).EnsureOk();
        Assert.Null(stack["br"].Output("gateway")?.StringValue is { Length: > 0 } g ? g : null);
        var drift = (await stack.PreviewAsync(moved)).EnsureOk();
        Assert.Equal(StepOp.Update, drift["br"].Op);
        Assert.Equal(["addresses", "gateway"], drift["br"].Diff!.Diffs);
        (await stack.UpAsync(moved)).EnsureOk();
        Assert.Equal(["192.168.51.90/24", "fd00:50::1/64"], ns.Addresses("br-l3"));
        Assert.Contains("default via 192.168.51.1 proto static", ns.Routes("-4", "br-l3"));

        // a bridge configured by hand imports with its addresses and routes, and its next up changes nothing
        ns.Ip("link", "add", "br-hand", "type", "bridge");
        ns.Ip("link", "set", "br-hand", "up");
        ns.Ip("addr", "add", "172.30.0.5/24", "dev", "br-hand");
        ns.Ip("route", "add", "10.60.0.0/16", "via", "172.30.0.1", "dev", "br-hand");
        var import = await stack.ImportAsync(Bridge, "hand", "br-hand");
        Assert.True(import.Ok, StepRenderer.Render(import));
        var inputs = Props.ToJson(import["hand"].Inputs);
        Assert.Contains("172.30.0.5/24", inputs);
        Assert.Contains("10.60.0.0/16", inputs);
        var imported = Res(Bridge, "hand", inputs);
        Assert.All((await stack.UpAsync(moved, imported)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // destroy (forceDestroy: the bridges carry addresses) leaves no address or route of theirs behind
        var forced = System.Text.Json.Nodes.JsonNode.Parse(inputs)!.AsObject();
        forced["forceDestroy"] = true;
        (await stack.UpAsync(moved, Res(Bridge, "hand", forced.ToJsonString()))).EnsureOk();
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Null(ns.Link("br-l3"));
        Assert.Null(ns.Link("br-hand"));
        Assert.DoesNotContain("192.168.51", ns.Ip("-j", "addr"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_route_whose_next_hop_moves_with_the_subnet_is_swapped_in_place()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await StackIn(ns);
        const string Declared = """
            {"name": "br-rt", "forceDestroy": true, "addresses": ["192.168.52.90/24"],
             "routes": [{"destination": "10.52.0.0/16", "via": "192.168.52.2", "metric": 50}]}
            """;
        (await stack.UpAsync(Res(Bridge, "br", Declared))).EnsureOk();

        // Same destination and metric through the new subnet's next hop: the kernel holds one such route, so it is replaced.
        var moved = Res(Bridge, "br", Declared.Replace("192.168.52.", "192.168.53.", StringComparison.Ordinal));
        (await stack.UpAsync(moved)).EnsureOk();
        Assert.Equal(["192.168.53.90/24"], ns.Addresses("br-rt"));
        Assert.Contains("10.52.0.0/16 via 192.168.53.2 proto static metric 50", ns.Routes("-4", "br-rt"));
        Assert.All((await stack.UpAsync(moved)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task Bad_addresses_are_check_failures_and_the_host_is_untouched()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "up0", "type", "veth", "peer", "name", "up0-peer");
        ns.Ip("addr", "add", "192.168.60.90/24", "dev", "up0");
        await using var stack = await StackIn(ns);
        var before = (ns.Ip("-j", "addr"), ns.Ip("-j", "route"));
        var cases = new (string Json, string Property, string Reason)[]
        {
            ("""{"name": "b", "addresses": ["192.168.61.90/24"], "gateway": "10.0.0.1"}""", "gateway", "outside every subnet"),
            ("""{"name": "b", "addresses": ["192.168.61.90/24", "192.168.61.91/24"]}""", "addresses[1]", "overlaps"),
            ("""{"name": "b", "addresses": ["192.168.61.90/33"]}""", "addresses[0]", "0-32"),
            ("""{"name": "b", "addresses": ["192.168.61.255/24"]}""", "addresses[0]", "broadcast address"),
            ("""{"name": "b", "addresses": ["192.168.61.90/24"], "routes": [{"destination": "10.8.0.0/16", "via": "10.1.1.1"}]}""", "routes[0].via", "outside every subnet"),
            ("""{"name": "b", "addresses": ["192.168.60.90/24"]}""", "addresses[0]", "already held by up0"),
        };
        foreach (var (json, property, reason) in cases)
        {
            var result = await stack.UpAsync(Res(Bridge, "b", json));
            var failure = Assert.Single(result["b"].Failures, f => f.Property == property);
            Assert.Contains(reason, failure.Reason);
        }
        Assert.Null(ns.Link("b"));
        Assert.Equal(before, (ns.Ip("-j", "addr"), ns.Ip("-j", "route")));
        Assert.Empty(stack.State);
    }
}

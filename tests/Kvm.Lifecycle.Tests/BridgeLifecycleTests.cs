using System.Text.Json;
using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>The Bridge through the real plugin, as `pulumi` drives it, in a throwaway namespace.</summary>
public sealed class BridgeLifecycleTests
{
    private const string Bridge = "kvm:index:Bridge";

    private static async Task<Stack> StackIn(LabNamespace ns) => await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");

    private static JsonElement Link(LabNamespace ns, string name) =>
        ns.Link(name) ?? throw new Xunit.Sdk.XunitException($"{name} does not exist in {ns.Name}");

    private static string? MasterOf(LabNamespace ns, string name) =>
        Link(ns, name).TryGetProperty("master", out var m) ? m.GetString() : null;

    [Fact]
    public async Task Preview_up_drift_refresh_update_rename_import_destroy()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "vp0", "type", "veth", "peer", "name", "vp0-peer");
        await using var stack = await StackIn(ns);
        var br = Res(Bridge, "br", """{"name": "br-lab", "mtu": 1400, "ports": ["vp0"], "stp": false, "ageingTime": 120}""");

        // preview: a create is planned, nothing happens, host-decided outputs are unknown
        var preview = (await stack.PreviewAsync(br)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["br"].Op);
        Assert.Null(ns.Link("br-lab"));
        Assert.True(Props.IsUnknown(preview["br"].Outputs!.Fields["ifindex"]));
        Assert.True(Props.IsUnknown(preview["br"].Outputs!.Fields["macAddress"]));
        Assert.Equal(1400, preview["br"].Outputs!.Fields["mtu"].NumberValue);

        // up: the bridge exists as declared
        var up = (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal(StepOp.Create, up["br"].Op);
        Assert.Equal("br-lab", up["br"].Id);
        var link = Link(ns, "br-lab");
        Assert.Equal(1400, link.GetProperty("mtu").GetInt32());
        Assert.Equal("bridge", link.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal(12000, link.GetProperty("linkinfo").GetProperty("info_data").GetProperty("ageing_time").GetInt32());
        Assert.Contains("UP", link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("br-lab", MasterOf(ns, "vp0"));
        Assert.Equal(link.GetProperty("ifindex").GetInt32(), (int)stack["br"].Output("ifindex")!.NumberValue);

        // a second up changes nothing
        Assert.All((await stack.UpAsync(br)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // drift made by hand shows on refresh and is put back by the next up
        ns.Ip("link", "set", "br-lab", "mtu", "1300");
        var refresh = await stack.RefreshAsync();
        Assert.Equal(StepOp.Refresh, refresh["br"].Op);
        Assert.Equal(1300, stack["br"].Output("mtu")!.NumberValue);
        var driftPreview = (await stack.PreviewAsync(br)).EnsureOk();
        Assert.Equal(StepOp.Update, driftPreview["br"].Op);
        Assert.Equal(["mtu"], driftPreview["br"].Diff!.Diffs);
        Assert.Equal(1300, Link(ns, "br-lab").GetProperty("mtu").GetInt32());
        (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal(1400, Link(ns, "br-lab").GetProperty("mtu").GetInt32());

        // an update in place keeps the ifindex
        var ifindex = Link(ns, "br-lab").GetProperty("ifindex").GetInt32();
        var updated = Res(Bridge, "br", """{"name": "br-lab", "mtu": 9000, "ports": [], "stp": true, "ageingTime": 120}""");
        var update = (await stack.UpAsync(updated)).EnsureOk();
        Assert.Equal(StepOp.Update, update["br"].Op);
        Assert.Equal(9000, Link(ns, "br-lab").GetProperty("mtu").GetInt32());
        Assert.Equal(ifindex, Link(ns, "br-lab").GetProperty("ifindex").GetInt32());
        Assert.Null(MasterOf(ns, "vp0"));
        Assert.Equal(1, Link(ns, "br-lab").GetProperty("linkinfo").GetProperty("info_data").GetProperty("stp_state").GetInt32());

        // a rename replaces: the old bridge goes first
        var renamed = Res(Bridge, "br", """{"name": "br-lab2", "ports": ["vp0"]}""");
        var rename = (await stack.UpAsync(renamed)).EnsureOk();
        Assert.Equal(StepOp.Replace, rename["br"].Op);
        Assert.True(rename["br"].Diff!.DeleteBeforeReplace);
        Assert.Null(ns.Link("br-lab"));
        Assert.Equal("br-lab2", MasterOf(ns, "vp0"));

        // import of a bridge made by hand gives inputs that produce an empty diff
        ns.Ip("link", "add", "br-hand", "type", "bridge", "forward_delay", "0");
        ns.Ip("link", "set", "br-hand", "up");
        var import = await stack.ImportAsync(Bridge, "hand", "br-hand");
        Assert.True(import.Ok, StepRenderer.Render(import));
        var imported = Res(Bridge, "hand", Props.ToJson(import["hand"].Inputs));
        var afterImport = (await stack.UpAsync(renamed, imported)).EnsureOk();
        Assert.All(afterImport.Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // destroy removes both; a destroy of what is already gone is fine
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Null(ns.Link("br-lab2"));
        Assert.Null(ns.Link("br-hand"));
        Assert.NotNull(ns.Link("vp0"));
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task A_bridge_deleted_outside_leaves_the_state_on_refresh_and_destroy_of_it_is_fine()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await StackIn(ns);
        var br = Res(Bridge, "br", """{"name": "br-gone"}""");
        (await stack.UpAsync(br)).EnsureOk();
        var saved = stack["br"];
        ns.Ip("link", "del", "br-gone");

        var refresh = await stack.RefreshAsync();
        Assert.Equal(StepOp.Delete, refresh["br"].Op);
        Assert.Empty(stack.State);

        // an engine that did not refresh still gets a clean delete
        await stack.Provider.Client.DeleteAsync(new Pulumirpc.DeleteRequest { Id = saved.Id, Urn = saved.Urn, Type = Bridge, Properties = saved.Outputs });
        Assert.Contains(stack.Engine.Logs, l => l.Message.Contains("already gone"));
    }

    [Fact]
    public async Task An_existing_link_is_never_adopted_silently()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "br-taken", "type", "bridge");
        await using var stack = await StackIn(ns);
        var result = await stack.UpAsync(Res(Bridge, "br", """{"name": "br-taken", "mtu": 1280}"""));
        var step = result["br"];
        Assert.Equal(StepOp.Failed, step.Op);
        Assert.Equal(StatusCode.AlreadyExists, step.ErrorCode);
        Assert.Contains("pulumi import kvm:index:Bridge", step.Error);
        Assert.NotEqual(1280, Link(ns, "br-taken").GetProperty("mtu").GetInt32());
        Assert.Empty(stack.State);
    }

    [Fact]
    public async Task A_bridge_carrying_an_address_is_kept_unless_forceDestroy()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await StackIn(ns);
        var br = Res(Bridge, "br", """{"name": "br-ip"}""");
        (await stack.UpAsync(br)).EnsureOk();
        ns.Ip("addr", "add", "10.77.0.1/24", "dev", "br-ip");

        var refused = await stack.DestroyAsync();
        Assert.False(refused.Ok);
        Assert.Equal(StatusCode.FailedPrecondition, refused["br"].ErrorCode);
        Assert.Contains("10.77.0.1/24", refused["br"].Error);
        Assert.Contains("forceDestroy", refused["br"].Error);
        Assert.NotNull(ns.Link("br-ip"));

        (await stack.UpAsync(Res(Bridge, "br", """{"name": "br-ip", "forceDestroy": true}"""))).EnsureOk();
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Null(ns.Link("br-ip"));
    }

    [Fact]
    public async Task Guest_taps_are_never_released_and_keep_the_bridge_from_being_deleted()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "vp0", "type", "veth", "peer", "name", "vp0-peer");
        ns.Ip("link", "add", "vp1", "type", "veth", "peer", "name", "vp1-peer");
        await using var stack = await StackIn(ns);
        (await stack.UpAsync(Res(Bridge, "br", """{"name": "br-vm", "ports": ["vp0"]}"""))).EnsureOk();
        // libvirt attaches a started guest's tap to the bridge
        ns.Ip("tuntap", "add", "dev", "vnet0", "mode", "tap");
        ns.Ip("link", "set", "vnet0", "master", "br-vm");

        Assert.All((await stack.RefreshAsync()).Steps, s => Assert.NotEqual(StepOp.Failed, s.Op));
        Assert.Equal(["vnet0"], stack["br"].Output("guestTaps")!.ListValue.Values.Select(v => v.StringValue));
        var same = (await stack.UpAsync(Res(Bridge, "br", """{"name": "br-vm", "ports": ["vp0"]}"""))).EnsureOk();
        Assert.Equal(StepOp.Same, same["br"].Op);

        // changing the ports moves vp0 to vp1 and leaves the guest's tap alone
        (await stack.UpAsync(Res(Bridge, "br", """{"name": "br-vm", "ports": ["vp1"]}"""))).EnsureOk();
        Assert.Equal("br-vm", MasterOf(ns, "vnet0"));
        Assert.Equal("br-vm", MasterOf(ns, "vp1"));
        Assert.Null(MasterOf(ns, "vp0"));

        // a bridge with a guest attached is not deleted behind the guest's back
        var refused = await stack.DestroyAsync();
        Assert.Equal(StatusCode.FailedPrecondition, refused["br"].ErrorCode);
        Assert.Contains("vnet0", refused["br"].Error);
        Assert.NotNull(ns.Link("br-vm"));

        // import of a bridge with a guest on it does not claim the tap as a port
        ns.Ip("link", "add", "br-imp", "type", "bridge");
        ns.Ip("tuntap", "add", "dev", "vnet1", "mode", "tap");
        ns.Ip("link", "set", "vnet1", "master", "br-imp");
        var import = await stack.ImportAsync(Bridge, "imp", "br-imp");
        Assert.True(import.Ok, StepRenderer.Render(import));
        Assert.Empty(Props.Get(import["imp"].Inputs, "ports")!.ListValue.Values);

        (await stack.UpAsync(Res(Bridge, "br", """{"name": "br-vm", "ports": ["vp1"], "forceDestroy": true}"""),
            Res(Bridge, "imp", Props.ToJson(import["imp"].Inputs).Replace("\"forceDestroy\": false", "\"forceDestroy\": true")))).EnsureOk();
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Null(ns.Link("br-vm"));
        Assert.NotNull(ns.Link("vnet0"));
    }

    [Fact]
    public async Task A_port_moved_from_one_bridge_to_another_moves_or_says_how_to_order_the_two()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "vp0", "type", "veth", "peer", "name", "vp0-peer");
        await using var stack = await StackIn(ns);
        (await stack.UpAsync(Res(Bridge, "a", """{"name": "br-a", "ports": ["vp0"]}"""), Res(Bridge, "b", """{"name": "br-b", "ports": []}"""))).EnsureOk();

        // Taken before the old bridge's new declaration is known: refused, nothing changed, and the message says how.
        var takes = Res(Bridge, "b", """{"name": "br-b", "ports": ["vp0"]}""");
        var gives = Res(Bridge, "a", """{"name": "br-a", "ports": []}""");
        var early = await stack.UpAsync(takes, gives);
        Assert.Contains("dependsOn", early["b"].Error);
        Assert.Equal("br-a", MasterOf(ns, "vp0"));

        // Once br-a's new declaration has been checked (a real engine checks every resource as the program
        // registers it, ahead of the updates), the port moves even when br-b goes first.
        (await stack.PreviewAsync(takes, gives)).EnsureOk();
        (await stack.UpAsync(takes, gives)).EnsureOk();
        Assert.Equal("br-b", MasterOf(ns, "vp0"));

        // Given up first (as dependsOn orders it): it moves back in one up too.
        var givesBack = Res(Bridge, "b", """{"name": "br-b", "ports": []}""");
        var takesBack = Res(Bridge, "a", """{"name": "br-a", "ports": ["vp0"]}""");
        (await stack.UpAsync(givesBack, takesBack)).EnsureOk();
        Assert.Equal("br-a", MasterOf(ns, "vp0"));

        Assert.All((await stack.UpAsync(givesBack, takesBack)).EnsureOk().Steps, st => Assert.Equal(StepOp.Same, st.Op));
    }

    [Fact]
    public async Task Malformed_inputs_come_back_as_check_failures_before_the_host_is_touched()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await StackIn(ns);
        var before = ns.Ip("-j", "link", "show");
        var cases = new (string Json, string Property, string Reason)[]
        {
            ("""{"name": "this-name-is-too-long"}""", "name", "at most 15"),
            ("""{"name": "br/0"}""", "name", "not a valid interface name"),
            ("""{"name": "br 0"}""", "name", "not a valid interface name"),
            ("""{"name": ""}""", "name", "not a valid interface name"),
            ("""{"mtu": 1500}""", "name", "missing required property"),
            ("""{"name": "b", "mtu": 0}""", "mtu", "between 68 and 65535"),
            ("""{"name": "b", "mtu": 70000}""", "mtu", "between 68 and 65535"),
            ("""{"name": "b", "mtu": "9000"}""", "mtu", "expected an integer"),
            ("""{"name": "b", "macAddress": "52:54:00:12:34"}""", "macAddress", "not a MAC address"),
            ("""{"name": "b", "macAddress": "01:00:5e:00:00:01"}""", "macAddress", "multicast"),
            ("""{"name": "b", "ports": ["nosuchport0"]}""", "ports[0]", "no interface named"),
            ("""{"name": "b", "ports": ["nosuchport0", "nosuchport0"]}""", "ports[1]", "listed twice"),
            ("""{"name": "b", "ports": ["lo"]}""", "ports[0]", "the loopback interface cannot be a bridge port"),
            ("""{"name": "b", "ports": [null]}""", "ports[0]", "is null"),
            ("""{"name": "b\u0001"}""", "name", "control character U+0001"),
            ("""{"name": "b", "vlanFiltering": "yes"}""", "vlanFiltering", "expected a boolean"),
            ("""{"name": "b", "defaultPvid": 4095}""", "defaultPvid", "between 0 and 4094"),
            ("""{"name": "b", "vlanProtocol": "802.1x"}""", "vlanProtocol", "must be one of"),
            ("""{"name": "b", "vlanProtocol": 33024}""", "vlanProtocol", "expected a string"),
            ("""{"name": "b", "stp": true, "forwardDelay": 1}""", "forwardDelay", "when stp is on"),
            ("""{"name": "b", "colour": "blue"}""", "colour", "unknown property"),
        };
        foreach (var (json, property, reason) in cases)
        {
            var result = await stack.UpAsync(Res(Bridge, "b", json));
            var failure = Assert.Single(result["b"].Failures, f => f.Property == property);
            Assert.Contains(reason, failure.Reason);
        }
        Assert.Equal(before, ns.Ip("-j", "link", "show"));
        Assert.Empty(stack.State);
    }
}

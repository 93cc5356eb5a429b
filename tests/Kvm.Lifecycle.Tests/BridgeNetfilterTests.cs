using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>The Bridge's per-bridge netfilter switches (IFLA_BR_NF_CALL_*), with `ip -d link` as the observer.</summary>
public sealed class BridgeNetfilterTests
{
    private const string Bridge = "kvm:index:Bridge";

    private static (int Iptables, int Ip6tables) Switches(LabNamespace ns, string name)
    {
        var data = (ns.Link(name) ?? throw new Xunit.Sdk.XunitException($"no {name}")).GetProperty("linkinfo").GetProperty("info_data");
        return (data.GetProperty("nf_call_iptables").GetInt32(), data.GetProperty("nf_call_ip6tables").GetInt32());
    }

    [Fact]
    public async Task Set_at_create_changed_in_place_drift_refreshed_imported()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["netns"] = ns.Name }));
        var br = Res(Bridge, "br", """{"name": "br-nf", "nfCallIptables": true, "nfCallIp6tables": false, "nfCallArptables": true}""");

        var preview = (await stack.PreviewAsync(br)).EnsureOk();
        Assert.True(preview["br"].Outputs!.Fields["nfCallIptables"].BoolValue);
        (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal((1, 0), Switches(ns, "br-nf"));
        Assert.Equal(1, ns.Link("br-nf")!.Value.GetProperty("linkinfo").GetProperty("info_data").GetProperty("nf_call_arptables").GetInt32());
        Assert.All((await stack.UpAsync(br)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        var link = ns.Link("br-nf")!.Value.GetProperty("ifindex").GetInt32();
        br = Res(Bridge, "br", """{"name": "br-nf", "nfCallIptables": false, "nfCallIp6tables": false}""");
        Assert.Equal(StepOp.Update, (await stack.UpAsync(br)).EnsureOk()["br"].Op);
        Assert.Equal((0, 0), Switches(ns, "br-nf"));
        Assert.Equal(link, ns.Link("br-nf")!.Value.GetProperty("ifindex").GetInt32());

        ns.Ip("link", "set", "br-nf", "type", "bridge", "nf_call_ip6tables", "1");
        Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["br"].Op);
        Assert.Equal(["nfCallIp6tables"], (await stack.PreviewAsync(br)).EnsureOk()["br"].Diff!.Diffs);
        (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal((0, 0), Switches(ns, "br-nf"));

        stack.Forget("br");
        var imported = await stack.ImportAsync(Bridge, "br", "br-nf");
        Assert.True(imported.Ok, imported["br"].Error);
        Assert.False(stack["br"].Inputs.Fields["nfCallIptables"].BoolValue);
        Assert.False(stack["br"].Inputs.Fields["nfCallIp6tables"].BoolValue);
        Assert.True(stack["br"].Inputs.Fields["nfCallArptables"].BoolValue);   // left unmanaged by the later declarations, so still on
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Null(ns.Link("br-nf"));
    }
}

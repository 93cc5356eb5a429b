using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;
using static Kvm.Engine.Decl;

namespace Kvm.Demo;

/// <summary>Bridges: preview, up, a change with its diff, drift found by refresh, import.</summary>
public static class BridgeAct
{
    public const string Bridge = "kvm:index:Bridge";

    /// <summary>Runs the act; returns the program as it stands at the end (later acts keep it).</summary>
    public static async Task<IReadOnlyList<ResourceDecl>> RunAsync(PulumiCli pulumi, LabNamespace ns)
    {
        Title("Bridges (rtnetlink, in the lab's namespace)");
        ns.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        ns.Ip("link", "add", "eth2", "type", "veth", "peer", "name", "eth2-peer");
        ResourceDecl[] program = [Res(Bridge, "uplink", """{"name": "br-uplink", "mtu": 9000, "ports": ["eth1"], "stp": false}""")];

        await pulumi.PreviewAsync(program);
        Host("ip link show br-uplink (preview changes nothing)", ns.Exec("ip", "-br", "link", "show", "br-uplink").StdErr);
        await pulumi.UpAsync(program);
        Host("ip -br link show master br-uplink", ns.Ip("-br", "link", "show", "master", "br-uplink"));

        Say("The program adds eth2 and lowers the MTU:");
        program = [Res(Bridge, "uplink", """{"name": "br-uplink", "mtu": 1500, "ports": ["eth1", "eth2"], "stp": false}""")];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);

        Say("Someone turns STP on by hand:");
        Command($"ip -n {ns.Name} link set br-uplink type bridge stp_state 1");
        ns.Ip("link", "set", "br-uplink", "type", "bridge", "stp_state", "1");
        await pulumi.RefreshAsync();
        await pulumi.PreviewAsync(program, "the program says stp: false");
        await pulumi.UpAsync(program);

        Say("A bridge made outside Pulumi is never adopted silently:");
        Command($"ip -n {ns.Name} link add br-legacy type bridge");
        ns.Ip("link", "add", "br-legacy", "type", "bridge");
        await pulumi.UpRefusedAsync([.. program, Res(Bridge, "legacy", """{"name": "br-legacy"}""")], "the program declares br-legacy");
        var imported = await pulumi.ImportAsync(Bridge, "legacy", "br-legacy");
        Say($"generated inputs: {Props.ToJson(imported["legacy"].Inputs)}");
        program = [.. program, Res(Bridge, "legacy", Props.ToJson(imported["legacy"].Inputs))];
        await pulumi.UpAsync(program, "with the imported declaration: nothing to do");
        return program;
    }
}

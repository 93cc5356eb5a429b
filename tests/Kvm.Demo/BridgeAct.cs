using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;
using static Kvm.Engine.Decl;

namespace Kvm.Demo;

/// <summary>Bridges: preview, up, a change with its diff, drift found by refresh, import, destroy.</summary>
public static class BridgeAct
{
    public static async Task RunAsync(Stack stack, LabNamespace ns)
    {
        Title("Bridges (rtnetlink, in the lab's namespace)");
        ns.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        ns.Ip("link", "add", "eth2", "type", "veth", "peer", "name", "eth2-peer");
        var program = new[] { Res("kvm:index:Bridge", "uplink", """{"name": "br-uplink", "mtu": 9000, "ports": ["eth1"], "stp": false}""") };

        Command("pulumi preview");
        Show(await stack.PreviewAsync(program));
        Host("ip link show br-uplink (preview changes nothing)", ns.Exec("ip", "-br", "link", "show", "br-uplink").StdErr);

        Command("pulumi up");
        Show(await stack.UpAsync(program));
        Host("ip -br link show master br-uplink", ns.Ip("-br", "link", "show", "master", "br-uplink"));

        Say("The program adds eth2 and lowers the MTU:");
        var changed = new[] { Res("kvm:index:Bridge", "uplink", """{"name": "br-uplink", "mtu": 1500, "ports": ["eth1", "eth2"], "stp": false}""") };
        Command("pulumi preview --diff");
        Show(await stack.PreviewAsync(changed));
        Command("pulumi up");
        Show(await stack.UpAsync(changed));

        Say("Someone turns STP on by hand:");
        Command($"ip -n {ns.Name} link set br-uplink type bridge stp_state 1");
        ns.Ip("link", "set", "br-uplink", "type", "bridge", "stp_state", "1");
        Command("pulumi refresh");
        Show(await stack.RefreshAsync());
        Command("pulumi preview --diff   # the program says stp: false");
        Show(await stack.PreviewAsync(changed));
        Command("pulumi up");
        Show(await stack.UpAsync(changed));

        Say("A bridge made outside Pulumi is never adopted silently:");
        ns.Ip("link", "add", "br-legacy", "type", "bridge");
        Command("pulumi up   # declares br-legacy");
        ShowRefused(await stack.UpAsync([.. changed, Res("kvm:index:Bridge", "legacy", """{"name": "br-legacy"}""")]));
        Command("pulumi import kvm:index:Bridge legacy br-legacy");
        var imported = Show(await stack.ImportAsync("kvm:index:Bridge", "legacy", "br-legacy"));
        Say($"generated inputs: {Props.ToJson(imported["legacy"].Inputs)}");
        Command("pulumi up   # with the imported declaration: nothing to do");
        Show(await stack.UpAsync([.. changed, Res("kvm:index:Bridge", "legacy", Props.ToJson(imported["legacy"].Inputs))]));
    }
}

using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;
using static Kvm.Engine.Decl;

namespace Kvm.Demo;

/// <summary>
/// The step every KVM guide starts with, on a remote host: its uplink (to-ws, the link the SSH session
/// comes in on) moved into br0 with the host's address, confirmed over that session. Then a bad change
/// (br0 set down) cuts the session off, and the host rolls it back by itself.
/// </summary>
public static class UplinkAct
{
    private const string Bridge = "kvm:index:Bridge";

    public static async Task RunAsync()
    {
        Title("Taking over a remote host's uplink without losing the host");
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        const string uplink = RemoteLabHost.LinkName;
        Console.WriteLine($"# host h1: {h1.Destination}; the provider's SSH session comes in on {uplink} ({h1.Address}/24)");
        Host($"ssh h1 ip -br addr show {uplink}", lab.Ssh(h1, "ip", "-br", "addr", "show", uplink).StdOut);

        var placement = new PluginPlacement(lab.Workstation.Mounts.EnterPrefix, lab.Workstation.Path);
        await using var stack = await Stack.StartAsync("""{"host": "h1", "confirmTimeoutSeconds": 5}""", placement: placement);
        var pulumi = new PulumiCli(stack);
        ResourceDecl Br0(string more = "") => Res(Bridge, "br0", $$"""
            {"name": "br0", "stp": false, "forwardDelay": 0, "ports": ["{{uplink}}"], "addresses": ["{{h1.Address}}/24"]{{more}}}
            """);

        Say($"br0 declares {uplink} as its port and the host's own address: preview says what moves, and that the change must be confirmed.");
        await pulumi.PreviewAsync([Br0()]);
        await pulumi.UpAsync([Br0()], "confirmed over the very session it could have cut");
        Host("ssh h1 ip -br addr show (the same session, still open)", lab.Ssh(h1, "ip", "-br", "addr", "show").StdOut);

        Say("A bad change: br0 set down. The session goes dark; after confirmTimeoutSeconds (5) the host puts br0 back up by itself.");
        await pulumi.UpRefusedAsync([Br0(""", "up": false""")], "cuts the host off, so it is rolled back");
        Host("ssh h1 ip -br link show br0 (up again)", lab.Ssh(h1, "ip", "-br", "link", "show", "br0").StdOut);
        await pulumi.UpAsync([Br0()], "nothing to do: the host is as the program says");
        Say("The stack is left as it is: destroying br0 would take the host's address away, which needs forceDestroy; the lab is torn down instead.");
    }
}

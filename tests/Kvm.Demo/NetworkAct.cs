using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;
using static Kvm.Engine.Decl;

namespace Kvm.Demo;

/// <summary>
/// Libvirt networks in the lab's private libvirtd: an isolated network with DHCP and a NAT network;
/// a live change, a restart and a replace, each announced by the preview; drift made with virsh;
/// import of a network defined by hand.
/// </summary>
public static class NetworkAct
{
    public const string Network = "kvm:index:LibvirtNetwork";

    /// <summary>The MAC of the Domain act's guest's NIC on lab-lan, and its static DHCP lease.</summary>
    public const string Web1Mac = "52:54:00:77:00:01";
    private const string Web1Lease = $$"""{"mac": "{{Web1Mac}}", "name": "web1", "ip": "10.77.0.11"}""";

    /// <summary>An isolated network (no forward) whose dnsmasq hands out 10.77.0.100-200 and the static leases given.</summary>
    private static ResourceDecl Lan(params string[] leases) => Res(Network, "lan", $$$"""
        {"name": "lab-lan", "bridge": {"name": "virbr-lan", "stp": false},
         "ips": [{"address": "10.77.0.1", "prefix": 24,
                  "dhcp": {"ranges": [{"start": "10.77.0.100", "end": "10.77.0.200"}], "hosts": [{{{string.Join(", ", leases)}}}]}}]}
        """);

    /// <summary>The way out: a NAT network, later a routed one.</summary>
    private static ResourceDecl Wan(string name, string mode) => Res(Network, "wan", $$"""
        {"name": "{{name}}", "forward": {"mode": "{{mode}}"}, "bridge": {"name": "virbr-wan", "stp": false},
         "ips": [{"address": "10.78.0.1", "prefix": 24}]}
        """);

    /// <summary>Runs the act after <paramref name="earlier"/> (kept in the program); returns the program at the end.</summary>
    public static async Task<IReadOnlyList<ResourceDecl>> RunAsync(PulumiCli pulumi, PrivateLibvirtd libvirtd, IReadOnlyList<ResourceDecl> earlier)
    {
        Title("Libvirt networks (libvirt API, the lab's private libvirtd)");
        ResourceDecl[] program = [.. earlier, Lan(), Wan("lab-nat", "nat")];
        await pulumi.PreviewAsync(program);
        Host("virsh net-list --all (preview changes nothing)", libvirtd.Virsh("net-list", "--all"));
        await pulumi.UpAsync(program);
        Host("virsh net-list --all", libvirtd.Virsh("net-list", "--all"));
        Host("iptables -t nat -S LIBVIRT_PRT (in the lab namespace only)", Masquerade(libvirtd));

        Say("The program gives web1 a static lease (live: dnsmasq is told, the bridge stays) " +
            "and turns the NAT network into a routed one (the network restarts): the preview says which");
        program = [.. earlier, Lan(Web1Lease), Wan("lab-nat", "route")];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        Host("virsh net-dumpxml lab-lan | grep '<host'", Lines(libvirtd.Virsh("net-dumpxml", "lab-lan"), "<host"));
        Host($"a DHCP client with MAC {Web1Mac} on virbr-lan (busybox udhcpc in the lab namespace)",
            $"offered {DhcpClient.Lease(libvirtd.Namespace, "virbr-lan", Web1Mac) ?? "nothing"}");

        Say("A new name is a new network: replaced (the old one goes first, its bridge name is taken over)");
        program = [.. earlier, Lan(Web1Lease), Wan("lab-routed", "route")];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        Host("virsh net-list --all", libvirtd.Virsh("net-list", "--all"));

        Say("Someone adds a DHCP lease with virsh, to the running network and its definition:");
        const string Stray = "<host mac='52:54:00:77:00:99' name='stray' ip='10.77.0.99'/>";
        Command($"virsh net-update lab-lan add ip-dhcp-host \"{Stray}\" --live --config");
        libvirtd.Virsh("net-update", "lab-lan", "add", "ip-dhcp-host", Stray, "--live", "--config");
        await pulumi.RefreshAsync();
        await pulumi.PreviewAsync(program, "the program does not list it");
        await pulumi.UpAsync(program);
        Host("virsh net-dumpxml lab-lan | grep '<host'", Lines(libvirtd.Virsh("net-dumpxml", "lab-lan"), "<host"));

        Say("A network defined by hand is imported; its declaration then matches the host exactly:");
        Command("virsh net-define hand.xml   # a routed network with a DHCP lease and a portgroup");
        libvirtd.VirshXml("net-define", """
            <network>
              <name>lab-hand</name>
              <forward mode='route'/>
              <bridge name='virbr-hand' stp='off'/>
              <ip address='10.79.0.1' netmask='255.255.255.0'>
                <dhcp><range start='10.79.0.50' end='10.79.0.60'/><host mac='52:54:00:79:00:01' name='h1' ip='10.79.0.5'/></dhcp>
              </ip>
              <portgroup name='ops' default='yes'/>
            </network>
            """);
        var imported = await pulumi.ImportAsync(Network, "hand", "lab-hand");
        Say($"generated inputs: {Props.ToJson(imported["hand"].Inputs)}");
        program = [.. program, Res(Network, "hand", Props.ToJson(imported["hand"].Inputs))];
        await pulumi.UpAsync(program, "with the imported declaration: nothing to do");
        return program;
    }

    private static string Masquerade(PrivateLibvirtd libvirtd) =>
        libvirtd.Namespace.Exec("iptables", "-t", "nat", "-S", "LIBVIRT_PRT") is { ExitCode: 0 } r ? r.StdOut : "(no LIBVIRT_PRT chain)";

    private static string Lines(string text, string containing) =>
        string.Join('\n', text.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal)).Select(l => l.Trim()));
}

using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;
using static Kvm.Engine.Decl;

namespace Kvm.Demo;

/// <summary>
/// Two remote hosts in one program: the plugin runs on a workstation (a lab namespace with its own
/// ~/.ssh) and reaches each host over ssh (a lab namespace with its own sshd and libvirtd); one
/// explicit provider per host. The workstation's own networking never changes.
/// </summary>
public static class RemoteAct
{
    private const string Bridge = "kvm:index:Bridge", Network = "kvm:index:LibvirtNetwork", Domain = "kvm:index:Domain";

    public static async Task RunAsync()
    {
        Title("Remote hosts: one program, two hypervisors, reached over ssh");
        using var lab = RemoteLab.Create(2, libvirt: true);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        Console.WriteLine($"# workstation: namespace {lab.Workstation.Name} (the plugin runs here, with its own ~/.ssh)");
        foreach (var h in lab.Hosts) Console.WriteLine($"# host {h.Alias}: {h.Destination}, namespace {h.Namespace.Name}, sshd and a private libvirtd");
        Host("~/.ssh/config on the workstation", File.ReadAllText(lab.SshConfigPath));
        var workstationLinks = lab.Workstation.Ip("-br", "link");

        var placement = new PluginPlacement(lab.Workstation.Mounts.EnterPrefix, lab.Workstation.Path);
        Say("""The program has two explicit providers: new Kvm.Provider("h1", new() { Host = "h1" }) and new Kvm.Provider("h2", new() { Host = "h2" }).""");
        await using var stack = await Stack.StartAsync("""{"host": "h1"}""", stack: "fleet", project: "hosts", placement: placement);
        await stack.AddProviderAsync("h2", """{"host": "h2"}""", placement: placement);
        foreach (var l in stack.Engine.Logs) Console.WriteLine($"  [engine log] {l.Severity.ToString().ToLowerInvariant()}: {l.Message}");
        foreach (var h in lab.Hosts) Host($"~/.pulumi-kvm/bin on {h.Alias}", string.Join("\n", Directory.GetFiles(Path.Combine(h.HomeDir, ".pulumi-kvm", "bin")).Select(Path.GetFileName)));

        var pulumi = new PulumiCli(stack);
        ResourceDecl[] program =
        [
            Res(Bridge, "h1-br0", """{"name": "br0", "mtu": 9000, "stp": false}"""),
            Res(Network, "h1-lab", """{"name": "lab", "bridge": {"stp": false}, "ips": [{"address": "10.90.1.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.90.1.100", "end": "10.90.1.200"}]}}]}"""),
            Res(Bridge, "h2-br0", """{"name": "br0", "mtu": 1500, "stp": false}""") with { Provider = "h2" },
            Res(Domain, "h2-web", """{"name": "web", "type": "qemu", "memoryMib": 128, "vcpus": 1, "machine": "q35", "shutdownTimeoutSeconds": 0, "interfaces": [{"type": "bridge", "bridge": "${h2-br0.name}", "model": "virtio", "bootRom": false}]}""") with { Provider = "h2" },
        ];
        try
        {
            await pulumi.PreviewAsync(program);
            await pulumi.UpAsync(program);
            foreach (var h in lab.Hosts)
            {
                Host($"ssh {h.Alias} ip -br link show type bridge", lab.Ssh(h, "ip", "-br", "link", "show", "type", "bridge").StdOut);
                Host($"ssh {h.Alias} virsh list --all; virsh net-list", lab.Ssh(h, "virsh -q list --all; virsh -q net-list").StdOut);
            }
            Host("ip -br link on the workstation (unchanged)", lab.Workstation.Ip("-br", "link"));

            Say("Someone changes br0's MTU on h2 by hand:");
            Command("ssh h2 ip link set br0 mtu 1400");
            lab.Ssh(h2, "ip", "link", "set", "br0", "mtu", "1400");
            await pulumi.RefreshAsync();
            await pulumi.UpAsync(program, "puts h2's br0 back; h1 is untouched");
            var mtu = lab.Ssh(h2, "cat", "/sys/class/net/br0/mtu").StdOut.Trim();
            Host("ssh h2 cat /sys/class/net/br0/mtu", mtu);
            if (mtu != "1500") throw new InvalidOperationException($"h2's br0 has MTU {mtu} after the up, not 1500");
        }
        finally
        {
            await pulumi.DestroyAsync();
        }
        foreach (var h in lab.Hosts) Host($"ssh {h.Alias} ip -br link show type bridge (after destroy)", lab.Ssh(h, "ip", "-br", "link", "show", "type", "bridge").StdOut);
        if (lab.Workstation.Ip("-br", "link") != workstationLinks) throw new InvalidOperationException("the workstation's links changed");
        Say("The workstation's links are as they were before the act.");
    }
}

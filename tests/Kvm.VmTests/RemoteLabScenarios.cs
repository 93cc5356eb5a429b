using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.VmTests;

/// <summary>
/// The remote lab (a workstation and a host with its own sshd, see <see cref="RemoteLab"/>) inside
/// the kernel VM, where VLAN tests of remote hosts will need it. The VM's root is the machine's,
/// read-only, with private tmpfs on /tmp and /run: sshd's state lives in the lab's folders under
/// /tmp, and the sessions' home is the lab's private /root (the VM's own /root cannot be written).
/// The plugin started in the workstation answers GetPluginInfo there.
/// </summary>
public static class RemoteLabScenarios
{
    public static IReadOnlyList<Scenario> All =>
    [
        new("remote_lab_ssh_works", SshWorks),
    ];

    private static async Task SshWorks()
    {
        using var lab = RemoteLab.Create(1);
        Console.WriteLine($"remote lab with 1 host created in {lab.CreateTime.TotalMilliseconds:0} ms");
        var h1 = lab.Hosts[0];

        var r = lab.Ssh(h1, "ip", "-j", "link");
        Expect.Equal(0, r.ExitCode, $"ssh h1 ip -j link's exit code (stderr: {r.StdErr.Trim()}) {lab.Diagnostics()}");
        using var links = JsonDocument.Parse(r.StdOut);
        var names = links.RootElement.EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Expect.Sequence(["lo", RemoteLabHost.LinkName], names, "the links h1's session sees (its own namespace's)");

        var home = lab.Ssh(h1, "echo from-workstation > ~/written-over-ssh && echo $HOME");
        Expect.Equal(0, home.ExitCode, $"writing into h1's home (stderr: {home.StdErr.Trim()})");
        Expect.True(File.Exists(Path.Combine(h1.HomeDir, "written-over-ssh")), $"the file written over ssh is in h1's private home {h1.HomeDir}");

        // The plugin placed in the workstation answers there (nsenter -r keeps the VM's root).
        var ws = lab.Workstation;
        await using var plugin = await ProviderProcess.StartAsync(placement: new PluginPlacement(ws.Mounts.EnterPrefix, ws.Path));
        var info = await plugin.Client.GetPluginInfoAsync(new Empty());
        Expect.True(info.Version.Length > 0, "GetPluginInfo from the plugin in the workstation");
    }
}

using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lab.Tests;

/// <summary>
/// The remote lab: a workstation reaching hosts over SSH with the system's OpenSSH client, as a
/// user's would. The fault tests print the exact stderr a user sees (the plugin's ssh code will
/// meet the same texts).
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class RemoteLabTests(ITestOutputHelper output)
{
    private const string Batch = "BatchMode=yes";

    [Fact]
    public void Ssh_by_alias_and_by_destination_lands_in_the_host_s_namespace_and_private_home()
    {
        using var lab = RemoteLab.Create(2, ports: [22, 2222]);
        output.WriteLine($"a workstation and 2 hosts created in {lab.CreateTime.TotalSeconds:0.00} s");
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        Assert.Equal(("h1", "10.250.1.2", 22, "root@10.250.1.2"), (h1.Alias, h1.Address, h1.Port, h1.Destination));
        Assert.Equal(("h2", "10.250.2.2", 2222, "root@10.250.2.2:2222"), (h2.Alias, h2.Address, h2.Port, h2.Destination));
        Assert.True(File.Exists(lab.IdentityPath) && File.Exists(lab.SshConfigPath) && File.Exists(lab.KnownHostsPath));

        foreach (var h in lab.Hosts)
        {
            Ok(lab, lab.Ssh(h, "true"));
            // ssh:// takes the provider's [user@]host[:port]; ~/.ssh's default key and known_hosts apply
            Ok(lab, lab.SshWith(["-o", Batch, $"ssh://{h.Destination}", "true"]));
            // the session runs in the host's network namespace: its lab address, not the workstation's
            Assert.Equal(Leftovers.NetNsOf(h.Namespace), Ok(lab, lab.Ssh(h, "readlink /proc/self/ns/net")).StdOut.Trim());
            var addresses = JsonDocument.Parse(Ok(lab, lab.Ssh(h, "ip", "-j", "addr")).StdOut).RootElement.EnumerateArray()
                .SelectMany(l => l.GetProperty("addr_info").EnumerateArray()).Select(a => a.GetProperty("local").GetString()).ToList();
            Assert.Contains(h.Address, addresses);
            Assert.DoesNotContain(h.Address[..^1] + "1", addresses);
        }

        // ~ of a session is the host's private /root
        Assert.Equal("/root", Ok(lab, lab.Ssh(h1, "echo from-workstation > ~/written-over-ssh && echo $HOME")).StdOut.Trim());
        Assert.StartsWith(h1.Mounts.StateDir + "/", h1.HomeDir);
        Assert.Equal("from-workstation\n", File.ReadAllText(Path.Combine(h1.HomeDir, "written-over-ssh")));
        Assert.False(File.Exists("/root/written-over-ssh"));
        Assert.False(File.Exists(Path.Combine(h2.HomeDir, "written-over-ssh")));
    }

    [Fact]
    public async Task The_sftp_subsystem_answers_init_with_version_3()
    {
        using var lab = RemoteLab.Create(1);
        using var ssh = lab.StartSsh("-o", Batch, "-s", "h1", "sftp");
        var stderr = ssh.StandardError.ReadToEndAsync();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            // SSH_FXP_INIT (1), version 3, after its uint32 length
            var stdin = ssh.StandardInput.BaseStream;
            await stdin.WriteAsync(new byte[] { 0, 0, 0, 5, 1, 0, 0, 0, 3 }, deadline.Token);
            await stdin.FlushAsync(deadline.Token);
            // The answer must be read before stdin closes: sftp-server exits at EOF, unsent replies or not.
            var stdout = ssh.StandardOutput.BaseStream;
            var header = new byte[4];
            await stdout.ReadExactlyAsync(header, deadline.Token);
            var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
            await stdout.ReadExactlyAsync(body, deadline.Token);
            Assert.Equal(2, body[0]); // SSH_FXP_VERSION
            Assert.Equal(3u, BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)));
            stdin.Close();
            await ssh.WaitForExitAsync(deadline.Token);
            Assert.True(ssh.ExitCode == 0, $"ssh -s h1 sftp: exit {ssh.ExitCode}: {await stderr}");
            output.WriteLine($"VERSION packet: {body.Length} bytes, extensions: {string.Join(", ", SftpExtensions(body))}");
        }
        finally
        {
            if (!ssh.HasExited) ssh.Kill(entireProcessTree: true);
        }
        // the real Debian helper served it (not sshd's internal-sftp)
        Assert.Contains("Subsystem sftp /usr/lib/openssh/sftp-server", File.ReadAllText(lab.Hosts[0].Mounts.HostPath("/var/lib/kvmlab-sshd/sshd_config")));
        Assert.Contains("subsystem 'sftp'", File.ReadAllText(lab.Hosts[0].SshdLogPath));
    }

    [Fact]
    public void A_stopped_sshd_refuses_the_connection_and_a_restart_lets_it_in_again()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        var pid = h1.SshdPid;
        Assert.NotNull(pid);
        h1.StopSshd();
        Assert.False(Poll.Alive(pid.Value));
        Assert.Null(h1.SshdPid);
        Failed(lab.Ssh(h1, "true"), "ssh: connect to host 10.250.1.2 port 22: Connection refused");
        h1.StartSshd();
        Ok(lab, lab.Ssh(h1, "true"));
    }

    [Fact]
    public void A_replaced_host_key_fails_the_pinned_known_hosts()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        var oldKey = File.ReadAllText(h1.HostKeyPath + ".pub");
        h1.ReplaceHostKey();
        Assert.NotEqual(oldKey, File.ReadAllText(h1.HostKeyPath + ".pub"));
        var r = Failed(lab.Ssh(h1, "true"), "REMOTE HOST IDENTIFICATION HAS CHANGED");
        Assert.Contains("Host key verification failed.", r.StdErr);
    }

    [Fact]
    public void A_revoked_workstation_key_is_refused()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        h1.RevokeWorkstationKey();
        Failed(lab.Ssh(h1, "true"), "root@10.250.1.2: Permission denied (publickey).");
    }

    [Fact]
    public async Task A_cut_link_times_out_a_connection_and_drops_a_running_command_until_restored()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        h1.CutLink();
        Failed(lab.SshWith(["-o", Batch, "-o", "ConnectTimeout=2", "h1", "true"]), "ssh: connect to host 10.250.1.2 port 22: Connection timed out");
        h1.RestoreLink();
        Ok(lab, lab.Ssh(h1, "true"));

        // Mid-command: the connection is up, then packets stop; keepalives notice.
        using var ssh = lab.StartSsh("-o", Batch, "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=2", "h1", "touch ~/started && exec sleep 600");
        var stderr = ssh.StandardError.ReadToEndAsync();
        try
        {
            Poll.Until(() => File.Exists(Path.Combine(h1.HomeDir, "started")) || ssh.HasExited, TimeSpan.FromSeconds(60), "the remote command to start");
            h1.CutLink();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await ssh.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!ssh.HasExited) ssh.Kill(entireProcessTree: true);
        }
        Failed(new ShellResult(ssh.ExitCode, "", await stderr), "Timeout, server 10.250.1.2 not responding.");
        h1.RestoreLink();
        Ok(lab, lab.Ssh(h1, "true"));
    }

    [Fact]
    public async Task A_plugin_started_in_the_workstation_answers_from_its_namespaces()
    {
        using var lab = RemoteLab.Create(1);
        var ws = lab.Workstation;
        int pid;
        await using (var plugin = await ProviderProcess.StartAsync(placement: new PluginPlacement(ws.Mounts.EnterPrefix, ws.Path)))
        {
            pid = plugin.Pid;
            var info = await plugin.Client.GetPluginInfoAsync(new Empty());
            Assert.Matches(@"^\d+\.\d+\.\d+", info.Version);
            // nsenter execs the plugin: the pid is the plugin's, in the workstation's network and lab mount namespace
            Assert.Contains("pulumi-resource-kvm", File.ReadAllText($"/proc/{pid}/cmdline"));
            Assert.Equal(Leftovers.NetNsOf(ws), Leftovers.NetNs(pid));
            Assert.Equal(new FileInfo($"/proc/{ws.Mounts.HolderPid}/ns/mnt").LinkTarget, new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget);
        }
        Assert.False(Poll.Alive(pid));
    }

    [Fact]
    public async Task Disposing_a_plugin_placed_in_the_workstation_ends_the_ssh_it_started()
    {
        using var lab = RemoteLab.Create(1);
        var ws = lab.Workstation;
        // A stand-in for the plugin's remote mode: it starts ssh to h1, then gives its port line.
        var fake = Path.Combine(ws.Mounts.StateDir, "fake-plugin");
        File.WriteAllText(fake, """
            #!/bin/sh
            ssh -o BatchMode=yes h1 'touch ~/ssh-started; exec sleep 600' </dev/null >/dev/null 2>&1 &
            echo $! > "$0.ssh-pid"
            echo 1
            exec sleep 600
            """);
        Shell.Check("chmod", "700", fake);
        int plugin, ssh;
        await using (var p = await ProviderProcess.StartAsync(binary: fake, placement: new PluginPlacement(ws.Mounts.EnterPrefix, ws.Path)))
        {
            plugin = p.Pid;
            Poll.Until(() => File.Exists(Path.Combine(lab.Hosts[0].HomeDir, "ssh-started")), TimeSpan.FromSeconds(60), "the fake plugin's ssh to connect");
            ssh = int.Parse(File.ReadAllText(fake + ".ssh-pid").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Poll.Alive(ssh));
        }
        Assert.False(Poll.Alive(plugin));
        // SIGKILL was sent to the whole tree; disposing waits for the plugin only, so give the child a moment.
        Poll.Until(() => !Poll.Alive(ssh), TimeSpan.FromSeconds(10), "the ssh the plugin started to end");
    }

    [Fact]
    public async Task A_stack_whose_plugin_runs_in_the_workstation_manages_the_workstation_s_network()
    {
        using var lab = RemoteLab.Create(1);
        var ws = lab.Workstation;
        await using var stack = await Stack.StartAsync(placement: new PluginPlacement(ws.Mounts.EnterPrefix, ws.Path));
        (await stack.UpAsync(Res("kvm:index:Bridge", "br", """{"name": "kvl-ws-br"}"""))).EnsureOk();
        Assert.NotNull(ws.Link("kvl-ws-br"));
        Assert.DoesNotContain("kvl-ws-br", Shell.Check("ip", "-o", "link", "show"));

        // Deleting a bridge already gone logs a warning: the fake engine, listening in the
        // workstation, gets it from the plugin there.
        ws.Ip("link", "del", "kvl-ws-br");
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Contains(stack.Engine.Logs, l => l.Message.Contains("bridge kvl-ws-br was already gone", StringComparison.Ordinal));
        Assert.DoesNotContain("unreachable", stack.Provider.Stderr);
    }

    [Fact]
    public void A_host_s_private_libvirtd_and_open_vswitch_answer_over_ssh()
    {
        using var lab = RemoteLab.Create(1, libvirt: true, ovs: true);
        var h1 = lab.Hosts[0];
        h1.Ovs!.AddBridge("ovsbr-remote");
        Assert.Contains("ovsbr-remote", Ok(lab, lab.Ssh(h1, "ovs-vsctl", "list-br")).StdOut);
        h1.Libvirtd!.VirshXml("net-define", "<network><name>remote-net</name><bridge name='kvl-remote'/></network>");
        // libvirt's own ssh transport (virt-ssh-helper on the far side), through the workstation's ~/.ssh/config
        var virsh = lab.Workstation.Mounts.Exec("virsh", ["-c", "qemu+ssh://h1/system", "net-list", "--all", "--name"], TimeSpan.FromMinutes(2));
        Assert.True(virsh.ExitCode == 0, $"virsh over qemu+ssh: {virsh.StdErr}\n{lab.Diagnostics()}");
        Assert.Contains("remote-net", virsh.StdOut);
    }

    [Fact]
    public void A_lab_leaves_the_default_namespace_as_it_was_and_nothing_behind()
    {
        var network = DefaultNetwork();
        var rootSsh = Listing("/root/.ssh");
        string[] names, folders;
        int[] pids;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using (var lab = RemoteLab.Create(2))
        {
            names = [lab.Workstation.Name, .. lab.Hosts.Select(h => h.Namespace.Name)];
            folders = [lab.Workstation.Mounts.StateDir, .. lab.Hosts.Select(h => h.Mounts.StateDir)];
            Ok(lab, lab.Ssh(lab.Hosts[1], "true"));
            // a session still open at Dispose: its ssh (workstation) and its shell (host) must end too
            using var session = lab.StartSsh("-o", Batch, "h1", "exec sleep 600");
            Poll.Until(() => SessionsOf(lab.Hosts[0]).Count > 0, TimeSpan.FromSeconds(60), "the session to start");
            pids = [session.Id, .. lab.Hosts.Select(h => h.SshdPid!.Value), .. SessionsOf(lab.Hosts[0])];
        }
        output.WriteLine($"create + 2 ssh sessions + dispose: {sw.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(network, DefaultNetwork());
        Assert.Equal(rootSsh, Listing("/root/.ssh"));
        var list = Shell.Check("ip", "netns", "list");
        Assert.All(names, n => Assert.DoesNotContain(n, list));
        Assert.All(folders, f => Assert.False(Directory.Exists(f), f));
        Assert.All(pids, p => Assert.False(Poll.Alive(p), $"pid {p} still runs"));
        Assert.Empty(StrayLabSshds());
    }

    [Fact]
    public void A_create_that_fails_halfway_removes_what_it_made()
    {
        var namespaces = Leftovers.Namespaces();
        var folders = OurFolders();
        // h1 comes up whole; h2's sshd refuses the port, after its namespace and link were made.
        var e = Assert.Throws<InvalidOperationException>(() => RemoteLab.Create(2, ports: [22, 70000]));
        output.WriteLine(e.Message);
        Assert.Contains("bad port: 70000", e.Message);
        Assert.Equal(namespaces, Leftovers.Namespaces());
        Assert.Equal(folders, OurFolders());
        Assert.Empty(StrayLabSshds());
        Assert.Throws<ArgumentOutOfRangeException>(() => RemoteLab.Create(0));
    }

    private ShellResult Ok(RemoteLab lab, ShellResult r)
    {
        Assert.True(r.ExitCode == 0, $"ssh failed with exit code {r.ExitCode}: {r.StdErr}\n{lab.Diagnostics()}");
        return r;
    }

    /// <summary>ssh's failure as a user sees it: exit code 255 and <paramref name="expected"/> on stderr.</summary>
    private ShellResult Failed(ShellResult r, string expected)
    {
        output.WriteLine($"exit code {r.ExitCode}, stderr:\n{r.StdErr}");
        Assert.Equal(255, r.ExitCode);
        Assert.Contains(expected, r.StdErr);
        return r;
    }

    /// <summary>The extension names a VERSION packet lists after its version (uint32-length strings, name then value).</summary>
    private static List<string> SftpExtensions(byte[] body)
    {
        var names = new List<string>();
        var at = 5;
        for (var name = true; at + 4 <= body.Length; name = !name)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(at));
            if (name) names.Add(System.Text.Encoding.UTF8.GetString(body, at + 4, length));
            at += 4 + length;
        }
        return names;
    }

    /// <summary>The default namespace's addresses and routes, without the lifetimes that count down by themselves.</summary>
    private static string DefaultNetwork() =>
        LifeTime().Replace(Shell.Check("ip", "-j", "addr") + "\n" + Shell.Check("ip", "-j", "route"), "");

    [GeneratedRegex(@"""(valid|preferred)_life_time"":\d+,?")]
    private static partial Regex LifeTime();

    private static string Listing(string dir) =>
        !Directory.Exists(dir) ? "(none)" : string.Join("\n", Directory.GetFileSystemEntries(dir).Order(StringComparer.Ordinal)
            .Select(f => $"{f} {File.GetLastWriteTimeUtc(f):O}"));

    /// <summary>State folders of this test process (/tmp/kvmlab-&lt;pid&gt;-*).</summary>
    private static List<string> OurFolders() =>
        [.. Directory.GetDirectories(Path.GetTempPath(), $"{LabSetup.Prefix}-{Environment.ProcessId}-*").Order(StringComparer.Ordinal)];

    /// <summary>The remote commands (sleep) running in a host's network namespace.</summary>
    private static List<int> SessionsOf(RemoteLabHost host) =>
        [.. Processes().Where(p => p.Comm == "sleep" && Leftovers.NetNs(p.Pid) == Leftovers.NetNsOf(host.Namespace)).Select(p => p.Pid)];

    /// <summary>
    /// Lab sshds (started by sshd-start.sh, of any test run) whose network namespace no longer has a
    /// name: a lab that was removed but left its sshd running.
    /// </summary>
    private static List<int> StrayLabSshds()
    {
        var named = Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns").Select(f => $"net:[{Shell.Check("stat", "-L", "-c", "%i", f).Trim()}]").ToHashSet()
            : [];
        return [.. Processes().Where(p => p.CommandLine.Contains("/var/lib/kvmlab-sshd/sshd_config", StringComparison.Ordinal))
            .Where(p => Leftovers.NetNs(p.Pid) is { } net && !named.Contains(net)).Select(p => p.Pid)];
    }

    private static IEnumerable<(int Pid, string Comm, string CommandLine)> Processes()
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || !Poll.Alive(pid)) continue;
            string comm, cmdline;
            try
            {
                comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            yield return (pid, comm, cmdline);
        }
    }
}

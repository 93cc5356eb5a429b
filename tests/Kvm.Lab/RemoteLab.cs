using System.Diagnostics;
using System.Globalization;

namespace Kvm.Lab;

/// <summary>
/// A workstation and remote KVM hosts reached over SSH, all in lab namespaces: the workstation
/// (where the plugin runs) has a private /root whose ~/.ssh holds a throwaway key, known_hosts
/// pinning every host's key, and a config with one <c>Host hN</c> entry per host; each host runs
/// its own sshd (Debian's openssh-server, key login for root only) on 10.250.N.2, and optionally
/// a private libvirtd and Open vSwitch, and is joined to the workstation (10.250.N.1) by a veth
/// pair made between the two namespaces. The system's OpenSSH client works from the workstation
/// as it would for a user: <c>ssh h1</c>, <c>ssh root@10.250.1.2</c>, <c>qemu+ssh://h1/system</c>.
/// tests/lab/remote-host-up.sh does the work (remote-lab-up.sh is the same by hand). Dispose ends
/// every process of every namespace (sshd and sessions included) and removes namespaces and state.
/// </summary>
public sealed class RemoteLab : IDisposable
{
    private readonly List<IDisposable> owned = [];
    private readonly List<RemoteLabHost> hosts = [];
    private LabNamespace? workstation;
    private bool disposed;

    /// <summary>Where the plugin and the ssh client run; its <see cref="LabNamespace.Mounts"/> has the private home.</summary>
    public LabNamespace Workstation => workstation ?? throw new InvalidOperationException("the lab has no workstation yet");

    public IReadOnlyList<RemoteLabHost> Hosts => hosts;

    /// <summary>Host path of the workstation user's (root's) home.</summary>
    public string WorkstationHome => Workstation.Mounts.HostPath("/root");

    /// <summary>Host path of the workstation's ~/.ssh/config (the hN entries).</summary>
    public string SshConfigPath => Path.Combine(WorkstationHome, ".ssh", "config");

    /// <summary>Host path of the workstation's ~/.ssh/known_hosts (every host's key, pinned).</summary>
    public string KnownHostsPath => Path.Combine(WorkstationHome, ".ssh", "known_hosts");

    /// <summary>Host path of the workstation's private key ~/.ssh/id_ed25519 (the .pub beside it).</summary>
    public string IdentityPath => Path.Combine(WorkstationHome, ".ssh", "id_ed25519");

    /// <summary>How long <see cref="Create"/> took.</summary>
    public TimeSpan CreateTime { get; private set; }

    private RemoteLab() { }

    /// <summary>
    /// A workstation and <paramref name="hosts"/> hosts h1..hN. <paramref name="ports"/>, when
    /// given, is each host's sshd port in order (22 for the rest). On any failure, whatever was
    /// made is removed before the exception propagates.
    /// </summary>
    public static RemoteLab Create(int hosts, bool libvirt = false, bool ovs = false, IReadOnlyList<int>? ports = null)
    {
        // 10.250.N.0/24 per host, N = 1..254.
        ArgumentOutOfRangeException.ThrowIfLessThan(hosts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hosts, 254);
        LabSetup.Ensure();
        var sw = Stopwatch.StartNew();
        var lab = new RemoteLab();
        try
        {
            lab.workstation = lab.Own(LabNamespace.CreateLab());
            lab.Workstation.Mounts.UsePrivateHome();
            for (var n = 1; n <= hosts; n++)
                lab.AddHost(n, ports is not null && n <= ports.Count ? ports[n - 1] : 22, libvirt, ovs);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
        lab.CreateTime = sw.Elapsed;
        return lab;
    }

    private void AddHost(int n, int port, bool libvirt, bool ovs)
    {
        var ns = Own(LabNamespace.CreateLab());
        // Prints "ALIAS ADDRESS PORT SSHD_PID". The port is checked there (sshd-start.sh), not here.
        var line = Shell.Run("sh", [LabPaths.Script("remote-host-up.sh"), Workstation.Mounts.StateDir, ns.Mounts.StateDir,
                n.ToString(CultureInfo.InvariantCulture), port.ToString(CultureInfo.InvariantCulture)], stdin: null, timeout: TimeSpan.FromMinutes(2))
            .EnsureSuccess($"tests/lab/remote-host-up.sh for h{n}").StdOut.Trim().Split(' ');
        var host = new RemoteLabHost(ns, line[0], line[1], int.Parse(line[2], CultureInfo.InvariantCulture));
        hosts.Add(host);
        if (libvirt) host.Libvirtd = Own(PrivateLibvirtd.Start(ns));
        if (ovs) host.Ovs = Own(OvsSwitch.Start(ns));
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        owned.Add(disposable);
        return disposable;
    }

    /// <summary>
    /// <c>ssh -o BatchMode=yes ALIAS COMMAND...</c> from the workstation, through its ~/.ssh/config.
    /// Like ssh itself, the words of the command are joined with spaces and run by the remote shell.
    /// </summary>
    public ShellResult Ssh(RemoteLabHost host, params string[] command) =>
        SshWith(["-o", "BatchMode=yes", host.Alias, .. command]);

    /// <summary>The ssh client in the workstation with exactly these arguments (and <paramref name="stdin"/>, text).</summary>
    public ShellResult SshWith(IEnumerable<string> sshArgs, TimeSpan? timeout = null, string? stdin = null) =>
        Workstation.Mounts.Exec("ssh", sshArgs, timeout ?? TimeSpan.FromMinutes(2), stdin);

    /// <summary>
    /// Starts the ssh client in the workstation with these arguments and returns it running, its
    /// standard streams redirected (binary: use the BaseStreams), for sessions a test drives itself
    /// (a subsystem, a connection cut mid-command). The caller disposes it; Dispose of the lab
    /// ends it in any case.
    /// </summary>
    public Process StartSsh(params string[] sshArgs)
    {
        var prefix = Workstation.Mounts.EnterPrefix;
        var psi = new ProcessStartInfo(prefix[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Skip(1)) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("ssh");
        foreach (var a in sshArgs) psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start ssh in the workstation");
    }

    /// <summary>Each host's sshd log tail, for a failing test's message.</summary>
    public string Diagnostics() => string.Join(Environment.NewLine, hosts.Select(h => $"{h}: {h.SshdLogTail()}"));

    /// <summary>
    /// Stops the hosts' libvirtd and Open vSwitch, then removes every namespace (ending all that
    /// runs in it: sshd, sessions, a plugin started in the workstation) and its state folder.
    /// Safe after a failed <see cref="Create"/> and when called twice.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        List<Exception>? errors = null;
        // Last made first: daemons before the namespace they run in.
        foreach (var d in Enumerable.Reverse(owned))
        {
            try { d.Dispose(); }
            catch (Exception e) { (errors ??= []).Add(e); }
        }
        if (errors is not null) throw new AggregateException("removing the remote lab", errors);
    }
}

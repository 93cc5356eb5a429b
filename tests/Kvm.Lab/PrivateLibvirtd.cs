using System.Diagnostics;

namespace Kvm.Lab;

/// <summary>
/// A libvirtd (+ virtlogd) of our own inside a lab namespace, with private state: its /run,
/// /var, /etc/libvirt are folders under the namespace's <see cref="LabMounts.StateDir"/>
/// (see <see cref="LabMounts"/>), so networks, domains, hooks and dnsmasq are all private and
/// everything network-side happens inside the namespace. Connect with <see cref="Uri"/>.
/// The QEMU capability probe (several seconds) is cached under .cache/libvirt-qemu-capabilities
/// and copied into each daemon's private cache: libvirt re-validates each entry (QEMU and
/// libvirt binaries, kernel, CPU) and re-probes when it is stale, and saving back is an atomic
/// rename, so concurrent daemons cannot corrupt it.
/// </summary>
public sealed class PrivateLibvirtd : IDisposable
{
    private readonly bool ownsNamespace;
    private bool disposed;

    public LabNamespace Namespace { get; }

    /// <summary>The lab mount namespace the daemon runs in (shared with other fixtures of <see cref="Namespace"/>).</summary>
    public LabMounts Mounts { get; }

    /// <summary>Host path of the daemon's socket (/run/libvirt/libvirt-sock inside).</summary>
    public string SocketPath => Mounts.HostPath("/run/libvirt/libvirt-sock");

    /// <summary><c>qemu:///system?socket=&lt;state&gt;/run/libvirt/libvirt-sock</c>: use it from the host (virsh, the libvirt API).</summary>
    public string Uri => $"qemu:///system?socket={SocketPath}";

    /// <summary>Host path of the daemon's /etc/libvirt/hooks: a hook installed here is seen after <see cref="Restart"/>.</summary>
    public string HooksDir => Mounts.HostPath("/etc/libvirt/hooks");

    /// <summary>Host path of the daemon's log (warnings and errors).</summary>
    public string LogPath => Mounts.HostPath("/var/log/libvirt/libvirtd.log");

    /// <summary>Host path of the guests' logs folder (/var/log/libvirt/qemu inside).</summary>
    public string QemuLogDir => Mounts.HostPath("/var/log/libvirt/qemu");

    /// <summary>How long the last start took until libvirtd answered.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>The overall deadline for libvirtd to answer after a start.</summary>
    public static TimeSpan DefaultReadyTimeout { get; } = TimeSpan.FromMinutes(3);

    private static string CapsCache => Path.Combine(LabPaths.Cache, "libvirt-qemu-capabilities");

    private PrivateLibvirtd(LabNamespace ns, bool owns)
    {
        Namespace = ns;
        ownsNamespace = owns;
        Mounts = ns.Mounts;
    }

    /// <summary>
    /// Starts a private libvirtd in <paramref name="ns"/> (or in a new lab namespace, removed on
    /// Dispose) and returns once <c>virsh version</c> answers.
    /// </summary>
    public static PrivateLibvirtd Start(LabNamespace? ns = null, TimeSpan? readyTimeout = null)
    {
        LabSetup.Ensure();
        var owns = ns is null;
        ns ??= LabNamespace.CreateLab();
        PrivateLibvirtd? d = null;
        try
        {
            d = new PrivateLibvirtd(ns, owns);
            d.StartDaemons(readyTimeout ?? DefaultReadyTimeout);
            return d;
        }
        catch
        {
            if (d is not null) d.Dispose();
            else if (owns) ns.Dispose();
            throw;
        }
    }

    private void StartDaemons(TimeSpan readyTimeout)
    {
        Directory.CreateDirectory(CapsCache);
        var sw = Stopwatch.StartNew();
        Mounts.Script("libvirtd-start.sh", CapsCache).EnsureSuccess("tests/lab/libvirtd-start.sh");
        var pidFile = Mounts.HostPath("/run/libvirt/libvirtd.pid");
        Poll.Until(() =>
            {
                if (Poll.ReadPid(pidFile) is { } pid && !Poll.Alive(pid))
                    throw new InvalidOperationException($"libvirtd exited during start. {Poll.Tail(LogPath)}");
                return File.Exists(SocketPath) && TryVirsh(TimeSpan.FromSeconds(30), "version").ExitCode == 0;
            },
            readyTimeout, $"private libvirtd in {Namespace.Name} to answer", () => Poll.Tail(LogPath));
        StartupTime = sw.Elapsed;
        SaveCapabilities();
    }

    /// <summary>Copies newly probed QEMU capabilities back to the persistent cache (atomic renames).</summary>
    private void SaveCapabilities()
    {
        var dir = Mounts.HostPath("/var/cache/libvirt/qemu/capabilities");
        if (!Directory.Exists(dir)) return;
        foreach (var f in Directory.GetFiles(dir, "*.xml"))
        {
            var target = Path.Combine(CapsCache, Path.GetFileName(f));
            var bytes = File.ReadAllBytes(f);
            if (File.Exists(target) && File.ReadAllBytes(target).AsSpan().SequenceEqual(bytes)) continue;
            var tmp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, target, overwrite: true);
        }
    }

    /// <summary>Runs virsh against this daemon; throws with its stderr when it fails. Returns stdout.</summary>
    public string Virsh(params string[] args) =>
        TryVirsh(args).EnsureSuccess($"virsh {string.Join(' ', args)}").StdOut;

    /// <summary>Runs virsh against this daemon and returns the result whatever it is.</summary>
    public ShellResult TryVirsh(params string[] args) => TryVirsh(TimeSpan.FromMinutes(2), args);

    private ShellResult TryVirsh(TimeSpan timeout, params string[] args) =>
        Shell.Run("virsh", ["-q", "-c", Uri, .. args], stdin: null, timeout: timeout);

    /// <summary>
    /// Runs a virsh command that takes an XML file (net-define, define, create, attach-device...):
    /// writes <paramref name="xml"/> to a temporary file and passes its path first.
    /// </summary>
    public string VirshXml(string command, string xml, params string[] moreArgs)
    {
        var file = Path.Combine(Mounts.StateDir, $"virsh-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, xml);
        try { return Virsh([command, file, .. moreArgs]); }
        finally { File.Delete(file); }
    }

    /// <summary>
    /// Restarts libvirtd only (virtlogd, guests and dnsmasq keep running; libvirt reconnects to
    /// them). libvirt looks for hook scripts when it starts: install hooks in
    /// <see cref="HooksDir"/>, then call this.
    /// </summary>
    public void Restart(TimeSpan? readyTimeout = null)
    {
        var pidFile = Mounts.HostPath("/run/libvirt/libvirtd.pid");
        if (Poll.ReadPid(pidFile) is { } pid && Poll.Alive(pid))
        {
            LabMounts.Signal([pid], "TERM");
            Poll.Until(() => !Poll.Alive(pid), TimeSpan.FromSeconds(30), "libvirtd to stop");
        }
        StartDaemons(readyTimeout ?? DefaultReadyTimeout);
    }

    /// <summary>
    /// Destroys running guests and networks (best effort, so libvirt tidies taps and bridges),
    /// stops libvirtd, its guests, dnsmasq and virtlogd by their pids, and removes the namespace
    /// if this fixture made it. Safe to call twice.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            if (!ownsNamespace && File.Exists(SocketPath))
            {
                foreach (var dom in Lines(TryVirsh(TimeSpan.FromSeconds(30), "list", "--name")))
                    TryVirsh(TimeSpan.FromSeconds(30), "destroy", dom);
                foreach (var net in Lines(TryVirsh(TimeSpan.FromSeconds(30), "net-list", "--name")))
                    TryVirsh(TimeSpan.FromSeconds(30), "net-destroy", net);
            }
        }
        finally
        {
            try
            {
                Shell.Run("sh", [LabPaths.Script("libvirtd-stop.sh"), Mounts.StateDir], stdin: null, timeout: TimeSpan.FromMinutes(2));
            }
            finally
            {
                if (ownsNamespace) Namespace.Dispose();
                else ClearState();
            }
        }
    }

    /// <summary>
    /// In a namespace that outlives this fixture, removes libvirt's private state (networks,
    /// domains, hooks, caches; logs stay until the namespace goes), so that a later
    /// PrivateLibvirtd there starts clean.
    /// </summary>
    private void ClearState()
    {
        foreach (var inside in new[] { "/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt" })
            Shell.Run("rm", "-rf", "--one-file-system", Mounts.HostPath(inside));
        var etc = Mounts.HostPath("/etc/libvirt");
        if (Directory.Exists(etc))
            foreach (var entry in Directory.GetFileSystemEntries(etc).Where(e => Path.GetFileName(e) != ".kvmlab-private"))
                Shell.Run("rm", "-rf", "--one-file-system", entry);
    }

    private static IEnumerable<string> Lines(ShellResult r) =>
        r.ExitCode != 0 ? [] : r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

namespace Kvm.Lab;

/// <summary>
/// The mount namespace shared by the lab daemons of one <see cref="LabNamespace"/>.
/// tests/lab/lab-holder.sh runs under <c>ip netns exec</c> (which gives it a private mount
/// namespace), bind-mounts folders under <see cref="StateDir"/> over /run, /var, /etc/libvirt and
/// /etc/openvswitch, and leaves a holder process (<c>sleep infinity</c>). Commands join it with
/// <c>nsenter -t HOLDER -m -n -r</c>: each sees the same private mounts, whichever fixture started
/// first, and the host's folders are never written. Get one from <see cref="LabNamespace.Mounts"/>.
/// A private /root (StateDir/root) is added on demand: <see cref="UsePrivateHome"/>.
/// </summary>
public sealed class LabMounts
{
    /// <summary>The host folder behind the namespace's private mounts: /tmp/kvmlab-&lt;pid&gt;-&lt;id&gt;.</summary>
    public string StateDir { get; }

    /// <summary>The holder process whose mount namespace the lab daemons share.</summary>
    public int HolderPid { get; }

    /// <summary>The network namespace this belongs to.</summary>
    public string NamespaceName { get; }

    private LabMounts(string ns, string stateDir, int holderPid)
    {
        NamespaceName = ns;
        StateDir = stateDir;
        HolderPid = holderPid;
    }

    internal static LabMounts Start(LabNamespace ns)
    {
        LabSetup.Ensure();
        // The state folder carries the namespace's name when it is a lab one (so the sweep pairs them).
        var dir = Path.Combine(Path.GetTempPath(),
            ns.Name.StartsWith(LabSetup.Prefix + "-", StringComparison.Ordinal) ? ns.Name : LabSetup.NewName());
        Directory.CreateDirectory(dir);
        var r = Shell.Run("ip", "netns", "exec", ns.Name, "sh", LabPaths.Script("lab-holder.sh"), dir);
        if (r.ExitCode != 0)
        {
            DeleteFolder(dir);
            r.EnsureSuccess("tests/lab/lab-holder.sh");
        }
        return new LabMounts(ns.Name, dir, int.Parse(r.StdOut.Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The host path of a path inside the lab mount namespace (/run/x -> StateDir/run/x; /var,
    /// /etc/libvirt, /etc/openvswitch likewise, and /root once <see cref="UsePrivateHome"/> made it private).
    /// </summary>
    public string HostPath(string inside)
    {
        foreach (var top in new[] { "/run", "/var", "/etc/libvirt", "/etc/openvswitch", "/root" })
        {
            if (inside != top && !inside.StartsWith(top + "/", StringComparison.Ordinal)) continue;
            if (top == "/root" && !HasPrivateHome) return inside;
            return StateDir + (top.StartsWith("/etc/", StringComparison.Ordinal) ? "/etc" + inside[4..] : inside);
        }
        return inside;
    }

    /// <summary>Whether /root in here is the private folder StateDir/root (see <see cref="UsePrivateHome"/>).</summary>
    public bool HasPrivateHome => File.Exists(Path.Combine(StateDir, "root", ".kvmlab-private"));

    /// <summary>
    /// Makes /root in here the private folder StateDir/root (tests/lab/lab-home.sh; idempotent).
    /// OpenSSH finds ~/.ssh through root's passwd entry, not $HOME, so this is how a lab gets its own
    /// keys, ssh config and known_hosts; what a session writes into its home stays in the lab.
    /// </summary>
    public void UsePrivateHome() => Script("lab-home.sh", StateDir).EnsureSuccess("tests/lab/lab-home.sh");

    /// <summary>
    /// The command prefix that runs a program in this namespace's network and lab mount namespace
    /// (<c>nsenter -t HOLDER -m -n -r --</c>): for programs a test starts itself, such as the plugin.
    /// -r: entering a mount namespace sets the root to the namespace's own, which in the kernel VM
    /// (a chroot into the machine's root) is the initramfs; the holder's root is the right one.
    /// </summary>
    public IReadOnlyList<string> EnterPrefix =>
        ["nsenter", "-t", HolderPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "-n", "-r", "--"];

    /// <summary>Runs a command in the namespace's network and lab mount namespace.</summary>
    public ShellResult Exec(string file, params string[] args) => Exec(file, args, TimeSpan.FromMinutes(5));

    public ShellResult Exec(string file, IEnumerable<string> args, TimeSpan timeout, string? stdin = null)
    {
        if (!Poll.Alive(HolderPid))
            throw new InvalidOperationException($"the lab mount namespace holder {HolderPid} of {NamespaceName} is gone");
        return Shell.Run(EnterPrefix[0], [.. EnterPrefix.Skip(1), file, .. args], stdin, timeout);
    }

    /// <summary>Runs a command in the lab namespace and returns stdout; throws on failure.</summary>
    public string Check(string file, params string[] args) =>
        Exec(file, args).EnsureSuccess($"{file} {string.Join(' ', args)} (in {NamespaceName})").StdOut;

    /// <summary>Runs one of the tests/lab scripts inside the lab namespace.</summary>
    public ShellResult Script(string name, params string[] args) =>
        Exec("sh", [LabPaths.Script(name), .. args], TimeSpan.FromMinutes(5));

    /// <summary>Ends every process in network namespace <paramref name="ns"/> (SIGTERM, then SIGKILL after a deadline).</summary>
    internal static void EndProcesses(string ns)
    {
        var r = Shell.Run("ip", "netns", "pids", ns);
        if (r.ExitCode != 0) return;
        var pids = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, out var pid) ? pid : 0).Where(p => p > 0).ToList();
        Signal(pids, "TERM");
        try
        {
            Poll.Until(() => pids.All(p => !Poll.Alive(p)), TimeSpan.FromSeconds(10), $"processes in {ns} to end");
        }
        catch (TimeoutException)
        {
            Signal(pids.Where(Poll.Alive), "KILL");
        }
    }

    internal static void Signal(IEnumerable<int> pids, string signal)
    {
        var list = pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (list.Length > 0) Shell.Run("kill", ["-" + signal, .. list], stdin: null, timeout: TimeSpan.FromSeconds(30));
    }

    internal void DeleteState() => DeleteFolder(StateDir);

    private static void DeleteFolder(string dir) =>
        // --one-file-system: never follow into a mount (there are none on the host side; belt and braces).
        Shell.Run("rm", "-rf", "--one-file-system", dir);
}

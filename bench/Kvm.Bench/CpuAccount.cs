using System.Globalization;
using Kvm.Lab;

namespace Kvm.Bench;

/// <summary>A set of processes whose CPU time is counted: every process of one network namespace.</summary>
public sealed record CpuGroup(string Name, LabNamespace Namespace)
{
    /// <summary>The namespace's identity as /proc/PID/ns/net shows it ("net:[INODE]"), read through its holder process.</summary>
    public string NetnsLink { get; } = CpuSnapshot.NetnsOf(Namespace.Mounts.HolderPid)
        ?? throw new InvalidOperationException($"cannot read the network namespace of {Namespace.Name}");
}

/// <summary>
/// CPU time (user + system, from /proc) of groups of processes at one moment. A process's share is its
/// utime + stime + cutime + cstime: the last two hold the whole CPU time of its children once it has reaped
/// them. So a process that starts and ends inside a measured window (an sshd session and the agent it ran,
/// a plugin and its ssh client) is counted in full through its parent, provided the window ends after it
/// was reaped (<see cref="End"/>) and the parent is counted: sshd's listener is in its host's namespace,
/// and the plugins are the harness's own children. The harness's process is split into its own time (the
/// fake engine and gRPC clients, standing in for the pulumi CLI) and its reaped children's (the plugins, each
/// with its ssh client). The machine's busy time (/proc/stat, all CPUs) shows what else ran meanwhile.
/// </summary>
public sealed record CpuSnapshot(IReadOnlyDictionary<string, long> GroupTicks, IReadOnlyDictionary<string, HashSet<int>> GroupPids,
    long HarnessTicks, long ChildrenTicks, long MachineBusyTicks)
{
    /// <summary>
    /// The start of a window: the groups first, then the harness and the machine, so that scanning /proc
    /// is not counted in the window.
    /// </summary>
    public static CpuSnapshot Begin(IReadOnlyList<CpuGroup> groups)
    {
        var (ticks, pids) = Scan(groups);
        var self = Stat(Environment.ProcessId) ?? throw new InvalidOperationException("cannot read /proc/self/stat");
        return new CpuSnapshot(ticks, pids, self.Utime + self.Stime, self.Cutime + self.Cstime, MachineBusy());
    }

    /// <summary>
    /// The end of a window begun at <paramref name="before"/>, called when the measured work is done (the
    /// plugins exited and reaped): the harness and the machine at once; the groups once they hold only
    /// processes they held at <paramref name="before"/> (the transient ones reaped and counted in their
    /// parents), waiting up to <paramref name="timeout"/> for that.
    /// </summary>
    public static CpuSnapshot End(CpuSnapshot before, IReadOnlyList<CpuGroup> groups, TimeSpan timeout)
    {
        var self = Stat(Environment.ProcessId) ?? throw new InvalidOperationException("cannot read /proc/self/stat");
        var machine = MachineBusy();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (ticks, pids) = Scan(groups);
            var left = pids.Sum(g => g.Value.Count(p => !before.GroupPids[g.Key].Contains(p)));
            if (left == 0 || DateTime.UtcNow > deadline)
            {
                if (left > 0) Console.WriteLine($"  (cpu accounting: {left} process(es) started in the window still ran {timeout.TotalSeconds:F0} s after it; their time so far is counted)");
                return new CpuSnapshot(ticks, pids, self.Utime + self.Stime, self.Cutime + self.Cstime, machine);
            }
            Thread.Sleep(20);
        }
    }

    private static (Dictionary<string, long> Ticks, Dictionary<string, HashSet<int>> Pids) Scan(IReadOnlyList<CpuGroup> groups)
    {
        var ticks = groups.ToDictionary(g => g.Name, _ => 0L);
        var pids = groups.ToDictionary(g => g.Name, _ => new HashSet<int>());
        var byLink = groups.ToDictionary(g => g.NetnsLink, g => g.Name);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (NetnsOf(pid) is not { } link || !byLink.TryGetValue(link, out var group)) continue;
            if (Stat(pid) is not { } t) continue;
            ticks[group] += t.Utime + t.Stime + t.Cutime + t.Cstime;
            pids[group].Add(pid);
        }
        return (ticks, pids);
    }

    /// <summary>The target of /proc/PID/ns/net ("net:[INODE]"); null when the process is gone or not ours to see (pid 1 here).</summary>
    public static string? NetnsOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record Times(long Utime, long Stime, long Cutime, long Cstime);

    /// <summary>Fields 14-17 of /proc/PID/stat (clock ticks), read after the command name, which may hold spaces.</summary>
    private static Times? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var f = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long F(int field) => long.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return new Times(F(14), F(15), F(16), F(17));
    }

    /// <summary>All CPUs' busy ticks: user, nice, system, irq, softirq, steal (guest time is inside user).</summary>
    private static long MachineBusy()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long F(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return F(1) + F(2) + F(3) + F(6) + F(7) + F(8);
    }
}

/// <summary>
/// CPU milliseconds consumed between two <see cref="CpuSnapshot"/>s: by each group, by the harness itself,
/// and by the harness's reaped children (in a refresh: the plugins, each with its ssh client).
/// </summary>
public sealed record CpuUse(IReadOnlyDictionary<string, double> GroupMs, double HarnessMs, double ChildrenMs, double MachineMs)
{
    private static readonly double TickMs = 1000.0 / long.Parse(Shell.Check("getconf", "CLK_TCK").Trim(), CultureInfo.InvariantCulture);

    public static CpuUse Between(CpuSnapshot before, CpuSnapshot after) => new(
        after.GroupTicks.ToDictionary(g => g.Key, g => (g.Value - before.GroupTicks[g.Key]) * TickMs),
        (after.HarnessTicks - before.HarnessTicks) * TickMs,
        (after.ChildrenTicks - before.ChildrenTicks) * TickMs,
        (after.MachineBusyTicks - before.MachineBusyTicks) * TickMs);

    /// <summary>What the lab's processes and the harness consumed together.</summary>
    public double OursMs => GroupMs.Values.Sum() + HarnessMs + ChildrenMs;

    /// <summary>The rest of the machine's busy time: other sessions' work, and the kernel's own threads.</summary>
    public double OthersMs => MachineMs - OursMs;
}

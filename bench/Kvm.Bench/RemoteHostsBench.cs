using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Bench;

/// <summary>
/// Issue goal: 8 hosts refreshed at once (8 plugin processes on the workstation, as the engine runs one
/// per provider, each with its own ssh session and agent) within 1.5x the wall time of one host alone,
/// by the same code. In the lab the 8 "hosts" (their libvirtd, sshd and agents) share this machine's
/// CPUs with the workstation, unlike 8 real machines: the CPU time every part consumed is measured
/// (<see cref="CpuSnapshot"/>) to tell what bound the wall time, and whether the workstation side
/// (plugins and ssh clients) scales.
/// </summary>
public static class RemoteHostsBench
{
    private const int Hosts = 8;
    private const double MaxSlowdown = 1.5;

    public static Comparison Run(int runs = 5)
    {
        using var lab = RemoteLab.Create(Hosts, libvirt: true);
        Console.WriteLine($"  remote lab: a workstation and {Hosts} hosts, made in {lab.CreateTime.TotalSeconds:F1} s");
        using var preparing = new SemaphoreSlim(4);
        var hosts = Task.WhenAll(lab.Hosts.Select(h => Task.Run(async () =>
        {
            await preparing.WaitAsync().ConfigureAwait(false);
            try { return await BenchHost.PrepareAsync(lab, h, withLocal: false).ConfigureAwait(false); }
            finally { preparing.Release(); }
        }))).GetAwaiter().GetResult();
        var groups = RemoteBench.Groups(lab, lab.Hosts);
        var one = new[] { hosts[0].Remote };
        var all = hosts.Select(h => h.Remote).ToList();

        ColdRefresh.RunTogether(one, Stack.UnboundedParallelism);
        ColdRefresh.RunTogether(all, Stack.UnboundedParallelism);
        var (cpuOne, cpuAll) = (new List<CpuUse>(), new List<CpuUse>());
        var (wallsOne, wallsAll) = (new List<double>(), new List<double>());
        double Measured(IReadOnlyList<RefreshTarget> targets, List<CpuUse> cpu, List<double> walls)
        {
            var before = CpuSnapshot.Begin(groups);
            var (wall, _) = ColdRefresh.RunTogether(targets, Stack.UnboundedParallelism);
            cpu.Add(CpuUse.Between(before, CpuSnapshot.End(before, groups, TimeSpan.FromSeconds(10))));
            walls.Add(wall);
            return wall;
        }
        var m = Measure.Rounds(runs, () => Measured(one, cpuOne, wallsOne), () => Measured(all, cpuAll, wallsAll));
        var (single, eight) = (m[0], m[1]);

        var ssh = SshCost.Take(lab, lab.Hosts[0]);
        var comparison = new Comparison($"{Hosts} hosts x {hosts[0].Remote.State.Count} resources refreshed at once over ssh, each a `pulumi refresh` of its own (wall, median of {runs})",
            $"{Hosts} plugins at once", eight, "one host alone", single, 1 / MaxSlowdown);
        Console.WriteLine(comparison);
        Console.WriteLine($"  every run, in order: one host {string.Join(", ", wallsOne.Select(w => $"{w:F0}"))} ms; " +
            $"{Hosts} hosts {string.Join(", ", wallsAll.Select(w => $"{w:F0}"))} ms");
        Report(runs, single, eight, cpuOne, cpuAll, lab.Hosts.Select(h => h.Alias).ToList(), ssh);

        // For reference: every plugin logging in anew (sshControlPersist 0), as the first command of a day does.
        var freshOne = new[] { hosts[0].RemoteFreshLogin };
        var freshAll = hosts.Select(h => h.RemoteFreshLogin).ToList();
        var (logOne, logAll) = (new List<CpuUse>(), new List<CpuUse>());
        var fresh = Measure.Rounds(runs, () => Measured(freshOne, logOne, []), () => Measured(freshAll, logAll, []));
        Console.WriteLine($"  for reference, every plugin logging in anew (sshControlPersist 0): one host {fresh[0]:F0} ms, {Hosts} at once {fresh[1]:F0} ms " +
            $"({fresh[1] / fresh[0]:F1}x); CPU of {Hosts} at once {Measure.Median(logAll.Select(c => c.OursMs)):F0} ms, of which plugins + ssh clients {Measure.Median(logAll.Select(c => c.ChildrenMs)):F0} ms");
        return comparison;
    }

    /// <summary>Where the CPU went, one host against eight (medians per quantity), and what that means for the wall time.</summary>
    private static void Report(int runs, double single, double eight, List<CpuUse> one, List<CpuUse> all, IReadOnlyList<string> aliases, SshCost ssh)
    {
        static double Med(IEnumerable<double> xs) => Measure.Median(xs);
        var hostOne = Med(one.Select(c => c.GroupMs[aliases[0]]));
        var hostsAll = Med(all.Select(c => aliases.Sum(a => c.GroupMs[a])));
        var (plugOne, plugAll) = (Med(one.Select(c => c.ChildrenMs)), Med(all.Select(c => c.ChildrenMs)));
        var (harnOne, harnAll) = (Med(one.Select(c => c.HarnessMs)), Med(all.Select(c => c.HarnessMs)));
        var (oursOne, oursAll) = (Med(one.Select(c => c.OursMs)), Med(all.Select(c => c.OursMs)));
        var (machOne, machAll) = (Med(one.Select(c => c.MachineMs)), Med(all.Select(c => c.MachineMs)));
        var cores = Environment.ProcessorCount;
        Console.WriteLine($"  CPU time (user + system, from /proc; medians of {runs}), one host alone -> {Hosts} at once:");
        Console.WriteLine($"    hosts' namespaces (sshd and its sessions, the agents, libvirtd): {hostOne:F0} -> {hostsAll:F0} ms ({hostsAll / hostOne:F1}x)");
        Console.WriteLine($"    workstation: plugins + their ssh clients {plugOne:F0} -> {plugAll:F0} ms ({plugAll / plugOne:F1}x); harness (fake engines, gRPC clients: the CLI's part) {harnOne:F0} -> {harnAll:F0} ms");
        Console.WriteLine($"    all of it {oursOne:F0} -> {oursAll:F0} ms; the whole machine was busy {machOne:F0} -> {machAll:F0} ms (other work: {machOne - oursOne:F0} -> {machAll - oursAll:F0} ms), " +
            $"that is {machOne / (cores * single) * 100:F0}% -> {machAll / (cores * eight) * 100:F0}% of its {cores} cores");
        Console.WriteLine($"    of which each host's ssh connection (`ssh {aliases[0]} true`: {ssh}) is about {ssh.ClientCpuMs:F0} ms on the workstation and {ssh.HostCpuMs:F0} ms on the host");
        var floor = oursAll / cores;
        Console.WriteLine($"  on this machine's {cores} cores, {oursAll:F0} ms of CPU need at least {floor:F0} ms of wall time: the goal ({MaxSlowdown}x one host = {MaxSlowdown * single:F0} ms) " +
            (floor > MaxSlowdown * single ? "is out of reach here, the lab is CPU-bound" : "is within the CPU's reach") +
            $"; the {Hosts} runs kept {oursAll / (cores * eight) * 100:F0}% of the {cores} cores busy with our work");
        var workstation = plugAll + harnAll;
        Console.WriteLine($"  the workstation's own part ({Hosts} plugins, ssh clients and the engine): {workstation:F0} ms of CPU, {workstation / (plugOne + harnOne):F1}x one host's " +
            $"(linear: {Hosts}.0x); with the hosts on machines of their own it alone would need at least {workstation / cores:F0} ms of wall time on {cores} cores " +
            $"({workstation / cores / single:F2}x one host's wall time)");
    }
}

namespace Kvm.Bench;

/// <summary>
/// Cold refreshes of one target, one per <see cref="Run"/>, <paramref name="parallelism"/> Reads at once:
/// each run's phases and the CPU it consumed (<paramref name="groups"/> and the harness), reported as medians.
/// </summary>
public sealed class RefreshSeries(string label, RefreshTarget target, int parallelism, IReadOnlyList<CpuGroup> groups)
{
    private readonly List<RefreshTimes> _times = [];
    private readonly List<CpuUse> _cpu = [];

    public string Label => label;

    /// <summary>One cold refresh; returns its end-to-end time (for <see cref="Measure.Rounds"/>).</summary>
    public double Run()
    {
        var before = CpuSnapshot.Begin(groups);
        var times = ColdRefresh.RunAsync(target, parallelism).GetAwaiter().GetResult();
        _cpu.Add(CpuUse.Between(before, CpuSnapshot.End(before, groups, TimeSpan.FromSeconds(10))));
        _times.Add(times);
        return times.TotalMs;
    }

    /// <summary>A run that is not kept (the first one pays for the harness's JIT and cold caches).</summary>
    public void WarmUp() => ColdRefresh.RunAsync(target, parallelism).GetAwaiter().GetResult();

    public double TotalMs => Measure.Median(_times.Select(t => t.TotalMs));

    public double StartMs => Measure.Median(_times.Select(t => t.StartMs));

    public double RefreshMs => Measure.Median(_times.Select(t => t.RefreshMs));

    public double ExitMs => Measure.Median(_times.Select(t => t.ExitMs));

    /// <summary>Median CPU of one run by the plugin (with its ssh client) and by each group.</summary>
    public double PluginCpuMs => Measure.Median(_cpu.Select(c => c.ChildrenMs));

    public double GroupCpuMs(string group) => Measure.Median(_cpu.Select(c => c.GroupMs[group]));

    public override string ToString() =>
        $"{label}: {TotalMs:F0} ms (range {_times.Min(t => t.TotalMs):F0}-{_times.Max(t => t.TotalMs):F0}) = start + Configure {StartMs:F0} + {target.State.Count} Reads {RefreshMs:F0} + exit {ExitMs:F0} " +
        $"(medians of {_times.Count}; drift in {_times.Max(t => t.Drifted)}); CPU per run: plugin{(target.Placement is null ? "" : " + ssh client")} {PluginCpuMs:F0} ms, " +
        string.Join(", ", _cpu[0].GroupMs.Keys.Select(g => $"{g} namespace {GroupCpuMs(g):F0} ms")) +
        $", harness {Measure.Median(_cpu.Select(c => c.HarnessMs)):F0} ms";
}

using System.Diagnostics;

namespace Kvm.Bench;

/// <summary>A benchmark's verdict: our median against a baseline's median measured in the same run.</summary>
public sealed record Comparison(string Name, string Ours, double OursMs, string Baseline, double BaselineMs, double RequiredRatio)
{
    public double Ratio => BaselineMs / OursMs;

    /// <summary>A target besides the ratio (an absolute budget, counts that must match), printed by the bench itself.</summary>
    public bool OtherTargetsMet { get; init; } = true;

    public bool Met => Ratio >= RequiredRatio && OtherTargetsMet;

    public override string ToString() =>
        $"{Name}: {Ours} {OursMs:F2} ms vs {Baseline} {BaselineMs:F2} ms -> " + (Ratio >= 1 ? $"{Ratio:F1}x faster " : $"{1 / Ratio:F1}x slower ") +
        (RequiredRatio > 0 ? $"(need >= {RequiredRatio}x) {(Ratio >= RequiredRatio ? "OK" : "NOT MET")}" : "(no ratio target)");
}

public static class Measure
{
    /// <summary>Median wall time of <paramref name="runs"/> runs, in milliseconds.</summary>
    public static double Median(int runs, Action body)
    {
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            body();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Runs two bodies alternately, so machine load hits both the same way.</summary>
    public static (double A, double B) Interleaved(int runs, Action a, Action b)
    {
        var ta = new List<double>(runs);
        var tb = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            a();
            ta.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            b();
            tb.Add(sw.Elapsed.TotalMilliseconds);
        }
        ta.Sort();
        tb.Sort();
        return (ta[runs / 2], tb[runs / 2]);
    }
}

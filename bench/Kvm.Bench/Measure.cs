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
        (RequiredRatio > 0 ? $"({Need}) {(Ratio >= RequiredRatio ? "OK" : "NOT MET")}" : "(no ratio target)");

    /// <summary>A goal under 1 reads as a slowdown allowed against the baseline ("at most 2x slower").</summary>
    private string Need => RequiredRatio >= 1 ? $"need >= {RequiredRatio}x" : $"need at most {1 / RequiredRatio:0.##}x slower";
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
        var medians = Rounds(runs, () => Time(a), () => Time(b));
        return (medians[0], medians[1]);
    }

    private static double Time(Action body)
    {
        var sw = Stopwatch.StartNew();
        body();
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Runs the bodies in turn, round after round (so machine load hits them alike); each returns the
    /// time it measured itself, in milliseconds (only the part that counts). Returns each body's median.
    /// </summary>
    public static double[] Rounds(int runs, params Func<double>[] bodies)
    {
        var times = bodies.Select(_ => new List<double>(runs)).ToArray();
        for (var i = 0; i < runs; i++)
            for (var b = 0; b < bodies.Length; b++) times[b].Add(bodies[b]());
        return [.. times.Select(Median)];
    }

    /// <summary>The median of some values (the upper one of the middle two for an even count, as above).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

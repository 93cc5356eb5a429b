using System.Diagnostics;
using Kvm.Engine;

namespace Kvm.Bench;

/// <summary>
/// A stack to refresh: the provider's config, where its plugin runs (null: beside the harness), and the
/// state saved by an earlier `pulumi import`.
/// </summary>
public sealed record RefreshTarget(string Label, string ConfigJson, PluginPlacement? Placement, IReadOnlyList<ResourceState> State);

/// <summary>The phases of one cold refresh, in milliseconds.</summary>
/// <param name="StartMs">Plugin exec to Configure answered (remote: the ssh connection and the agent's start included).</param>
/// <param name="RefreshMs">Every resource's Read.</param>
/// <param name="ExitMs">SIGTERM to the plugin's exit (remote: it closes the session and waits for ssh).</param>
/// <param name="ExitedAt">When the plugin had exited (a <see cref="Stopwatch.GetTimestamp"/>): runs started together end at the last one.</param>
public sealed record RefreshTimes(double StartMs, double RefreshMs, double ExitMs, int Drifted, long ExitedAt)
{
    public double TotalMs => StartMs + RefreshMs + ExitMs;
}

/// <summary>
/// What a user's `pulumi refresh` costs the provider, end to end: a new plugin process, Configure, the
/// saved state loaded as the engine reads its state file, every resource read, and the plugin's exit
/// (the engine signals it when done). The harness's fake engine starts with it (a few ms, standing in
/// for the CLI's own start, which is not measured).
/// </summary>
public static class ColdRefresh
{
    public static async Task<RefreshTimes> RunAsync(RefreshTarget target, int parallelism)
    {
        var sw = Stopwatch.StartNew();
        var stack = await Stack.StartAsync(target.ConfigJson, placement: target.Placement).ConfigureAwait(false);
        double started, refreshed, exited;
        long exitedAt;
        RunResult result;
        IReadOnlyList<ResourceState> after;
        try
        {
            started = sw.Elapsed.TotalMilliseconds;
            stack.LoadState(target.State);
            result = await stack.RefreshAsync(parallelism).ConfigureAwait(false);
            refreshed = sw.Elapsed.TotalMilliseconds;
            after = stack.State;
            var code = await stack.Provider.TerminateAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            exited = sw.Elapsed.TotalMilliseconds;
            exitedAt = Stopwatch.GetTimestamp();
            if (code != 0) throw new InvalidOperationException($"{target.Label}: the plugin exited with {code}:\n{stack.Provider.Stderr}");
        }
        catch
        {
            Console.Error.WriteLine($"{target.Label}: plugin stderr:\n{stack.Provider.Stderr}");
            throw;
        }
        finally
        {
            await stack.DisposeAsync().ConfigureAwait(false);
        }
        return new RefreshTimes(started, refreshed - started, exited - refreshed, Check(target, result, after), exitedAt);
    }

    /// <summary>
    /// Cold refreshes of all <paramref name="targets"/> started at once, each with its own plugin process
    /// (as the engine runs one per provider): the wall time from their start to the last plugin's exit.
    /// </summary>
    public static (double WallMs, IReadOnlyList<RefreshTimes> Each) RunTogether(IReadOnlyList<RefreshTarget> targets, int parallelism)
    {
        var start = Stopwatch.GetTimestamp();
        var each = Task.WhenAll(targets.Select(t => Task.Run(() => RunAsync(t, parallelism)))).GetAwaiter().GetResult();
        return (Stopwatch.GetElapsedTime(start, each.Max(t => t.ExitedAt)).TotalMilliseconds, each);
    }

    /// <summary>Every resource read back under the id it had (none failed or gone); returns how many drifted.</summary>
    private static int Check(RefreshTarget target, RunResult result, IReadOnlyList<ResourceState> after)
    {
        if (!result.Ok) throw new InvalidOperationException($"{target.Label}: the refresh failed:\n{StepRenderer.Render(result)}");
        var expected = target.State.Select(r => (r.Name, r.Id));
        var read = after.Select(r => (r.Name, r.Id));
        if (result.Steps.Count != target.State.Count || !read.SequenceEqual(expected))
            throw new InvalidOperationException($"{target.Label}: {result.Steps.Count} steps, {after.Count} of {target.State.Count} resources read back with their ids");
        var drifted = result.Steps.Where(s => s.Op == StepOp.Refresh).ToList();
        if (drifted.Count > 0) Console.WriteLine($"  {target.Label}: {drifted.Count} resources drifted, e.g.\n{StepRenderer.Render(drifted[0])}");
        return drifted.Count;
    }
}

using System.Globalization;
using Pulumirpc;

namespace Kvm.Engine;

/// <summary>
/// The whole output of one command as the pulumi CLI prints it: the heading ("Previewing update"
/// or "Updating"), the rows of the resources that change, the provider's diagnostics, the
/// "Resources:" summary ("+ 2 to create" or "+ 2 created") and, after a change, the duration.
/// </summary>
public static class CommandOutput
{
    public static string Render(RunResult result, string stack, string project, TimeSpan elapsed, IEnumerable<LogRequest> logs)
    {
        var lines = new List<string> { StepWords.Heading(result.Command, stack), "" };
        var changes = result.Changes.ToList();
        lines.Add($"    {"Type",-26} {"Name",-12} {(result.IsPlan ? "Plan" : "Status")}");
        lines.AddRange(changes.Select(s => StepRenderer.Render(s, result.IsPlan)));
        if (changes.Count == 0) lines.Add("    (no changes)");

        var all = logs.ToList();
        // The CLI shows ephemeral status in the resource's row while the step runs and keeps none of
        // it; printed afterwards, it is set apart and labelled, never mixed into the diagnostics.
        var statuses = all.Where(l => l.Ephemeral).Select(l => $"    {ResourceLabel(l.Urn, $"{project}-{stack}")} {l.Message}").ToList();
        if (statuses.Count > 0) lines.AddRange(["", "Status shown while it ran (ephemeral: beside the resource, then gone):", .. statuses]);

        var diagnostics = Diagnostics(all.Where(l => !l.Ephemeral), $"{project}-{stack}");
        if (diagnostics.Count > 0) lines.AddRange(["", "Diagnostics:", .. diagnostics]);

        lines.AddRange(["", "Resources:"]);
        lines.AddRange(result.Steps.GroupBy(s => s.Op).OrderBy(g => SummaryOrder(g.Key))
            .Select(g => "    " + StepWords.Summary(g.Key, g.Count(), result.IsPlan)));
        if (!result.IsPlan) lines.AddRange(["", $"Duration: {elapsed.TotalSeconds.ToString(elapsed.TotalSeconds < 10 ? "0.00" : "0", CultureInfo.InvariantCulture)}s"]);
        return string.Join("\n", lines);
    }

    /// <summary>What the provider logged (info and above), grouped by resource as "type (name):".</summary>
    private static List<string> Diagnostics(IEnumerable<LogRequest> logs, string stackLabel)
    {
        var lines = new List<string>();
        foreach (var group in logs.Where(l => l.Severity >= LogSeverity.Info).GroupBy(l => l.Urn))
        {
            lines.Add($"  {ResourceLabel(group.Key, stackLabel)}");
            lines.AddRange(group.Select(l => $"    {l.Severity.ToString().ToLowerInvariant()}: {l.Message}"));
        }
        return lines;
    }

    /// <summary>"type (name):" of a URN, or the stack's for a message without one.</summary>
    private static string ResourceLabel(string urn, string stackLabel)
    {
        var parts = urn.Split("::");
        return parts.Length >= 4 ? $"{parts[2]} ({parts[3]}):" : $"pulumi:pulumi:Stack ({stackLabel}):";
    }

    private static int SummaryOrder(StepOp op) => op switch
    {
        StepOp.Same => 10,
        StepOp.Failed => 11,
        _ => (int)op,
    };
}

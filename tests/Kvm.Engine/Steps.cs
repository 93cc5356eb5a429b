using Google.Protobuf.WellKnownTypes;
using Pulumirpc;

namespace Kvm.Engine;

public enum StepOp { Same, Create, Update, Replace, Delete, Refresh, Import, Failed }

/// <summary>One step of a preview, up, refresh, import or destroy, as the CLI would show it.</summary>
public sealed record Step(StepOp Op, string Type, string Name, string Urn)
{
    public DiffResponse? Diff { get; init; }
    public Struct? Inputs { get; init; }
    public Struct? OldOutputs { get; init; }
    public Struct? Outputs { get; init; }
    public string? Id { get; init; }
    public string? Error { get; init; }
    public Grpc.Core.StatusCode? ErrorCode { get; init; }
    public IReadOnlyList<CheckFailure> Failures { get; init; } = [];

    public string Symbol => Op switch
    {
        StepOp.Create => "+",
        StepOp.Update => "~",
        StepOp.Replace => "+-",
        StepOp.Delete => "-",
        StepOp.Refresh => "~",
        StepOp.Import => "=",
        StepOp.Failed => "!",
        _ => " ",
    };
}

/// <summary>The outcome of one command: its steps, and whether every step succeeded.</summary>
public sealed record RunResult(IReadOnlyList<Step> Steps)
{
    public bool Ok => Steps.All(s => s.Op != StepOp.Failed);
    public IEnumerable<Step> Changes => Steps.Where(s => s.Op != StepOp.Same);
    public Step this[string name] => Steps.Last(s => s.Name == name);

    public RunResult EnsureOk()
    {
        if (!Ok) throw new InvalidOperationException("the run failed:\n" + StepRenderer.Render(this));
        return this;
    }
}

/// <summary>The resource as the engine keeps it in its state file.</summary>
public sealed record ResourceState(string Type, string Name, string Urn, string Id, Struct Inputs, Struct Outputs)
{
    /// <summary>Set when Create reported ErrorResourceInitFailed: the next up must update it.</summary>
    public bool InitErrors { get; init; }
    public Value? Output(string path) => Props.Get(Outputs, path);
}

/// <summary>Prints steps the way `pulumi preview` / `pulumi up` do: + ~ - +- and property diffs.</summary>
public static class StepRenderer
{
    public static string Render(RunResult result) => string.Join("\n", result.Steps.Select(Render));

    public static string Render(Step s)
    {
        var lines = new List<string>();
        var verb = s.Op switch
        {
            StepOp.Same => "same",
            StepOp.Create => "create",
            StepOp.Update => "update",
            StepOp.Replace => "replace",
            StepOp.Delete => "delete",
            StepOp.Refresh => "refresh (drift)",
            StepOp.Import => "import",
            _ => "failed",
        };
        var head = $" {s.Symbol,-2} {s.Type,-26} {s.Name,-12} {verb}";
        if (s.Diff is { Diffs.Count: > 0 } d)
            head += $" [diff: {string.Join(", ", d.DetailedDiff.Select(x => KindSymbol(x.Value.Kind) + x.Key))}]";
        lines.Add(head);
        if (s.Diff is not null)
        {
            foreach (var (path, pd) in s.Diff.DetailedDiff.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                var before = Props.Get(s.OldOutputs, path);
                var after = Props.Get(s.Inputs, path);
                lines.Add(pd.Kind switch
                {
                    PropertyDiff.Types.Kind.Add or PropertyDiff.Types.Kind.AddReplace => $"      + {path}: {Props.Display(after)}",
                    PropertyDiff.Types.Kind.Delete or PropertyDiff.Types.Kind.DeleteReplace => $"      - {path}: {Props.Display(before)}",
                    _ => $"      {KindSymbol(pd.Kind)} {path}: {Props.Display(before)} => {Props.Display(after)}",
                });
            }
        }
        foreach (var f in s.Failures) lines.Add($"      error: {f.Property}: {f.Reason}");
        if (s.Error is not null) lines.Add($"      error: {s.Error}");
        return string.Join("\n", lines);
    }

    private static string KindSymbol(PropertyDiff.Types.Kind k) => k switch
    {
        PropertyDiff.Types.Kind.Add => "+",
        PropertyDiff.Types.Kind.Delete => "-",
        PropertyDiff.Types.Kind.Update => "~",
        _ => "+-",
    };
}

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

    public string Symbol => StepWords.Symbol(Op);
}

/// <summary>The CLI command a <see cref="RunResult"/> comes from: it decides the words used to show it.</summary>
public enum StackCommand { Preview, Up, Refresh, Import, Destroy }

/// <summary>The outcome of one command: its steps, and whether every step succeeded.</summary>
public sealed record RunResult(IReadOnlyList<Step> Steps, StackCommand Command)
{
    public bool Ok => Steps.All(s => s.Op != StepOp.Failed);
    public IEnumerable<Step> Changes => Steps.Where(s => s.Op != StepOp.Same);
    public Step this[string name] => Steps.Last(s => s.Name == name);

    /// <summary>Whether the command only planned (a preview): nothing on the host changed.</summary>
    public bool IsPlan => Command == StackCommand.Preview;

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

    /// <summary>The name of the provider that manages it ("default" unless the program names one).</summary>
    public string Provider { get; init; } = Stack.DefaultProvider;

    public Value? Output(string path) => Props.Get(Outputs, path);
}

/// <summary>Prints steps the way `pulumi preview` / `pulumi up` do: + ~ - +- and property diffs.</summary>
public static class StepRenderer
{
    public static string Render(RunResult result) => string.Join("\n", result.Steps.Select(s => Render(s, result.IsPlan)));

    /// <summary>One step: its row (a plan word in a preview, what was done otherwise), then its property changes.</summary>
    public static string Render(Step s, bool plan = false)
    {
        var lines = new List<string>();
        var head = $" {s.Symbol,-2} {s.Type,-26} {s.Name,-12} {StepWords.Status(s.Op, plan)}";
        if (s.Diff is { Diffs.Count: > 0 } d)
            head += $" [diff: {string.Join(", ", d.DetailedDiff.Select(x => KindSymbol(x.Value.Kind) + x.Key))}]";
        var drift = s.Op == StepOp.Refresh ? OutputChanges.Between(s.OldOutputs, s.Outputs) : [];
        if (drift.Count > 0) head += $" [diff: {string.Join(", ", drift.Select(c => c.Symbol + c.Path))}]";
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
        lines.AddRange(drift.Select(c => $"      {c}"));
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

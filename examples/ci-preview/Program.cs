// ci-preview: previews a stack of a kvm Pulumi program with the Automation API and tells CI
// whether the planned changes are safe for running guests.
//
//   dotnet run --project examples/ci-preview -- <stack> [--work-dir <project dir>]
//
// Exit codes: 0 = nothing would cut a running guest off; 2 = some change would (a replace or
// restart of a LibvirtNetwork, a replace or restart of a Domain whose guest runs, a Bridge
// replace); 1 = usage error or the preview failed. See README.md.
using System.Text.Json;
using Kvm.Examples.CiPreview;
using Pulumi.Automation;
using Pulumi.Automation.Commands.Exceptions;
using Pulumi.Automation.Events;

string? stackName = null;
string? explicitWorkDir = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--work-dir" && i + 1 < args.Length) explicitWorkDir = args[++i];
    else if (!args[i].StartsWith("--", StringComparison.Ordinal) && stackName is null) stackName = args[i];
    else
    {
        stackName = null;
        break;
    }
}
if (stackName is null)
{
    Console.Error.WriteLine("usage: ci-preview <stack> [--work-dir <directory holding Pulumi.yaml>]");
    return 1;
}
var workDir = Path.GetFullPath(explicitWorkDir ?? Directory.GetCurrentDirectory());
if (!File.Exists(Path.Combine(workDir, "Pulumi.yaml")) && !File.Exists(Path.Combine(workDir, "Pulumi.yml")))
{
    Console.Error.WriteLine($"ci-preview: no Pulumi.yaml in {workDir} (give --work-dir)");
    return 1;
}

var report = new PlanReport();

void OnEvent(EngineEvent e)
{
    if (e.ResourcePreEvent is { } pre)
    {
        var m = pre.Metadata;
        report.Add(new PlannedStep(
            m.Urn,
            m.Type,
            Operation(m.Op),
            m.Diffs is { } diffs ? [.. diffs] : m.DetailedDiff is { } dd ? [.. dd.Keys.Order(StringComparer.Ordinal)] : [],
            m.Keys is { } keys ? [.. keys] : [],
            GuestRunning(m)));
    }
    else if (e.DiagnosticEvent is { } d && Classification.Parse(d.Urn, d.Message) is { } c)
    {
        report.Add(c);
    }
}

PreviewResult result;
try
{
    using var stack = await LocalWorkspace.SelectStackAsync(new LocalProgramArgs(stackName, workDir));
    Console.WriteLine($"Previewing stack {stack.Name} of {workDir} ...");
    result = await stack.PreviewAsync(new PreviewOptions
    {
        OnEvent = OnEvent,
        Color = "never",
    });
}
catch (StackNotFoundException)
{
    Console.Error.WriteLine($"ci-preview: stack '{stackName}' does not exist in {workDir}");
    return 1;
}
catch (CommandException e)
{
    Console.Error.WriteLine($"ci-preview: the preview failed:\n{e.Message}");
    return 1;
}

Console.WriteLine();
Console.Write(report.Render());
Console.WriteLine();
Console.WriteLine("Summary: " + string.Join(", ", result.ChangeSummary
    .Where(kv => kv.Value > 0)
    .OrderBy(kv => kv.Key)
    .Select(kv => $"{kv.Value} {Operation(kv.Key)}")));

if (report.CutsAnyGuestOff)
{
    Console.Error.WriteLine("ci-preview: FAIL: this change would cut a running guest off its network (lines marked '!').");
    return 2;
}
Console.WriteLine("ci-preview: OK: no planned change cuts a running guest off.");
return 0;

static string Operation(OperationType op) => op switch
{
    OperationType.Same => "same",
    OperationType.Create => "create",
    OperationType.Update => "update",
    OperationType.Delete => "delete",
    OperationType.Replace => "replace",
    OperationType.CreateReplacement => "create-replacement",
    OperationType.DeleteReplaced => "delete-replaced",
    OperationType.Read => "read",
    OperationType.ReadReplacement => "read-replacement",
    OperationType.Refresh => "refresh",
    OperationType.ReadDiscard => "discard",
    OperationType.DiscardReplaced => "discard-replaced",
    OperationType.RemovePendingReplace => "remove-pending-replace",
    OperationType.Import => "import",
    OperationType.ImportReplacement => "import-replacement",
    _ => "unknown",
};

// A Domain's guest counts as running when its current state says running=true; for a Domain that
// does not exist yet, when its new inputs ask for running=true (the default).
static bool GuestRunning(StepEventMetadata m)
{
    if (m.Type != PlanReport.DomainType) return false;
    if (m.Old is { } old)
        return IsTrue(old.Outputs, "running") ?? IsTrue(old.Inputs, "running") ?? false;
    return m.New is { } n && (IsTrue(n.Inputs, "running") ?? true);
}

static bool? IsTrue(IReadOnlyDictionary<string, object>? values, string key)
{
    if (values is null || !values.TryGetValue(key, out var v)) return null;
    return v switch
    {
        bool b => b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        string s when bool.TryParse(s, out var b) => b,
        _ => null,
    };
}

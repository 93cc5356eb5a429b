using Kvm.Engine;

namespace Kvm.Demo;

/// <summary>Prints the demo the way a terminal session with `pulumi` would look.</summary>
public static class Narrator
{
    public static void Title(string text)
    {
        Console.WriteLine();
        Console.WriteLine(new string('=', Math.Min(100, text.Length + 6)));
        Console.WriteLine($"== {text} ==");
        Console.WriteLine(new string('=', Math.Min(100, text.Length + 6)));
    }

    public static void Say(string text) => Console.WriteLine($"# {text}");

    public static void Command(string command) => Console.WriteLine($"\n$ {command}");

    public static RunResult Show(RunResult result, string? expectation = null)
    {
        Console.WriteLine(StepRenderer.Render(result));
        var counts = result.Steps.GroupBy(s => s.Op).Select(g => $"{g.Count()} {Verb(g.Key)}");
        Console.WriteLine($"Resources: {string.Join(", ", counts)}");
        if (!result.Ok) throw new InvalidOperationException($"the demo expected this step to succeed{(expectation is null ? "" : $" ({expectation})")}");
        return result;
    }

    public static void ShowRefused(RunResult result)
    {
        Console.WriteLine(StepRenderer.Render(result));
        if (result.Ok) throw new InvalidOperationException("the demo expected this step to be refused");
    }

    public static void Host(string what, string output)
    {
        Console.WriteLine($"  [host] {what}:");
        foreach (var line in output.TrimEnd().Split('\n')) Console.WriteLine($"    {line}");
    }

    private static string Verb(StepOp op) => op switch
    {
        StepOp.Same => "unchanged",
        StepOp.Create => "to create/created",
        StepOp.Update => "to update/updated",
        StepOp.Replace => "to replace/replaced",
        StepOp.Delete => "to delete/deleted",
        StepOp.Refresh => "drifted",
        StepOp.Import => "imported",
        _ => "failed",
    };
}

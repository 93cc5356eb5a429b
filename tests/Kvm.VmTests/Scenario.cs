using System.Diagnostics;

namespace Kvm.VmTests;

/// <summary>A failed expectation inside a scenario.</summary>
public sealed class ScenarioFailure(string message) : Exception(message);

/// <summary>One named scenario; the host turns each into a test result.</summary>
public sealed record Scenario(string Name, Func<Task> Body);

/// <summary>The few assertions the scenarios need, with messages that say what differed.</summary>
public static class Expect
{
    public static void True(bool condition, string what)
    {
        if (!condition) throw new ScenarioFailure(what);
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new ScenarioFailure($"{what}: expected {expected}, got {actual}");
    }

    public static void Sequence<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        if (!e.SequenceEqual(a))
            throw new ScenarioFailure($"{what}: expected [{string.Join(", ", e)}], got [{string.Join(", ", a)}]");
    }
}

/// <summary>Runs scenarios one after the other and prints a line the host parses for each.</summary>
public static class Runner
{
    public const string PassMarker = "KVMTEST PASS ";
    public const string FailMarker = "KVMTEST FAIL ";

    public static async Task<int> RunAsync(IReadOnlyList<Scenario> scenarios, IReadOnlyCollection<string> only)
    {
        var failures = 0;
        foreach (var s in scenarios.Where(s => only.Count == 0 || only.Contains(s.Name)))
        {
            Console.WriteLine($"KVMTEST START {s.Name}");
            var sw = Stopwatch.StartNew();
            try
            {
                await s.Body().ConfigureAwait(false);
                Console.WriteLine($"{PassMarker}{s.Name} ({sw.ElapsedMilliseconds} ms)");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{FailMarker}{s.Name} ({sw.ElapsedMilliseconds} ms): {e.GetType().Name}: {e.Message.ReplaceLineEndings(" | ")}");
                if (e is not ScenarioFailure) Console.WriteLine(e.StackTrace);
            }
        }
        return failures;
    }
}

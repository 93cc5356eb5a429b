using System.Diagnostics;

namespace Kvm.Lab;

/// <summary>Waiting for a condition with an overall deadline (no fixed sleeps that assume a speed).</summary>
public static class Poll
{
    /// <summary>
    /// Calls <paramref name="condition"/> until it is true or <paramref name="deadline"/> has passed,
    /// then throws a <see cref="TimeoutException"/> naming <paramref name="what"/> and the
    /// <paramref name="diagnostics"/> (e.g. a log tail).
    /// </summary>
    public static void Until(Func<bool> condition, TimeSpan deadline, string what, Func<string>? diagnostics = null)
    {
        var sw = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        while (!condition())
        {
            if (sw.Elapsed > deadline)
                throw new TimeoutException($"{what}: not within {deadline.TotalSeconds:0} s. {diagnostics?.Invoke()}");
            Thread.Sleep(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <summary>Whether process <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] != 'Z';
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Reads a pid file; null when it is missing or empty.</summary>
    public static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? pid : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>The last <paramref name="lines"/> lines of a text file, or a note that it is missing.</summary>
    public static string Tail(string path, int lines = 20)
    {
        try
        {
            var all = File.ReadAllLines(path);
            return $"{path}:{Environment.NewLine}{string.Join(Environment.NewLine, all.TakeLast(lines))}";
        }
        catch (IOException) { return $"({path} is missing)"; }
    }
}

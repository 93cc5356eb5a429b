using System.Globalization;
using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Bench;

/// <summary>
/// Benchmarks that need the kernel VM (bridge VLAN filtering): one boot runs a shell script whose
/// measured parts print <c>KVMBENCH &lt;bench&gt; &lt;side&gt; key=value ...</c> lines, read back here.
/// </summary>
public static class VmBench
{
    /// <summary>Boots the VM, runs <paramref name="script"/> (the VM's loopback up, cwd /tmp) and echoes its output.</summary>
    public static string Run(string script, TimeSpan timeout)
    {
        var result = KernelVm.Run($"""
            ip link set lo up
            cd /tmp
            {script}
            """, timeout);
        foreach (var line in result.Output.TrimEnd().Split('\n')) Console.WriteLine($"  [vm] {line}");
        Console.WriteLine($"  (the VM booted, ran the bench and powered off in {result.Elapsed.TotalSeconds:F0} s)");
        result.EnsureSuccess("the bench in the kernel VM");
        return result.Output;
    }

    /// <summary>The key=value pairs of the line starting <c>KVMBENCH <paramref name="prefix"/></c>.</summary>
    public static IReadOnlyDictionary<string, string> Line(string output, string prefix)
    {
        var marker = $"KVMBENCH {prefix} ";
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"the VM printed no \"{marker}\" line");
        return line[marker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1]);
    }

    public static double Number(this IReadOnlyDictionary<string, string> line, string key) =>
        double.Parse(line[key], CultureInfo.InvariantCulture);

    public static string Runner
    {
        get
        {
            var runner = RepoPaths.VmTestsRunner;
            return File.Exists(runner) ? runner : throw new FileNotFoundException($"{runner} is missing: `make vmtests` publishes it");
        }
    }
}

using System.Diagnostics;
using Kvm.Engine;

namespace Kvm.Bench;

/// <summary>exec to port line: the NativeAOT plugin against the same code under the JIT.</summary>
public static class StartupBench
{
    public static Comparison Run(int runs = 20)
    {
        var aot = RepoPaths.ProviderBinary;
        var jit = Path.Combine(RepoPaths.Root, "provider", "Kvm.Provider", "bin", "Release", "net10.0", "pulumi-resource-kvm");
        if (!File.Exists(jit))
            throw new FileNotFoundException($"the JIT build {jit} is missing: `make bench` builds it (dotnet build -c Release provider/Kvm.Provider)");
        TimeToPort(aot);
        TimeToPort(jit);
        var (a, j) = Measure.Interleaved(runs, () => TimeToPort(aot), () => TimeToPort(jit));
        var comparison = new Comparison("start-up to port line (median of " + runs + ")", "NativeAOT", a, "JIT", j, 3);
        Console.WriteLine(comparison);
        Console.WriteLine($"  absolute: NativeAOT median {a:F1} ms (target <= 40 ms) {(a <= 40 ? "OK" : "NOT MET")}");
        return comparison;
    }

    private static void TimeToPort(string binary)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.BaseStream;
        int b;
        while ((b = stdout.ReadByte()) != -1 && b != '\n') { }
        p.Kill();
        p.WaitForExit();
    }
}

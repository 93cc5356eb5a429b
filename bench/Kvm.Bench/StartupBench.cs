using System.Diagnostics;
using Grpc.Net.Client;
using Kvm.Engine;

namespace Kvm.Bench;

/// <summary>
/// Start-up of the plugin, NativeAOT against the same code under the JIT: exec to the port line
/// (what the protocol asks), and exec to the first RPC answered (what the engine then waits for).
/// </summary>
public static class StartupBench
{
    public static Comparison Run(int runs = 20)
    {
        var aot = RepoPaths.ProviderBinary;
        var jit = Path.Combine(RepoPaths.Root, "provider", "Kvm.Provider", "bin", "Release", "net10.0", "pulumi-resource-kvm");
        if (!File.Exists(jit))
            throw new FileNotFoundException($"the JIT build {jit} is missing: `make bench` builds it (dotnet build -c Release provider/Kvm.Provider)");
        Start(aot, answer: true);
        Start(jit, answer: true);
        var (a, j) = Measure.Interleaved(runs, () => Start(aot, answer: false), () => Start(jit, answer: false));
        var comparison = new Comparison($"start-up to port line (median of {runs})", "NativeAOT", a, "JIT", j, 3);
        Console.WriteLine(comparison);
        Console.WriteLine($"  absolute: NativeAOT median {a:F1} ms (target <= 40 ms) {(a <= 40 ? "OK" : "NOT MET")}");
        var (aa, ja) = Measure.Interleaved(runs, () => Start(aot, answer: true), () => Start(jit, answer: true));
        Console.WriteLine(new Comparison($"start-up to the first RPC answered (median of {runs})", "NativeAOT", aa, "JIT", ja, 3));
        return comparison;
    }

    private static void Start(string binary, bool answer)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.BaseStream;
        var port = 0;
        int b;
        while ((b = stdout.ReadByte()) != -1 && b != '\n') port = port * 10 + (b - '0');
        if (answer)
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            new Pulumirpc.ResourceProvider.ResourceProviderClient(channel).GetPluginInfo(new Google.Protobuf.WellKnownTypes.Empty());
        }
        p.Kill();
        p.WaitForExit();
    }
}

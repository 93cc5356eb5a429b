using System.Diagnostics;
using static Kvm.Demo.Narrator;

namespace Kvm.Demo;

/// <summary>
/// The real Pulumi engine, where there is one: a `pulumi` CLI on PATH runs examples/host-network
/// against a lab host of its own (tests/lab/make-up.sh, what `make up` runs: preview, up, refresh,
/// destroy). The project's machines cannot install the CLI, so this act has not run there; without
/// it the demo says so and the harness plays the engine alone.
/// </summary>
public static class RealCliAct
{
    /// <summary>The `pulumi` executable the shell would run (PATH order), or null.</summary>
    public static string? FindPulumiCli() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "pulumi"))
            .FirstOrDefault(IsExecutable);

    private static bool IsExecutable(string path) =>
        File.Exists(path) && !OperatingSystem.IsWindows()
        && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    public static async Task RunAsync(string cli)
    {
        Title($"examples/host-network with the real pulumi CLI ({cli})");
        var script = Path.Combine(Kvm.Engine.RepoPaths.Root, "tests", "lab", "make-up.sh");
        Command($"bash {script}");
        // Its output is the CLI's own: it goes straight to the terminal.
        using var run = Process.Start(new ProcessStartInfo("bash", [script]) { UseShellExecute = false, WorkingDirectory = Kvm.Engine.RepoPaths.Root })
            ?? throw new InvalidOperationException("could not start bash");
        await run.WaitForExitAsync().ConfigureAwait(false);
        if (run.ExitCode != 0) throw new InvalidOperationException($"the real pulumi CLI's run of examples/host-network failed (exit code {run.ExitCode}); its output is above");
    }
}

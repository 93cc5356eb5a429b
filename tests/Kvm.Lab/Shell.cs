using System.Diagnostics;
using System.Text;

namespace Kvm.Lab;

/// <summary>The result of one external command run by a test or a lab fixture.</summary>
public sealed record ShellResult(int ExitCode, string StdOut, string StdErr)
{
    public ShellResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"{what} failed with exit code {ExitCode}: {StdErr.Trim()} {StdOut.Trim()}");
        return this;
    }
}

/// <summary>
/// Runs external programs (ip, bridge, virsh, libvirtd, qemu) for tests and lab set-up.
/// Product code never shells out; only tests and lab fixtures use this.
/// </summary>
public static class Shell
{
    public static ShellResult Run(string file, params string[] args) => Run(file, args, stdin: null, timeout: TimeSpan.FromMinutes(5));

    public static ShellResult Run(string file, IEnumerable<string> args, string? stdin, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        p.WaitForExit();
        return new ShellResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a command and throws with its stderr when it fails.</summary>
    public static string Check(string file, params string[] args) => Run(file, args).EnsureSuccess($"{file} {string.Join(' ', args)}").StdOut;
}

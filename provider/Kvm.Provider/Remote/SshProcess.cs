using System.Diagnostics;
using System.Text;

namespace Kvm.Provider.Remote;

/// <summary>The machine running Pulumi has no usable ssh client.</summary>
internal sealed class SshClientMissingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One run of the system's ssh client: its stdin and stdout are the session's byte streams, its
/// stderr (ssh's own messages and the remote program's) is kept in a short tail for error messages
/// and passed on line by line. When ssh logs to a file instead (-E, see <see cref="SshMultiplexing"/>),
/// what it appended there during this run joins the tail. It runs in the plugin's process group, so when the engine ends the
/// plugin's group ssh ends with it, and the remote side sees its input close.
/// </summary>
internal sealed class SshProcess : IAsyncDisposable
{
    private const int TailLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Task _stderrPump;
    private readonly string? _logPath;
    private readonly long _logStart;

    public Stream Input => _process.StandardInput.BaseStream;
    public Stream Output => _process.StandardOutput.BaseStream;
    public int Pid { get; }

    /// <summary>Completes with ssh's exit code once it has exited and its stderr is read to the end.</summary>
    public Task<int> Exited { get; }

    private SshProcess(Process process, Action<string>? onStderrLine, string? logPath, long logStart)
    {
        _process = process;
        _logPath = logPath;
        _logStart = logStart;
        Pid = process.Id;
        _stderrPump = Task.Run(async () =>
        {
            try
            {
                while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    lock (_tail)
                    {
                        _tail.Enqueue(line);
                        if (_tail.Count > TailLines) _tail.Dequeue();
                    }
                    onStderrLine?.Invoke(line);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        });
        Exited = WaitAsync();
    }

    private async Task<int> WaitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>What ssh and the remote program printed on stderr lately, and what ssh logged meanwhile.</summary>
    public string StderrTail
    {
        get
        {
            string[] stderr;
            lock (_tail) stderr = [.. _tail];
            return string.Join("\n", [.. LoggedSinceStart().TakeLast(TailLines), .. stderr]);
        }
    }

    /// <summary>The lines ssh appended to its log file since this run started (other ssh runs may share the file: all of them are about this host).</summary>
    private IEnumerable<string> LoggedSinceStart()
    {
        if (_logPath is null) return [];
        try
        {
            using var file = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            // Started over (it grew too large) after this run began: all of it is recent.
            file.Position = file.Length >= _logStart ? _logStart : 0;
            return new StreamReader(file).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static long LengthOf(string? path)
    {
        try
        {
            return path is not null && File.Exists(path) ? new FileInfo(path).Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Starts <c>ssh ARGS</c> (the program found on PATH, as a user's own ssh would be). Throws when there is no ssh.
    /// <paramref name="logPath"/>: the file ARGS tell ssh to log to (-E), if any.
    /// </summary>
    public static SshProcess Start(IReadOnlyList<string> args, Action<string>? onStderrLine = null, string? logPath = null)
    {
        var psi = new ProcessStartInfo(Locate())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var logStart = LengthOf(logPath);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("ssh did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SshClientMissingException($"cannot run the system's ssh client {psi.FileName} ({e.Message})", e);
        }
        return new SshProcess(process, onStderrLine, logPath, logStart);
    }

    /// <summary>
    /// ssh's full path, found on PATH as a shell would (absolute entries only). Done here rather than by
    /// Process, which also looks in the current folder first and fails when that folder is gone.
    /// </summary>
    private static string Locate()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Path.IsPathFullyQualified(dir)) continue;
            var candidate = Path.Combine(dir, SshCommand.Program);
            if (!OperatingSystem.IsWindows() && File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                return candidate;
        }
        throw new SshClientMissingException("the system's ssh client is not on PATH: install OpenSSH's client (Debian: openssh-client) on the machine running Pulumi");
    }

    /// <summary>Closes ssh's stdin: the remote program sees the end of its input and finishes.</summary>
    public void CloseInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>Waits up to <paramref name="grace"/> for ssh to exit after its input closed, then ends it.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        CloseInput();
        try
        {
            await Exited.WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        try
        {
            await Exited.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

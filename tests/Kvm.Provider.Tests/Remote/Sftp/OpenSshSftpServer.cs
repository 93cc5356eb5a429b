using System.Diagnostics;
using System.Text;
using Kvm.Provider.Remote.Sftp;

namespace Kvm.Provider.Tests.Remote.Sftp;

/// <summary>
/// OpenSSH's real sftp-server as a child process, speaking SFTP on its stdin and stdout (as it
/// does under sshd), started in a fresh temporary folder that disposal removes.
/// </summary>
internal sealed class OpenSshSftpServer : IAsyncDisposable
{
    public const string Program = "/usr/lib/openssh/sftp-server";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private OpenSshSftpServer(Process process, string root)
    {
        _process = process;
        Root = root;
    }

    /// <summary>The server's starting folder: relative paths resolve here.</summary>
    public string Root { get; }

    /// <summary>What the server logged on stderr (-e -l INFO: every open, rename, remove).</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Waits until the server's log (its stderr, read as it comes) holds <paramref name="text"/>; the
    /// server logs a request after it answers it, so the line may come a moment after the reply.
    /// </summary>
    public async Task<bool> LoggedAsync(string text)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(10))
            if (Log.Contains(text, StringComparison.Ordinal)) return true;
        return Log.Contains(text, StringComparison.Ordinal);
    }

    public bool HasExited => _process.HasExited;

    /// <param name="arguments">Extra sftp-server options, e.g. "-P", "posix-rename" to deny a request.</param>
    public static OpenSshSftpServer Start(params string[] arguments)
    {
        if (!File.Exists(Program))
            throw new InvalidOperationException(
                $"{Program} is missing: run tests/lab/install-packages.sh as root (it installs openssh-server, which brings openssh-sftp-server)");
        var root = Directory.CreateTempSubdirectory("kvm-sftp-").FullName;
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-e", "-l", "INFO", "-d", root, .. arguments])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Program} did not start");
        var server = new OpenSshSftpServer(process, root);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (server._log) server._log.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        return server;
    }

    public Task<SftpClient> ConnectAsync(CancellationToken ct = default) =>
        SftpClient.OpenAsync(_process.StandardInput.BaseStream, _process.StandardOutput.BaseStream, ct);

    public string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    public void Kill() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        // The client closed our end of stdin: sftp-server exits on end of input.
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        try
        {
            _process.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // Its stdin writer flushes into the pipe the client already closed.
        }
        Directory.Delete(Root, recursive: true);
    }
}

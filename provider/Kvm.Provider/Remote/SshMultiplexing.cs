using System.Diagnostics;

namespace Kvm.Provider.Remote;

/// <summary>
/// OpenSSH's connection sharing for the provider's sessions: the first session to a host becomes the
/// master of a connection that stays open for <see cref="SshOptions.ControlPersistSeconds"/> after
/// the plugin exits, so the next `pulumi` command (a new plugin process) reuses it instead of logging
/// in again: the login is most of the cost of a short command (a key exchange, sshd's session set-up).
/// The socket lives in ~/.pulumi-kvm/ssh/ (mode 0700). When the user's own ssh configuration sets up
/// sharing (ControlMaster / ControlPath), it is theirs that applies, untouched.
/// </summary>
internal static class SshMultiplexing
{
    /// <summary>Where the sockets go, in ssh's own tokens: the local user's home, and a hash of the connection's parameters.</summary>
    public const string SocketPattern = "%d/.pulumi-kvm/ssh/%C";

    /// <summary>A unix socket's path must fit in sun_path (108 bytes with its NUL on Linux); ssh needs room for a suffix while it binds.</summary>
    private const int MaxSocketPath = 90;

    /// <summary>ssh only appends to its log: past this size it starts over (the lines that matter are the latest).</summary>
    private const long MaxLogBytes = 256 * 1024;

    /// <summary>The ssh options that share connections to the target, or null (sharing is off, the user's config does it, or it cannot be set up).</summary>
    public static async Task<SshSharing?> OptionsAsync(ISshTarget target, CancellationToken ct)
    {
        if (target.Ssh.ControlPersistSeconds <= 0) return null;
        var theirs = await EffectiveConfigAsync(target, [], ct).ConfigureAwait(false);
        if (theirs is null || theirs.GetValueOrDefault("controlmaster") is not "false" || theirs.ContainsKey("controlpath")) return null;
        var ours = await EffectiveConfigAsync(target, ["-o", $"ControlPath={SocketPattern}"], ct).ConfigureAwait(false);
        if (ours?.GetValueOrDefault("controlpath") is not { Length: > 0 and <= MaxSocketPath } path || !Path.IsPathFullyQualified(path)) return null;
        var log = path + ".log";
        try
        {
            var folder = Path.GetDirectoryName(path)!;
            if (!OperatingSystem.IsWindows())
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (File.Exists(log) && new FileInfo(log).Length > MaxLogBytes) File.Delete(log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return new SshSharing(
            ["-o", "ControlMaster=auto", "-o", $"ControlPath={path}", "-o", $"ControlPersist={target.Ssh.ControlPersistSeconds}", "-E", log], log);
    }

    /// <summary>`ssh -G`: the configuration ssh would use for the target (it does not connect), as lower-case keys; null when ssh fails.</summary>
    private static async Task<Dictionary<string, string>?> EffectiveConfigAsync(ISshTarget target, IReadOnlyList<string> extra, CancellationToken ct)
    {
        await using var ssh = SshProcess.Start([.. SshCommand.Options(target), .. extra, "-G", "--", target.Destination.Host]);
        ssh.CloseInput();
        var output = await new StreamReader(ssh.Output).ReadToEndAsync(ct).ConfigureAwait(false);
        if (await ssh.Exited.WaitAsync(ct).ConfigureAwait(false) != 0) return null;
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ');
            if (space > 0) config.TryAdd(line[..space].ToLowerInvariant(), line[(space + 1)..]);
        }
        return config;
    }
}

/// <summary>ssh options that share one connection between sessions, and the file ssh (the master included) writes its messages to.</summary>
internal sealed record SshSharing(IReadOnlyList<string> Options, string LogPath);

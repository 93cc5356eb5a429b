using System.Globalization;

namespace Kvm.Provider.Remote;

/// <summary>What went wrong reaching a host, for people: the host, the cause as ssh told it, and what to check.</summary>
internal static class SshFailure
{
    /// <summary>ssh's own exit code for its failures (connection, authentication, host key).</summary>
    public const int SshError = 255;

    /// <summary>The remote shell's exit code for a command that does not exist.</summary>
    public const int CommandNotFound = 127;

    /// <summary>The remote shell's exit code for a file it could not execute.</summary>
    public const int CannotExecute = 126;

    /// <summary>The agent binary is not at its path on the host (so it must be installed).</summary>
    public static bool IsMissingProgram(int exitCode, string stderr) =>
        exitCode == CommandNotFound
        || (exitCode == CannotExecute && (stderr.Contains("No such file", StringComparison.Ordinal) || stderr.Contains("Not a directory", StringComparison.Ordinal)));

    /// <summary>A message naming the host, what happened and what to check.</summary>
    public static string Describe(SshDestination host, int exitCode, string stderr)
    {
        var last = LastMeaningfulLine(stderr);
        bool Has(string s) => stderr.Contains(s, StringComparison.OrdinalIgnoreCase);
        var port = host.Port?.ToString(CultureInfo.InvariantCulture) ?? "22 or as ~/.ssh/config says";

        if (Has("REMOTE HOST IDENTIFICATION HAS CHANGED"))
            return $"the SSH host key of {host} has changed since known_hosts recorded it, so ssh refuses to connect. If the host was reinstalled, verify its new key and replace the old one (ssh-keygen -R {host.Host}); otherwise someone may be intercepting the connection";
        if (Has("Host key verification failed") || Has("No ED25519 host key is known") || Has("host key is not known"))
            return $"the SSH host key of {host} is not in known_hosts, and the provider never asks to accept one: connect once by hand (ssh {host}) and check the fingerprint, or add the key to ~/.ssh/known_hosts";
        if (Has("Could not resolve hostname") || Has("Name or service not known") || Has("Temporary failure in name resolution"))
            return $"cannot resolve the host name of {host}: check the name, or give it a Host entry in ~/.ssh/config ({last})";
        if (Has("Connection refused"))
            return $"{host} refused the SSH connection (port {port}): check that sshd runs there and listens on that port";
        if (Has("not responding"))
            return $"{host} stopped answering ({last}; ssh gives up after {SshCommand.AliveCountMax} keep-alives {SshCommand.AliveIntervalSeconds} s apart): the host, or the network between here and there, went away";
        if (Has("timed out") || Has("No route to host") || Has("Network is unreachable") || Has("Host is down"))
            return $"cannot reach {host} over SSH ({last}): check that the host is up, its address and port, and the network between here and there";
        if (Has("Permission denied") || Has("Too many authentication failures"))
            return $"{host} refused the SSH login ({last}): check that your key is in the remote user's authorized_keys and available to ssh (ssh-agent, or IdentityFile in ~/.ssh/config); the provider never prompts for a password or passphrase";
        if (Has("Exec format error") || Has("cannot execute binary file"))
            return $"{host} cannot run the provider's binary ({last}): it is not an x86-64 Linux host, and the plugin only brings its own build";
        if (Has("GLIBC_") && Has("not found"))
            return $"{host} cannot run the provider's binary: its C library is older than the one the plugin was built against ({last}); upgrade the host's glibc";
        if (Has("noexec") || (exitCode == CannotExecute && Has("Permission denied")))
            return $"{host} does not let the remote user run programs from ~/{PluginBinary.RemoteFolder} ({last}): the home folder may be mounted noexec";
        if (Has("Connection closed") || Has("Connection reset") || Has("kex_exchange_identification") || Has("Broken pipe"))
            return $"the SSH connection to {host} was closed ({last}): check sshd's log on the host and that the host accepts SSH logins from here";
        if (exitCode == SshError)
            return $"ssh to {host} failed{(last.Length > 0 ? $" ({last})" : "")}: check that `ssh {host}` works from the machine running Pulumi without prompting";
        return $"the provider's agent on {host} ended with exit code {exitCode}{(last.Length > 0 ? $": {last}" : "")}";
    }

    private static string LastMeaningfulLine(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => !l.StartsWith("Warning: Permanently added", StringComparison.Ordinal) && !l.StartsWith('@')) ?? "";
}

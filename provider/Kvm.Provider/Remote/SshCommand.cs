using System.Globalization;

namespace Kvm.Provider.Remote;

/// <summary>
/// The system ssh client's argv for a session with the agent and for the sftp subsystem. Everything
/// the user configured (~/.ssh/config: keys, agent, jump hosts, known_hosts, multiplexing) applies;
/// on top, the provider insists on what keeps a `pulumi up` safe: never prompt (BatchMode), no
/// forwarding of anything, no terminal, and a dead link noticed within half a minute.
/// </summary>
internal static class SshCommand
{
    public const string Program = "ssh";

    /// <summary>How often ssh checks that the host still answers, and how many misses end the session.</summary>
    public const int AliveIntervalSeconds = 10, AliveCountMax = 3;

    /// <summary>
    /// ssh's argv (without the program) to run <paramref name="remoteCommand"/> on the host. Its words are ours and fixed: no user text.
    /// <paramref name="sharing"/>: the connection-sharing options (<see cref="SshMultiplexing"/>), if any.
    /// </summary>
    public static IReadOnlyList<string> Session(ISshTarget target, IReadOnlyList<string> remoteCommand, SshSharing? sharing = null) =>
        [.. Options(target), .. sharing?.Options ?? [], "--", target.Destination.Host, .. remoteCommand];

    /// <summary>ssh's argv for the host's sftp subsystem (used to install the agent).</summary>
    public static IReadOnlyList<string> Sftp(ISshTarget target, SshSharing? sharing = null) =>
        [.. Options(target), .. sharing?.Options ?? [], "-s", "--", target.Destination.Host, "sftp"];

    /// <summary>The options every ssh run of the provider gets, before the destination.</summary>
    public static IEnumerable<string> Options(ISshTarget target)
    {
        yield return "-T";          // no terminal: the session carries binary frames
        yield return "-x";          // no X11 forwarding
        yield return "-a";          // no agent forwarding to the hypervisor
        yield return "-e";
        yield return "none";        // no escape character
        foreach (var option in new[]
        {
            "BatchMode=yes",
            "ClearAllForwardings=yes",
            "PermitLocalCommand=no",
            "ConnectTimeout=20",
            $"ServerAliveInterval={AliveIntervalSeconds.ToString(CultureInfo.InvariantCulture)}",
            $"ServerAliveCountMax={AliveCountMax.ToString(CultureInfo.InvariantCulture)}",
        })
        {
            yield return "-o";
            yield return option;
        }
        var ssh = target.Ssh;
        if (ssh.IdentityFile is { } key)
        {
            yield return "-i";
            yield return key;
        }
        if (ssh.KnownHostsFile is { } knownHosts)
        {
            yield return "-o";
            yield return $"UserKnownHostsFile={knownHosts}";
        }
        if (ssh.AcceptNewHostKeys)
        {
            yield return "-o";
            yield return "StrictHostKeyChecking=accept-new";
        }
        if (target.Destination.User is { } user)
        {
            yield return "-l";
            yield return user;
        }
        if (target.Destination.Port is { } port)
        {
            yield return "-p";
            yield return port.ToString(CultureInfo.InvariantCulture);
        }
    }
}

using System.Globalization;

namespace Kvm.Provider.Remote;

/// <summary>
/// Where the provider reaches a remote KVM host: an OpenSSH destination <c>[user@]host[:port]</c>
/// (or <c>ssh://[user@]host[:port]</c>). The host part may be an alias of the user's ~/.ssh/config,
/// a name, an IPv4 address or a bracketed IPv6 address; what is not given (user, port) is left to
/// ssh and the user's configuration.
/// </summary>
internal sealed record SshDestination(string? User, string Host, int? Port)
{
    /// <summary>How people write it (and how messages name the host): <c>root@h1</c>, <c>h1:2222</c>, <c>[fd00::1]:22</c>.</summary>
    public override string ToString()
    {
        var host = Host.Contains(':') ? $"[{Host}]" : Host;
        return $"{(User is null ? "" : User + "@")}{host}{(Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "")}";
    }

    /// <summary>Parses a destination; null with <paramref name="error"/> saying what is wrong.</summary>
    public static SshDestination? TryParse(string text, out string? error)
    {
        error = null;
        var rest = text.StartsWith("ssh://", StringComparison.Ordinal) ? text["ssh://".Length..].TrimEnd('/') : text;
        if (rest.Length == 0) return Fail("is empty", out error);
        if (rest.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            return Fail("must not contain spaces or control characters", out error);

        string? user = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest[..at];
            rest = rest[(at + 1)..];
            if (!IsUser(user))
                return Fail($"has a user \"{user}\" that is not a login name (letters, digits, '_', '.', '-'; not starting with '-')", out error);
        }

        string host;
        int? port = null;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            if (close < 0) return Fail("opens '[' for an IPv6 address but never closes it", out error);
            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') return Fail($"has \"{after}\" after the IPv6 address", out error);
                portText = after[1..];
            }
            if (!System.Net.IPAddress.TryParse(host, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                return Fail($"has \"[{host}]\", which is not an IPv6 address", out error);
        }
        else
        {
            var colon = rest.IndexOf(':');
            if (colon >= 0)
            {
                if (rest.IndexOf(':', colon + 1) >= 0)
                    return Fail("has several ':'; write an IPv6 address in brackets, e.g. [fd00::1]:22", out error);
                host = rest[..colon];
                portText = rest[(colon + 1)..];
            }
            else host = rest;
            if (!IsHostName(host))
                return Fail($"has a host \"{host}\" that is neither a host name, an ssh config alias nor an IP address", out error);
        }
        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                return Fail($"has a port \"{portText}\" outside 1-65535", out error);
            port = p;
        }
        return new SshDestination(user, host, port);
    }

    private static SshDestination? Fail(string reason, out string? error)
    {
        error = reason;
        return null;
    }

    // Both go on ssh's command line: nothing that could read as an option or be split by a shell.
    private static bool IsUser(string user) =>
        user.Length is > 0 and <= 64 && user[0] != '-' && user.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static bool IsHostName(string host) =>
        host.Length is > 0 and <= 253 && host[0] != '-' && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}

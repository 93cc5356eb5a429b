namespace Kvm.Provider.Host;

/// <summary>
/// A libvirt connection URI taken apart: <c>driver[+transport]://[user@][host][:port]/path[?name=value&amp;...]</c>
/// (libvirt's own syntax, https://libvirt.org/uri.html). Only what the provider must decide on is
/// read: whether the URI reaches another machine, and how.
/// </summary>
internal sealed record LibvirtUri(string Driver, string? Transport, string? User, string? Host, int? Port, string Path, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    /// <summary>libvirt's transports that run the system's (or an embedded) SSH client.</summary>
    public bool IsSsh => Transport is "ssh" or "libssh" or "libssh2";

    /// <summary>
    /// The URI names another machine: a host in it, or a transport other than the local socket
    /// (libvirt treats <c>qemu://host/system</c> as TLS to that host; <c>qemu+ext</c> runs a command).
    /// </summary>
    public bool IsRemote => !string.IsNullOrEmpty(Host) || Transport is not (null or "unix");

    public string? Parameter(string name) => Parameters.LastOrDefault(p => p.Key == name).Value;

    /// <summary>The same connection as seen on the host itself: the local socket, with the parameters it still needs.</summary>
    public string OnHost(IReadOnlySet<string> keep)
    {
        var query = string.Join("&", Parameters.Where(p => keep.Contains(p.Key)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        return $"{Driver}://{Path}{(query.Length > 0 ? "?" + query : "")}";
    }

    public static LibvirtUri? TryParse(string uri)
    {
        var sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0 || uri.Any(char.IsWhiteSpace)) return null;
        var scheme = uri[..sep];
        if (!char.IsAsciiLetter(scheme[0]) || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c == '+')) return null;
        var plus = scheme.IndexOf('+');
        var driver = plus < 0 ? scheme : scheme[..plus];
        var transport = plus < 0 ? null : scheme[(plus + 1)..];
        if (driver.Length == 0 || transport is { Length: 0 }) return null;

        var rest = uri[(sep + 3)..];
        var q = rest.IndexOf('?');
        var query = q < 0 ? "" : rest[(q + 1)..];
        rest = q < 0 ? rest : rest[..q];
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[slash..];

        string? user = null, host = null;
        int? port = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            user = Uri.UnescapeDataString(authority[..at]);
            authority = authority[(at + 1)..];
        }
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) return null;
            host = authority[1..close];
            authority = authority[(close + 1)..];
            if (authority.Length > 0 && authority[0] != ':') return null;
            if (authority.Length > 0 && !TryPort(authority[1..], out port)) return null;
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            if (colon >= 0)
            {
                if (!TryPort(authority[(colon + 1)..], out port)) return null;
                authority = authority[..colon];
            }
            host = authority.Length > 0 ? authority : null;
        }

        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            parameters.Add(new(Uri.UnescapeDataString(name), Uri.UnescapeDataString(value)));
        }
        return new LibvirtUri(driver, transport, user, host, port, path, parameters);
    }

    private static bool TryPort(string text, out int? port)
    {
        port = null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            return false;
        port = p;
        return true;
    }
}

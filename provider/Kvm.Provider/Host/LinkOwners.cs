using System.Text.RegularExpressions;

namespace Kvm.Provider.Host;

/// <summary>Another network manager that configures a link, as its own files say.</summary>
/// <param name="Manager">"ifupdown", "systemd-networkd" or "NetworkManager".</param>
/// <param name="File">The file that says so (as the host names it, without the test root).</param>
/// <param name="Evidence">The line or setting in it.</param>
/// <param name="HandOver">How to give the link up in that manager.</param>
internal sealed record LinkOwner(string Manager, string File, string Evidence, string HandOver)
{
    public override string ToString() => $"{Manager} ({File}: {Evidence})";

    /// <summary>Check's refusal to take <paramref name="link"/> without consent (takeOverManagedLinks).</summary>
    public string Refusal(string link) =>
        $"{link} is managed by {this}: {Manager} would reconfigure it behind the provider's back. " +
        $"Hand it over ({HandOver}), or set takeOverManagedLinks: true to take it anyway";

    /// <summary>The preview's note when <paramref name="link"/> is taken with consent.</summary>
    public string TakenAnyway(string link) =>
        $"kvm:takeover {link}: managed by {this}; taken anyway (takeOverManagedLinks), so hand it over there too ({HandOver}) or it may reconfigure the link";
}

/// <summary>
/// Tells whether NetworkManager, systemd-networkd or ifupdown manages a link, by reading their files only (no
/// program is run, no daemon asked): what each one applies at boot or reload, and what it reports managing now.
/// A bridge that takes such a link would fight that manager over it: the next `ifup -a`, `networkctl reload` or
/// NetworkManager activation reconfigures it behind the provider's back.
/// <list type="bullet">
/// <item>ifupdown: /etc/network/interfaces and what it sources (`source`, `source-directory`): `iface X`,
/// `auto X`, `allow-hotplug X` (any `allow-*` class), `X:N` aliases (addresses on X), bridges' `bridge-ports`, and Open vSwitch's `ovs_ports` / `ovs_bonds`.</item>
/// <item>systemd-networkd: its state for the link while it runs, /run/systemd/netif/links/IFINDEX, where
/// `ADMIN_STATE=configuring|configured|failed` means managed and `unmanaged` not; without that state, a `.network`
/// file in /etc/systemd/network or /run/systemd/network whose [Match] Name= globs match (unless `Unmanaged=yes`).</item>
/// <item>NetworkManager: its per-device state while it runs, /run/NetworkManager/devices/IFINDEX (`[device]`
/// `managed=true`); without it, a keyfile connection in /etc/NetworkManager/system-connections (or /run's)
/// whose `[connection]` `interface-name=` is the link.</item>
/// </list>
/// All paths are read under <paramref name="root"/> (/ on the host; a folder in tests or for a container's root).
/// </summary>
internal sealed partial class LinkOwners(string root)
{
    /// <summary>The first manager found to manage the link named <paramref name="name"/> (with <paramref name="ifindex"/> when it exists).</summary>
    public LinkOwner? Find(string name, int? ifindex) =>
        IfupdownOwner(name) ?? NetworkdOwner(name, ifindex) ?? NetworkManagerOwner(name, ifindex);

    private string Under(string hostPath) => Path.Combine(root, hostPath.TrimStart('/'));

    private string HostPathOf(string path) => "/" + Path.GetRelativePath(root, path).Replace('\\', '/');

    // ---- ifupdown ----

    private LinkOwner? IfupdownOwner(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return IfupdownFile(Under("/etc/network/interfaces"), name, seen, depth: 0);
    }

    private LinkOwner? IfupdownFile(string path, string name, HashSet<string> seen, int depth)
    {
        if (depth > 8 || !seen.Add(path) || ReadLines(path) is not { } lines) return null;
        var handOver = $"remove its stanza from {HostPathOf(path)} (and `ifdown {name}` first)";
        foreach (var line in LogicalLines(lines))
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2) continue;
            switch (words[0])
            {
                case "iface" when Named(words[1], name):
                case "auto" or "mapping" when words[1..].Any(w => Named(w, name)):
                case var w0 when w0.StartsWith("allow-", StringComparison.Ordinal) && words[1..].Any(w => Named(w, name)):
                // Debian's openvswitch-switch ifupdown scripts name a bridge's ports and a bond's members this way.
                case "bridge-ports" or "bridge_ports" or "ovs_ports" or "ovs_bonds" when words[1..].Contains(name):
                    return new LinkOwner("ifupdown", HostPathOf(path), $"\"{line}\"", handOver);
                case "source":
                    foreach (var included in Glob(Relative(path, words[1])))
                        if (IfupdownFile(included, name, seen, depth + 1) is { } owner) return owner;
                    break;
                case "source-directory":
                    var dir = Relative(path, words[1]);
                    if (!Directory.Exists(dir)) break;
                    // ifupdown reads the files whose names are only letters, digits, '_' and '-' (as run-parts does).
                    foreach (var file in Directory.EnumerateFiles(dir).Where(f => SourceDirectoryName().IsMatch(Path.GetFileName(f))).Order(StringComparer.Ordinal))
                        if (IfupdownFile(file, name, seen, depth + 1) is { } owner) return owner;
                    break;
            }
        }
        return null;
    }

    /// <summary>eth0 itself, or an alias eth0:1 (addresses on eth0).</summary>
    private static bool Named(string word, string name) => word == name || (word.StartsWith(name + ":", StringComparison.Ordinal));

    /// <summary>A sourced path as ifupdown resolves it: absolute paths under the root, relative ones from the including file's folder.</summary>
    private string Relative(string includingFile, string path) =>
        path.StartsWith('/') ? Under(path) : Path.Combine(Path.GetDirectoryName(includingFile)!, path);

    /// <summary>Lines without comments and blanks, with backslash continuations joined.</summary>
    private static IEnumerable<string> LogicalLines(IEnumerable<string> lines)
    {
        var pending = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#'))) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1].TrimEnd() + " ";
                continue;
            }
            yield return (pending + line).Trim();
            pending = "";
        }
        if (pending.Length > 0) yield return pending.Trim();
    }

    // ---- systemd-networkd ----

    private LinkOwner? NetworkdOwner(string name, int? ifindex)
    {
        if (ifindex is { } index && ReadLines(Under($"/run/systemd/netif/links/{index}")) is { } state)
        {
            var values = state.Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
            var admin = values.GetValueOrDefault("ADMIN_STATE");
            if (admin is "configuring" or "configured" or "failed")
            {
                var file = values.GetValueOrDefault("NETWORK_FILE");
                return new LinkOwner("systemd-networkd", $"/run/systemd/netif/links/{index}", $"ADMIN_STATE={admin}{(file is null ? "" : $", NETWORK_FILE={file}")}",
                    $"remove or narrow the [Match] of {file ?? "its .network file"}, or set Unmanaged=yes in its [Link], then `networkctl reload`");
            }
            // networkd runs and says what it does with this link: that is the answer, whatever its files say.
            if (admin is not null) return null;
        }
        foreach (var dir in new[] { "/etc/systemd/network", "/run/systemd/network" })
        {
            var folder = Under(dir);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*.network").Order(StringComparer.Ordinal))
            {
                if (ReadLines(file) is not { } lines) continue;
                var ini = Ini.Parse(lines);
                if (ini.Values("Link", "Unmanaged").LastOrDefault() is { } unmanaged && IsTrue(unmanaged)) continue;
                // Only Name= is judged: a [Match] on MAC, driver or path cannot be told from a name, so it is not held against the link.
                var names = ini.Values("Match", "Name").SelectMany(v => v.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToList();
                if (names.Count == 0 || !MatchesNameList(names, name)) continue;
                return new LinkOwner("systemd-networkd", HostPathOf(file), $"[Match] Name={string.Join(' ', names)}",
                    $"remove or narrow that [Match], or set Unmanaged=yes in its [Link], then `networkctl reload`");
            }
        }
        return null;
    }

    /// <summary>networkd's Name= list: globs, any of which matches; a leading '!' inverts the whole list.</summary>
    private static bool MatchesNameList(List<string> patterns, string name)
    {
        var inverted = patterns[0].StartsWith('!');
        var any = patterns.Select(p => p.TrimStart('!')).Any(p => GlobMatches(p, name));
        return inverted ? !any : any;
    }

    // ---- NetworkManager ----

    private LinkOwner? NetworkManagerOwner(string name, int? ifindex)
    {
        if (ifindex is { } index && ReadLines(Under($"/run/NetworkManager/devices/{index}")) is { } state)
        {
            var managed = Ini.Parse(state).Values("device", "managed").LastOrDefault();
            if (managed is not null && IsTrue(managed))
                return new LinkOwner("NetworkManager", $"/run/NetworkManager/devices/{index}", "[device] managed=true",
                    $"`nmcli device set {name} managed no` (and remove its connection profiles)");
            if (managed is not null) return null;
        }
        foreach (var dir in new[] { "/etc/NetworkManager/system-connections", "/run/NetworkManager/system-connections" })
        {
            var folder = Under(dir);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder).Where(f => !f.EndsWith('~')).Order(StringComparer.Ordinal))
            {
                if (ReadLines(file) is not { } lines) continue;
                if (Ini.Parse(lines).Values("connection", "interface-name").LastOrDefault() != name) continue;
                return new LinkOwner("NetworkManager", HostPathOf(file), $"[connection] interface-name={name}",
                    $"delete that connection (`nmcli connection delete ...`) and `nmcli device set {name} managed no`");
            }
        }
        return null;
    }

    // ---- shared ----

    private static bool IsTrue(string value) => value.Trim().ToLowerInvariant() is "1" or "yes" or "true" or "on";

    private static string[]? ReadLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file the provider may not read is one it cannot judge by; the others still count.
            return null;
        }
    }

    /// <summary>ifupdown's `source` takes a shell glob; only the file name part may hold wildcards here.</summary>
    private static IEnumerable<string> Glob(string pattern)
    {
        var dir = Path.GetDirectoryName(pattern)!;
        var filePattern = Path.GetFileName(pattern);
        if (!filePattern.AsSpan().ContainsAny("*?[")) return File.Exists(pattern) ? [pattern] : [];
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir).Where(f => GlobMatches(filePattern, Path.GetFileName(f)) && !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
            : [];
    }

    /// <summary>fnmatch(3) without flags: '*', '?', and bracket classes ([a-z], [!0-9]).</summary>
    private static bool GlobMatches(string pattern, string text)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*') regex.Append(".*");
            else if (c == '?') regex.Append('.');
            else if (c == '[' && pattern.IndexOf(']', i + 1) is var end and > 0)
            {
                var set = pattern[(i + 1)..end];
                regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]).Replace("\\-", "-", StringComparison.Ordinal) : Regex.Escape(set).Replace("\\-", "-", StringComparison.Ordinal)).Append(']');
                i = end;
            }
            else regex.Append(Regex.Escape(c.ToString()));
        }
        return Regex.IsMatch(text, regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex SourceDirectoryName();
}

/// <summary>The INI dialect of systemd units and NetworkManager keyfiles: [Section], Key=Value, '#' and ';' comments.</summary>
internal sealed record Ini(IReadOnlyList<(string Section, string Key, string Value)> Entries)
{
    public static Ini Parse(IEnumerable<string> lines)
    {
        var entries = new List<(string, string, string)>();
        var section = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[' && line.EndsWith(']')) section = line[1..^1].Trim();
            else if (line.IndexOf('=') is var eq and > 0) entries.Add((section, line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }
        return new Ini(entries);
    }

    public IEnumerable<string> Values(string section, string key) =>
        Entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value);
}

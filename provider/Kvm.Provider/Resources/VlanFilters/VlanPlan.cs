using System.Globalization;
using Kvm.Netlink;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.VlanFilters;

/// <summary>
/// The pure part of a VlanFilter: the table its inputs ask for, the rules they must keep, the
/// per-entry diff against what the kernel reports, and the inputs that reproduce a table.
/// </summary>
internal static class VlanPlan
{
    public static bool TryParseRange(string? text, out ushort start, out ushort end)
    {
        start = end = 0;
        if (text is null) return false;
        var parts = text.Split('-');
        if (parts.Length != 2) return false;
        if (!ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out start)
            || !ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out end)) return false;
        return start is >= VlanEntry.MinVid and <= VlanEntry.MaxVid && end is >= VlanEntry.MinVid and <= VlanEntry.MaxVid && start <= end;
    }

    /// <summary>Every rule of the table's inputs, with the property path and the reason.</summary>
    public static List<CheckFailure> Validate(VlanFilterArgs a, Func<string, bool> isUnknown)
    {
        var failures = new List<CheckFailure>();
        var forms = new[] { ("vlans", a.Vlans is not null || isUnknown("vlans")), ("access", a.Access is not null || isUnknown("access")), ("trunk", a.Trunk is not null || isUnknown("trunk")) }
            .Where(f => f.Item2).Select(f => f.Item1).ToList();
        if (forms.Count != 1)
        {
            failures.Add(new(forms.Count == 0 ? "vlans" : forms[1], forms.Count == 0
                ? "give the table as exactly one of vlans, access or trunk"
                : $"give exactly one of vlans, access or trunk, not {string.Join(" and ", forms)}"));
            return failures;
        }

        // vid -> the path that claimed it, to report overlaps where they are written
        var claimed = new Dictionary<ushort, string>();
        string? pvidAt = null;
        void Claim(ushort from, ushort to, string path)
        {
            for (var v = from; v <= to; v++)
            {
                if (claimed.TryGetValue(v, out var other))
                {
                    failures.Add(new(path, $"VLAN {v} is also given by {other}; each VLAN is listed once"));
                    return;
                }
                claimed[v] = path;
            }
        }
        void Pvid(string path)
        {
            if (pvidAt is not null) failures.Add(new(path, $"a port has one PVID, and {pvidAt} is already it"));
            else pvidAt = path;
        }

        if (a.Vlans is { } vlans)
        {
            if (vlans.Length == 0 && !isUnknown("vlans"))
                failures.Add(new("vlans", "an empty table cuts the port off every VLAN; give at least one entry (or delete the VlanFilter to return to the bridge's default PVID)"));
            for (var i = 0; i < vlans.Length; i++)
            {
                var path = $"vlans[{i}]";
                var e = vlans[i];
                if (e is null || isUnknown(path)) continue;
                var hasVid = e.Vid is not null || isUnknown($"{path}.vid");
                var hasRange = e.Range is not null || isUnknown($"{path}.range");
                if (hasVid == hasRange)
                {
                    failures.Add(new(path, "give exactly one of vid and range"));
                    continue;
                }
                if (e.Vid is { } vid) Claim((ushort)vid, (ushort)vid, path);
                else if (e.Range is { } range)
                {
                    if (!TryParseRange(range, out var s, out var t))
                    {
                        failures.Add(new($"{path}.range", $"\"{range}\" is not a range of VLAN ids: write \"start-end\" with 1 <= start <= end <= 4094"));
                        continue;
                    }
                    if (e.Pvid == true && s != t) failures.Add(new($"{path}.pvid", $"the PVID is a single VLAN, not the range {range}"));
                    Claim(s, t, path);
                }
                if (e.Pvid == true) Pvid(path);
            }
        }
        if (a.Trunk is { } trunk)
        {
            var tagged = trunk.Vids?.Length + trunk.Ranges?.Length ?? trunk.Vids?.Length ?? trunk.Ranges?.Length ?? 0;
            if (tagged == 0 && trunk.Native is null && !isUnknown("trunk.vids") && !isUnknown("trunk.ranges"))
                failures.Add(new("trunk", "a trunk needs tagged vids or ranges, or a native VLAN"));
            if (trunk.Native is { } native) Claim((ushort)native, (ushort)native, "trunk.native");
            for (var i = 0; i < (trunk.Vids?.Length ?? 0); i++)
                if (!isUnknown($"trunk.vids[{i}]")) Claim((ushort)trunk.Vids![i], (ushort)trunk.Vids[i], $"trunk.vids[{i}]");
            for (var i = 0; i < (trunk.Ranges?.Length ?? 0); i++)
            {
                var path = $"trunk.ranges[{i}]";
                if (isUnknown(path)) continue;
                if (!TryParseRange(trunk.Ranges![i], out var s, out var t))
                    failures.Add(new(path, $"\"{trunk.Ranges[i]}\" is not a range of VLAN ids: write \"start-end\" with 1 <= start <= end <= 4094"));
                else Claim(s, t, path);
            }
        }
        return failures;
    }

    /// <summary>The table the inputs ask for, compressed.</summary>
    public static IReadOnlyList<VlanEntry> Desired(VlanFilterArgs a)
    {
        var entries = new List<VlanEntry>();
        if (a.Access is { } access) entries.Add(new((ushort)access, (ushort)access, Pvid: true, Untagged: true));
        foreach (var e in a.Vlans ?? [])
        {
            if (e.Vid is { } vid) entries.Add(new((ushort)vid, (ushort)vid, e.Pvid == true, e.Untagged == true));
            else if (TryParseRange(e.Range, out var s, out var t)) entries.Add(new(s, t, e.Pvid == true, e.Untagged == true));
        }
        if (a.Trunk is { } trunk)
        {
            if (trunk.Native is { } native) entries.Add(new((ushort)native, (ushort)native, Pvid: true, Untagged: true));
            foreach (var vid in trunk.Vids ?? []) entries.Add(VlanEntry.Of((ushort)vid));
            foreach (var r in trunk.Ranges ?? [])
                if (TryParseRange(r, out var s, out var t)) entries.Add(VlanEntry.Of(s, t));
        }
        return VlanTable.Compress(entries);
    }

    public static VlanEntryArgs[] ToArgs(IEnumerable<VlanEntry> table) =>
    [
        .. table.Select(e => new VlanEntryArgs
        {
            Vid = e.IsRange ? null : e.VidStart,
            Range = e.IsRange ? $"{e.VidStart}-{e.VidEnd}" : null,
            Pvid = e.Pvid,
            Untagged = e.Untagged,
        }),
    ];

    public static IReadOnlyList<VlanEntry> FromArgs(IEnumerable<VlanEntryArgs>? table) =>
        VlanTable.Compress((table ?? []).Select(e => e.Vid is { } v
            ? new VlanEntry((ushort)v, (ushort)v, e.Pvid == true, e.Untagged == true)
            : TryParseRange(e.Range, out var s, out var t) ? new VlanEntry(s, t, e.Pvid == true, e.Untagged == true) : default)
            .Where(e => e.VidStart != 0));

    /// <summary>
    /// The inputs that reproduce an observed table, in the form the program used where the table
    /// fits it (so a refresh keeps `access: 100` as it was written), else entry by entry.
    /// </summary>
    public static VlanFilterArgs InputsOf(string bridge, string port, IReadOnlyList<VlanEntry> table, VlanFilterArgs? form)
    {
        var basic = new VlanFilterArgs { Bridge = bridge, Port = port };
        if (form?.Access is not null && table is [{ IsRange: false, Pvid: true, Untagged: true } only])
            return basic with { Access = only.VidStart };
        if (form?.Trunk is { } trunk && table.All(e => e.Pvid ? e.Untagged : !e.Untagged))
        {
            var tagged = table.Where(e => !e.Pvid).ToList();
            var native = table.Where(e => e.Pvid).Select(e => (int?)e.VidStart).FirstOrDefault();
            // Written with ranges if the program used ranges, else vid by vid; with both, the vids the program lists
            // one by one stay there and the rest are ranges (a refresh must not list a vid in both).
            var vids = tagged.SelectMany(e => Enumerable.Range(e.VidStart, e.Count)).ToList();
            var single = trunk.Ranges is null ? vids : trunk.Vids is { } listed ? [.. vids.Where(listed.Contains)] : [];
            var ranged = VlanTable.Compress(vids.Except(single).Select(v => VlanEntry.Of((ushort)v)));
            return basic with
            {
                Trunk = new VlanTrunkArgs
                {
                    Native = native,
                    Vids = trunk.Ranges is null || trunk.Vids is not null ? [.. single] : null,
                    Ranges = trunk.Ranges is null ? null : [.. ranged.Select(e => $"{e.VidStart}-{e.VidEnd}")],
                },
            };
        }
        return basic with { Vlans = ToArgs(table) };
    }

    /// <summary>
    /// Per-entry differences between the table the inputs ask for and the observed one, keyed by
    /// where the program writes them: `vlans[i]`, `access`, `trunk.native`, `trunk.vids`, ...
    /// Observed entries the program does not declare are deletions at their index in the observed table.
    /// </summary>
    public static Dictionary<string, Resources.DiffKind> Diff(VlanFilterArgs news, IReadOnlyList<VlanEntry> observed)
    {
        var result = new Dictionary<string, Resources.DiffKind>(StringComparer.Ordinal);
        var have = Expand(observed);
        var want = Expand(Desired(news));
        bool Same(ushort v) => have[v] == want[v];
        bool AnyDiffers(ushort from, ushort to) => Enumerable.Range(from, to - from + 1).Any(v => !Same((ushort)v));
        bool NonePresent(ushort from, ushort to) => Enumerable.Range(from, to - from + 1).All(v => have[v] == 0);

        void Mark(string path, ushort from, ushort to)
        {
            if (AnyDiffers(from, to)) result[path] = NonePresent(from, to) ? Resources.DiffKind.Add : Resources.DiffKind.Update;
        }

        if (news.Access is { } access) Mark("access", (ushort)access, (ushort)access);
        if (news.Vlans is { } vlans)
        {
            for (var i = 0; i < vlans.Length; i++)
            {
                if (vlans[i].Vid is { } vid) Mark($"vlans[{i}]", (ushort)vid, (ushort)vid);
                else if (TryParseRange(vlans[i].Range, out var s, out var t)) Mark($"vlans[{i}]", s, t);
            }
        }
        if (news.Trunk is { } trunk)
        {
            if (trunk.Native is { } native) Mark("trunk.native", (ushort)native, (ushort)native);
            for (var i = 0; i < (trunk.Vids?.Length ?? 0); i++) Mark($"trunk.vids[{i}]", (ushort)trunk.Vids![i], (ushort)trunk.Vids[i]);
            for (var i = 0; i < (trunk.Ranges?.Length ?? 0); i++)
                if (TryParseRange(trunk.Ranges![i], out var s, out var t)) Mark($"trunk.ranges[{i}]", s, t);
        }

        // What the kernel holds and the program does not declare goes: shown where the table has it.
        var extraPath = news.Vlans is not null ? "vlans" : news.Access is not null ? "access" : "trunk";
        for (var j = 0; j < observed.Count; j++)
        {
            var e = observed[j];
            if (Enumerable.Range(e.VidStart, e.Count).Any(v => want[v] == 0))
            {
                // A key the new table also uses becomes an update: the old entry there gives way to the new one.
                var key = extraPath == "vlans" ? $"vlans[{j}]" : extraPath;
                result[key] = extraPath == "vlans" && !result.ContainsKey(key) ? Resources.DiffKind.Delete : Resources.DiffKind.Update;
            }
        }
        return result;
    }

    private static byte[] Expand(IEnumerable<VlanEntry> entries)
    {
        var flags = new byte[VlanEntry.MaxVid + 1];
        foreach (var e in entries)
            for (var v = e.VidStart; v <= e.VidEnd && v <= VlanEntry.MaxVid; v++)
                flags[v] = (byte)(1 | (e.Pvid ? 2 : 0) | (e.Untagged ? 4 : 0));
        return flags;
    }
}

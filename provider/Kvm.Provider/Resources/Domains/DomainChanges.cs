using System.Collections.Immutable;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The Domain's diff: the framework's per-property diff for plain properties, with interfaces and disks
/// compared as the host's devices they are (by MAC, by target device; see <see cref="DeviceMatching"/>),
/// and every changed path classified live / restart / replace. Pure: records in, a <see cref="Resources.Plan"/> out.
/// </summary>
internal static class DomainChanges
{
    private static readonly ObjectShape NicShape = ObjectShape.Of<DomainInterfaceArgs>();
    private static readonly ObjectShape DiskShape = ObjectShape.Of<DomainDiskArgs>();

    /// <summary>The device-matched diff of <paramref name="byDefault"/>, classified for a guest with the outputs <paramref name="old"/>.</summary>
    public static Plan Plan(DiffResult byDefault, DomainState old, DomainArgs? oldInputs, DomainArgs news, IReadOnlySet<string> unknownPaths)
    {
        var diff = Refine(byDefault, old, oldInputs, news, unknownPaths);
        return new Plan(diff, Classify(diff, old, news));
    }

    /// <summary>
    /// Replaces the positional interfaces/disks entries of <paramref name="byDefault"/> with device-matched
    /// ones. <paramref name="unknownPaths"/> are the input paths unknown in preview (they show as updates).
    /// </summary>
    public static DiffResult Refine(DiffResult byDefault, DomainState old, DomainArgs? oldInputs, DomainArgs news, IReadOnlySet<string> unknownPaths)
    {
        var detailed = byDefault.Detailed.ToBuilder();
        foreach (var key in detailed.Keys.Where(k => IsUnder(k, DomainArgs.Paths.Interfaces) || IsUnder(k, DomainArgs.Paths.Disks)).ToList()) detailed.Remove(key);

        if (news.Interfaces is not null || unknownPaths.Contains(DomainArgs.Paths.Interfaces))
            CompareNics(old, oldInputs, news, unknownPaths, detailed);
        else if (oldInputs?.Interfaces is not null)
            detailed[DomainArgs.Paths.Interfaces] = DiffKind.Delete;

        if (news.Disks is not null || unknownPaths.Contains(DomainArgs.Paths.Disks))
            CompareDisks(old, oldInputs, news, unknownPaths, detailed);
        else if (oldInputs?.Disks is not null)
            detailed[DomainArgs.Paths.Disks] = DiffKind.Delete;

        // Imported state holds what libvirt reports: the versioned machine (pc-q35-7.2) that the program's
        // alias (q35) stands for, and the UUID libvirt chose. Neither is a change, let alone a replacement.
        if (news.Machine is { } machine && old.Machine is { } current && DomainMapping.MachineMatches(machine, current))
            detailed.Remove(DomainArgs.Paths.Machine);
        if (news.Uuid is null && !unknownPaths.Contains(DomainArgs.Paths.Uuid))
            detailed.Remove(DomainArgs.Paths.Uuid);

        return byDefault with { Detailed = detailed.ToImmutable() };
    }

    private static void CompareNics(DomainState old, DomainArgs? oldInputs, DomainArgs news, IReadOnlySet<string> unknown,
        ImmutableSortedDictionary<string, DiffKind>.Builder into)
    {
        if (unknown.Contains(DomainArgs.Paths.Interfaces))
        {
            into[DomainArgs.Paths.Interfaces] = DiffKind.Update;
            return;
        }
        var existing = old.Interfaces ?? [];
        var desired = news.Interfaces ?? [];
        var match = DeviceMatching.Interfaces(desired, [.. existing.Select(n => n.MacAddress)]);
        CompareItems(DomainArgs.Paths.Interfaces, NicShape, existing, oldInputs?.Interfaces, desired, match, unknown, into);
    }

    private static void CompareDisks(DomainState old, DomainArgs? oldInputs, DomainArgs news, IReadOnlySet<string> unknown,
        ImmutableSortedDictionary<string, DiffKind>.Builder into)
    {
        if (unknown.Contains(DomainArgs.Paths.Disks))
        {
            into[DomainArgs.Paths.Disks] = DiffKind.Update;
            return;
        }
        var existing = old.Disks ?? [];
        var desired = news.Disks ?? [];
        var match = DeviceMatching.Disks(desired, [.. existing.Select(d => d.TargetDev)]);
        CompareItems(DomainArgs.Paths.Disks, DiskShape, existing, oldInputs?.Disks, desired, match, unknown, into);
    }

    private static void CompareItems<T>(string name, ObjectShape shape, T[] existing, T[]? oldInputs, T[] desired, int?[] match,
        IReadOnlySet<string> unknown, ImmutableSortedDictionary<string, DiffKind>.Builder into) where T : class
    {
        for (var i = 0; i < desired.Length; i++)
        {
            var path = PropertyPath.Index(name, i);
            if (unknown.Contains(path))
            {
                into[path] = DiffKind.Update;
                continue;
            }
            if (match[i] is not { } j)
            {
                into[path] = DiffKind.Add;
                continue;
            }
            var oldInput = oldInputs is not null && j < oldInputs.Length ? oldInputs[j] : null;
            var itemDiff = RecordDiff.Compare(shape, existing[j], desired[i], oldInput);
            foreach (var (sub, kind) in itemDiff.Detailed) into[$"{path}.{sub}"] = kind;
            foreach (var u in unknown.Where(u => u.StartsWith(path + ".", StringComparison.Ordinal))) into[u] = DiffKind.Update;
        }
        // A removed device has no index in the new list; the engine shows it at its old one.
        foreach (var j in DeviceMatching.Unmatched(match, existing.Length))
        {
            var path = PropertyPath.Index(name, j);
            into[path] = into.ContainsKey(path) ? DiffKind.Update : DiffKind.Delete;
        }
    }

    private static bool IsUnder(string path, string top) =>
        path == top || path.StartsWith(top + ".", StringComparison.Ordinal) || path.StartsWith(top + "[", StringComparison.Ordinal);

    /// <summary>
    /// How each changed path is applied to a guest that runs (<paramref name="running"/>) with the
    /// outputs <paramref name="old"/>: memory and vCPUs within the maximum, NIC link state and VLANs,
    /// hot-plugging whole NICs and disks, and the provider's own settings are live; name, uuid and type
    /// replace; everything else waits for a restart.
    /// </summary>
    public static ImmutableArray<PlannedChange> Classify(DiffResult diff, DomainState old, DomainArgs news)
    {
        var running = old.Running == true && old.State is "running" or "paused" or "blocked";
        var result = ImmutableArray.CreateBuilder<PlannedChange>(diff.Detailed.Count);
        foreach (var (path, kind) in diff.Detailed)
        {
            var cls = kind.IsReplace() ? ChangeClass.Replace : ClassOf(path, old, news);
            if (!running && cls == ChangeClass.Restart) cls = ChangeClass.Live;
            result.Add(new PlannedChange(path, kind, cls));
        }
        return result.MoveToImmutable();
    }

    private static ChangeClass ClassOf(string path, DomainState old, DomainArgs news)
    {
        var segments = PropertyPath.Parse(path);
        var top = segments[0].Key;
        switch (top)
        {
            case DomainArgs.Paths.Name or DomainArgs.Paths.Uuid or DomainArgs.Paths.Type:
                return ChangeClass.Replace;
            case DomainArgs.Paths.MemoryMib or DomainArgs.Paths.MemoryKib:
                return DomainMemory.CurrentKiB(news) is { } mem && DomainMemory.MaxKiB(old) is { } max && mem <= max ? ChangeClass.Live : ChangeClass.Restart;
            case DomainArgs.Paths.Vcpus:
                return news.Vcpus is { } n && old.MaxVcpus is { } maxV && n <= maxV ? ChangeClass.Live : ChangeClass.Restart;
            case DomainArgs.Paths.Running or DomainArgs.Paths.Autostart or DomainArgs.Paths.ShutdownTimeoutSeconds or DomainArgs.Paths.RestartPolicy:
                return ChangeClass.Live;
            case DomainArgs.Paths.Interfaces:
                // A whole NIC added or removed is hot-plugged; link state and VLANs change live.
                if (segments.Length <= 2) return ChangeClass.Live;
                return segments[2].Key is DomainInterfaceArgs.Paths.LinkState or DomainInterfaceArgs.Paths.Vlan ? ChangeClass.Live : ChangeClass.Restart;
            case DomainArgs.Paths.Disks:
                return segments.Length <= 2 ? ChangeClass.Live : ChangeClass.Restart;
            default:
                return ChangeClass.Restart;
        }
    }
}

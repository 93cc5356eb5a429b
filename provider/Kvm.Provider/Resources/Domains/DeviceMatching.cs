namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// Which declared interface or disk is which one on the host, so that removing the first of three
/// NICs detaches that one instead of rewriting the other two. Interfaces match by MAC address when the
/// program gives one (a MAC the host does not have is a new NIC), then the rest by position among the
/// unmatched (same position first); disks match by target device.
/// </summary>
internal static class DeviceMatching
{
    /// <summary>For each desired interface, the index of the existing interface it is, or null for a new one.</summary>
    public static int?[] Interfaces(IReadOnlyList<DomainInterfaceArgs?> desired, IReadOnlyList<string?> existingMacs)
    {
        var result = new int?[desired.Count];
        var taken = new bool[existingMacs.Count];
        for (var i = 0; i < desired.Count; i++)
        {
            if (Mac(desired[i]?.MacAddress) is not { } mac) continue;
            for (var j = 0; j < existingMacs.Count; j++)
            {
                if (!taken[j] && Mac(existingMacs[j]) == mac)
                {
                    result[i] = j;
                    taken[j] = true;
                    break;
                }
            }
        }
        // Without a MAC: the NIC at the same position if it is free, else the next free one.
        for (var i = 0; i < desired.Count && i < taken.Length; i++)
        {
            if (Mac(desired[i]?.MacAddress) is not null || taken[i]) continue;
            result[i] = i;
            taken[i] = true;
        }
        var next = 0;
        for (var i = 0; i < desired.Count; i++)
        {
            if (result[i] is not null || Mac(desired[i]?.MacAddress) is not null) continue;
            while (next < taken.Length && taken[next]) next++;
            if (next == taken.Length) break;
            result[i] = next;
            taken[next] = true;
        }
        return result;
    }

    /// <summary>For each desired disk, the index of the existing disk with the same target device, or null.</summary>
    public static int?[] Disks(IReadOnlyList<DomainDiskArgs?> desired, IReadOnlyList<string?> existingTargets)
    {
        var result = new int?[desired.Count];
        var taken = new bool[existingTargets.Count];
        for (var i = 0; i < desired.Count; i++)
        {
            for (var j = 0; j < existingTargets.Count; j++)
            {
                if (!taken[j] && desired[i]?.TargetDev is { } t && t == existingTargets[j])
                {
                    result[i] = j;
                    taken[j] = true;
                    break;
                }
            }
        }
        return result;
    }

    /// <summary>The existing indexes no desired item matched (devices to remove).</summary>
    public static IEnumerable<int> Unmatched(int?[] matches, int existingCount) =>
        Enumerable.Range(0, existingCount).Where(j => !matches.Contains(j));

    public static string? Mac(string? mac) => mac is { Length: > 0 } ? mac.Replace('-', ':').ToLowerInvariant() : null;
}

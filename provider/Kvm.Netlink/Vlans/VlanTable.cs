namespace Kvm.Netlink;

/// <summary>Pure VLAN-table arithmetic: normalising entries into ranges and the minimal delta between two tables.</summary>
public static class VlanTable
{
    private const byte Absent = 0;
    private const byte Member = 1;
    private const byte PvidBit = 2;
    private const byte UntaggedBit = 4;

    /// <summary>
    /// The canonical form of a table: vid order, consecutive vids with the same flags merged
    /// into one range, the PVID on its own. Throws when the entries give one vid two different
    /// flag sets, or name more than one PVID.
    /// </summary>
    public static IReadOnlyList<VlanEntry> Compress(IEnumerable<VlanEntry> entries) => Ranges(Expand(entries, nameof(entries)));

    /// <summary>
    /// The fewest entries that turn <paramref name="current"/> into <paramref name="desired"/>:
    /// vids only in current are deleted; vids new in desired, or whose PVID / untagged flags
    /// differ, are added with the desired flags (re-adding a vid replaces its flags).
    /// </summary>
    public static VlanDelta Diff(IEnumerable<VlanEntry> current, IEnumerable<VlanEntry> desired)
    {
        var now = Expand(current, nameof(current));
        var wanted = Expand(desired, nameof(desired));
        var toDelete = new byte[now.Length];
        var toAdd = new byte[now.Length];
        for (var vid = VlanEntry.MinVid; vid <= VlanEntry.MaxVid; vid++)
        {
            if (now[vid] != Absent && wanted[vid] == Absent)
                toDelete[vid] = Member;
            else if (wanted[vid] != Absent && wanted[vid] != now[vid])
                toAdd[vid] = wanted[vid];
        }
        return new VlanDelta(Ranges(toDelete), Ranges(toAdd));
    }

    /// <summary>One slot per vid: Absent, or Member with the PVID / untagged bits.</summary>
    private static byte[] Expand(IEnumerable<VlanEntry> entries, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(entries, parameterName);
        var table = new byte[VlanEntry.MaxVid + 1];
        ushort? pvid = null;
        foreach (var entry in entries)
        {
            entry.Validate();
            var flags = (byte)(Member | (entry.Pvid ? PvidBit : 0) | (entry.Untagged ? UntaggedBit : 0));
            if (entry.Pvid)
            {
                if (pvid is { } other && other != entry.VidStart)
                    throw new ArgumentException($"two PVIDs: {other} and {entry.VidStart}", parameterName);
                pvid = entry.VidStart;
            }
            for (int vid = entry.VidStart; vid <= entry.VidEnd; vid++)
            {
                if (table[vid] != Absent && table[vid] != flags)
                    throw new ArgumentException($"vid {vid} is listed twice with different flags", parameterName);
                table[vid] = flags;
            }
        }
        return table;
    }

    private static List<VlanEntry> Ranges(byte[] table)
    {
        var ranges = new List<VlanEntry>();
        var vid = (int)VlanEntry.MinVid;
        while (vid <= VlanEntry.MaxVid)
        {
            var flags = table[vid];
            if (flags == Absent)
            {
                vid++;
                continue;
            }
            var end = vid;
            // The kernel refuses a PVID inside a range, so the PVID never grows into one.
            if ((flags & PvidBit) == 0)
            {
                while (end < VlanEntry.MaxVid && table[end + 1] == flags)
                    end++;
            }
            ranges.Add(new VlanEntry((ushort)vid, (ushort)end, (flags & PvidBit) != 0, (flags & UntaggedBit) != 0));
            vid = end + 1;
        }
        return ranges;
    }
}

namespace Kvm.Netlink;

/// <summary>
/// One row of a bridge VLAN table (<c>bridge vlan</c> semantics): a vid or a range of vids with
/// the same flags. The PVID is always a single vid: the kernel allows no PVID inside a range.
/// </summary>
/// <param name="Pvid">Untagged frames arriving on the port are put into this VLAN.</param>
/// <param name="Untagged">Frames of this VLAN leave the port without a tag.</param>
public readonly record struct VlanEntry(ushort VidStart, ushort VidEnd, bool Pvid, bool Untagged)
{
    /// <summary>The smallest valid vid (0 means "no VLAN").</summary>
    public const ushort MinVid = 1;

    /// <summary>The largest valid vid (4095 is reserved).</summary>
    public const ushort MaxVid = 4094;

    /// <summary>One tagged vid.</summary>
    public static VlanEntry Of(ushort vid) => new(vid, vid, Pvid: false, Untagged: false);

    /// <summary>A tagged range of vids, both ends included.</summary>
    public static VlanEntry Of(ushort vidStart, ushort vidEnd) => new(vidStart, vidEnd, Pvid: false, Untagged: false);

    public int Count => VidEnd - VidStart + 1;

    public bool IsRange => VidEnd != VidStart;

    /// <summary>Throws unless the vids are in 1..4094, in order, and a PVID entry is a single vid.</summary>
    public void Validate()
    {
        if (VidStart is < MinVid or > MaxVid || VidEnd is < MinVid or > MaxVid)
            throw new ArgumentOutOfRangeException(nameof(VidStart), $"vids are {MinVid}-{MaxVid}, not {this}");
        if (VidEnd < VidStart)
            throw new ArgumentException($"range {this} ends before it starts");
        if (Pvid && IsRange)
            throw new ArgumentException($"the PVID must be a single vid, not the range {this}");
    }

    public override string ToString()
    {
        var vids = IsRange ? $"{VidStart}-{VidEnd}" : $"{VidStart}";
        return vids + (Pvid ? " PVID" : "") + (Untagged ? " Egress Untagged" : "");
    }
}

/// <summary>Which table an add or delete goes to.</summary>
public enum VlanTarget
{
    /// <summary>A port's own table (BRIDGE_FLAGS_MASTER: the port's bridge handles the request).</summary>
    BridgePort,

    /// <summary>The bridge device's own table (BRIDGE_FLAGS_SELF on the bridge): what the bridge's local interface sees.</summary>
    BridgeSelf,
}

/// <summary>The VLAN table of one bridge port, or of a bridge itself, as the AF_BRIDGE dump reports it.</summary>
/// <param name="MasterIndex">The bridge's ifindex; for the bridge's own table the kernel reports the bridge itself.</param>
/// <param name="Entries">Compressed into ranges by the kernel, in vid order.</param>
public sealed record BridgeVlanTable(int Index, string Name, int MasterIndex, IReadOnlyList<VlanEntry> Entries)
{
    public bool IsBridgeSelf => Index == MasterIndex;

    public VlanTarget Target => IsBridgeSelf ? VlanTarget.BridgeSelf : VlanTarget.BridgePort;
}

/// <summary>What turns one VLAN table into another: entries to delete, then entries to add (flag changes are adds).</summary>
public sealed record VlanDelta(IReadOnlyList<VlanEntry> ToDelete, IReadOnlyList<VlanEntry> ToAdd)
{
    public static VlanDelta None { get; } = new([], []);

    public bool IsEmpty => ToDelete.Count == 0 && ToAdd.Count == 0;
}

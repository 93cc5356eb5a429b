using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>Encodes AF_BRIDGE VLAN requests and decodes the AF_BRIDGE link dump. Pure: no socket.</summary>
internal static class BridgeVlanMessages
{
    /// <summary>
    /// IFLA_BRIDGE_VLAN_INFO attributes per request. The hard limit is the u16 nla_len of the
    /// IFLA_AF_SPEC nest (65535 bytes, about 8190 infos of 8 bytes); the kernel also refuses a
    /// send larger than the socket's send buffer (net.core.wmem_default, 208 KiB by default).
    /// 4096 infos (32 KiB) stays far below both and still holds a whole 1-4094 table one vid
    /// per entry, so a normalised change set always goes in one request per direction.
    /// </summary>
    public const int MaxVlanInfosPerRequest = 4096;

    private const ushort BridgeFlagsMaster = 1;    // BRIDGE_FLAGS_MASTER
    private const ushort BridgeFlagsSelf = 2;      // BRIDGE_FLAGS_SELF
    private const ushort InfoPvid = 1 << 1;        // BRIDGE_VLAN_INFO_PVID
    private const ushort InfoUntagged = 1 << 2;    // BRIDGE_VLAN_INFO_UNTAGGED
    private const ushort InfoRangeBegin = 1 << 3;  // BRIDGE_VLAN_INFO_RANGE_BEGIN
    private const ushort InfoRangeEnd = 1 << 4;    // BRIDGE_VLAN_INFO_RANGE_END
    private const int VlanInfoSize = 4;            // struct bridge_vlan_info { u16 flags; u16 vid; }

    /// <summary>Every bridge and bridge port with its VLAN table, compressed into ranges by the kernel.</summary>
    public static NetlinkRequest Dump() =>
        new NetlinkMessageWriter(NetlinkMessageType.GetLink, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Bridge, 0, 0, 0, 0))
            .AddUInt32(LinkAttribute.ExtendedMask, ExtendedFilter.BridgeVlanCompressed)
            .ToRequest();

    public static IReadOnlyList<NetlinkRequest> Add(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, int maxInfosPerRequest = MaxVlanInfosPerRequest) =>
        Build(NetlinkMessageType.SetLink, index, target, entries, withMembershipFlags: true, maxInfosPerRequest);

    /// <summary>Deletes name vids only: PVID / untagged flags mean nothing to a delete and are not sent.</summary>
    public static IReadOnlyList<NetlinkRequest> Delete(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, int maxInfosPerRequest = MaxVlanInfosPerRequest) =>
        Build(NetlinkMessageType.DelLink, index, target, entries, withMembershipFlags: false, maxInfosPerRequest);

    public static BridgeVlanTable? ParseTable(in NetlinkMessage message)
    {
        if (message.Header.Type != NetlinkMessageType.NewLink)
            return null;
        var header = IfInfoMessage.Read(message.Payload);
        if (header.Family != NetlinkAddressFamily.Bridge)
            return null;
        string? name = null;
        int? master = null;
        var entries = new List<VlanEntry>();
        foreach (var attribute in message.AttributesAfter(IfInfoMessage.Size))
        {
            switch (attribute.Type)
            {
                case LinkAttribute.Name:
                    name = attribute.GetString();
                    break;
                case LinkAttribute.Master:
                    master = attribute.GetInt32();
                    break;
                case LinkAttribute.AfSpec:
                    ReadVlanInfos(attribute.GetNested(), entries);
                    break;
            }
        }
        if (master is null)
            return null;
        if (name is null)
            ThrowHelper.Decode($"AF_BRIDGE RTM_NEWLINK for ifindex {header.Index} has no IFLA_IFNAME");
        return new BridgeVlanTable(header.Index, name, master.Value, entries);
    }

    private static void ReadVlanInfos(NetlinkAttributeReader afSpec, List<VlanEntry> entries)
    {
        ushort? rangeStart = null;
        foreach (var attribute in afSpec)
        {
            if (attribute.Type != BridgeAfSpecAttribute.VlanInfo)
                continue;
            if (attribute.Value.Length < VlanInfoSize)
                ThrowHelper.Decode($"IFLA_BRIDGE_VLAN_INFO of {attribute.Value.Length} bytes");
            var flags = NativeEndian.ReadUInt16(attribute.Value);
            var vid = NativeEndian.ReadUInt16(attribute.Value[2..]);
            if (vid is < VlanEntry.MinVid or > VlanEntry.MaxVid)
                ThrowHelper.Decode($"IFLA_BRIDGE_VLAN_INFO with vid {vid}");
            var pvid = (flags & InfoPvid) != 0;
            var untagged = (flags & InfoUntagged) != 0;

            if ((flags & InfoRangeBegin) != 0)
            {
                if (rangeStart is not null || pvid)
                    ThrowHelper.Decode($"misplaced VLAN range start at vid {vid}");
                rangeStart = vid;
            }
            else if ((flags & InfoRangeEnd) != 0)
            {
                var start = rangeStart ?? ThrowHelper.Decode<ushort>($"VLAN range end at vid {vid} without a start");
                if (vid <= start || pvid)
                    ThrowHelper.Decode($"VLAN range {start}-{vid} is empty or claims the PVID");
                entries.Add(new VlanEntry(start, vid, pvid, untagged));
                rangeStart = null;
            }
            else
            {
                if (rangeStart is not null)
                    ThrowHelper.Decode($"vid {vid} inside an open VLAN range");
                entries.Add(new VlanEntry(vid, vid, pvid, untagged));
            }
        }
        if (rangeStart is { } open)
            ThrowHelper.Decode($"VLAN range from vid {open} has no end");
    }

    private static List<NetlinkRequest> Build(ushort type, int index, VlanTarget target, IReadOnlyList<VlanEntry> entries,
        bool withMembershipFlags, int maxInfosPerRequest)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInfosPerRequest, 2);
        foreach (var entry in entries)
            entry.Validate();

        var requests = new List<NetlinkRequest>();
        var batch = new List<VlanEntry>();
        var infos = 0;
        foreach (var entry in entries)
        {
            // A range is a RANGE_BEGIN/RANGE_END pair and never straddles two requests.
            var needed = entry.IsRange ? 2 : 1;
            if (infos + needed > maxInfosPerRequest)
            {
                requests.Add(BuildOne(type, index, target, batch, withMembershipFlags));
                batch.Clear();
                infos = 0;
            }
            batch.Add(entry);
            infos += needed;
        }
        if (batch.Count > 0)
            requests.Add(BuildOne(type, index, target, batch, withMembershipFlags));
        return requests;
    }

    private static NetlinkRequest BuildOne(ushort type, int index, VlanTarget target, List<VlanEntry> entries, bool withMembershipFlags)
    {
        var writer = new NetlinkMessageWriter(type, NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack);
        writer.Write(new IfInfoMessage(NetlinkAddressFamily.Bridge, 0, index, 0, 0));
        var afSpec = writer.BeginNested(LinkAttribute.AfSpec);
        writer.AddUInt16(BridgeAfSpecAttribute.Flags, target == VlanTarget.BridgeSelf ? BridgeFlagsSelf : BridgeFlagsMaster);
        Span<byte> info = stackalloc byte[VlanInfoSize];
        foreach (var entry in entries)
        {
            var flags = withMembershipFlags
                ? (ushort)((entry.Pvid ? InfoPvid : 0) | (entry.Untagged ? InfoUntagged : 0))
                : (ushort)0;
            if (entry.IsRange)
            {
                AddVlanInfo(writer, info, (ushort)(flags | InfoRangeBegin), entry.VidStart);
                AddVlanInfo(writer, info, (ushort)(flags | InfoRangeEnd), entry.VidEnd);
            }
            else
            {
                AddVlanInfo(writer, info, flags, entry.VidStart);
            }
        }
        writer.EndNested(afSpec);
        return writer.ToRequest();
    }

    private static void AddVlanInfo(NetlinkMessageWriter writer, Span<byte> scratch, ushort flags, ushort vid)
    {
        NativeEndian.Write(scratch, flags);
        NativeEndian.Write(scratch[2..], vid);
        writer.AddBytes(BridgeAfSpecAttribute.VlanInfo, scratch);
    }
}

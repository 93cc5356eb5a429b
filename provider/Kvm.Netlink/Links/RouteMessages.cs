using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>What the default-route question needs to know about one route.</summary>
internal sealed record RouteSummary(byte Family, byte DestinationLength, uint Table, byte Type, IReadOnlyList<int> OutputInterfaces)
{
    public bool IsDefaultRouteVia(int index) =>
        DestinationLength == 0 && Table == RouteTable.Main && Type == RouteType.Unicast && OutputInterfaces.Contains(index);
}

/// <summary>Encodes the RTM_GETROUTE dump and decodes RTM_NEWROUTE replies.</summary>
internal static class RouteMessages
{
    private const int NextHopHeaderSize = 8; // struct rtnexthop

    /// <summary>
    /// IPv4 and IPv6 routes of the main table that leave through one link. With strict checking
    /// the kernel filters by rtm_table and RTA_OIF (multipath next hops included) itself.
    /// </summary>
    public static NetlinkRequest DumpMainTableVia(int index) =>
        new NetlinkMessageWriter(NetlinkMessageType.GetRoute, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump)
            .Write(new RouteMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, RouteTable.Main, 0, 0, 0, 0))
            .AddInt32(RouteAttribute.OutputInterface, index)
            .ToRequest();

    public static RouteSummary? ParseRoute(in NetlinkMessage message)
    {
        if (message.Header.Type != NetlinkMessageType.NewRoute)
            return null;
        var header = RouteMessage.Read(message.Payload);
        uint table = header.Table;
        var outputs = new List<int>();
        foreach (var attribute in message.AttributesAfter(RouteMessage.Size))
        {
            switch (attribute.Type)
            {
                case RouteAttribute.Table:
                    table = attribute.GetUInt32();
                    break;
                case RouteAttribute.OutputInterface:
                    outputs.Add(attribute.GetInt32());
                    break;
                case RouteAttribute.Multipath:
                    ReadNextHops(attribute.Value, outputs);
                    break;
            }
        }
        return new RouteSummary(header.Family, header.DestinationLength, table, header.Type, outputs);
    }

    private static void ReadNextHops(ReadOnlySpan<byte> nextHops, List<int> outputs)
    {
        while (!nextHops.IsEmpty)
        {
            if (nextHops.Length < NextHopHeaderSize)
                ThrowHelper.Decode($"{nextHops.Length} trailing bytes are too short for an rtnexthop");
            int length = NativeEndian.ReadUInt16(nextHops);
            if (length < NextHopHeaderSize || length > nextHops.Length)
                ThrowHelper.Decode($"rtnexthop length {length} does not fit the {nextHops.Length} bytes left");
            outputs.Add(NativeEndian.ReadInt32(nextHops[4..]));
            nextHops = nextHops[Math.Min(NetlinkAlignment.Align(length), nextHops.Length)..];
        }
    }
}

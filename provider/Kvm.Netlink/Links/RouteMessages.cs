using System.Net;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>Encodes RTM_GETROUTE dumps and RTM_NEWROUTE / RTM_DELROUTE requests; decodes RTM_NEWROUTE replies.</summary>
internal static class RouteMessages
{
    private const int NextHopHeaderSize = 8; // struct rtnexthop

    /// <summary>
    /// IPv4 and IPv6 routes of the main table that leave through one link. With strict checking
    /// the kernel filters by rtm_table and RTA_OIF (multipath next hops included) itself.
    /// </summary>
    public static NetlinkRequest DumpMainTableVia(int index) =>
        new NetlinkMessageWriter(NetlinkMessageType.GetRoute, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump)
            .Write(new RouteMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, (byte)RouteTables.Main, 0, 0, 0, 0))
            .AddInt32(RouteAttribute.OutputInterface, index)
            .ToRequest();

    /// <summary>
    /// Adds a unicast route to the main table. EXCL: a route with the same destination and metric
    /// is EEXIST, unless <paramref name="replace"/>, which swaps it in one step (a default route's
    /// gateway changes with no moment without one).
    /// </summary>
    public static NetlinkRequest Add(Route route, bool replace = false) =>
        Change(NetlinkMessageType.NewRoute,
            NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack | NetlinkMessageFlags.Create | (replace ? NetlinkMessageFlags.Replace : NetlinkMessageFlags.Exclusive),
            route, (byte)route.Protocol,
            // as iproute2: a route with no gateway reaches its destination on the link itself
            route.Gateway is null && !route.IsIPv6 ? RouteScope.Link : RouteScope.Universe,
            route.Type);

    /// <summary>
    /// Removes the route with this destination, gateway, link and metric from the main table (ESRCH
    /// when there is none). Scope nowhere and protocol 0 match any, as `ip route del` sends.
    /// </summary>
    public static NetlinkRequest Delete(Route route) =>
        Change(NetlinkMessageType.DelRoute, NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack, route, 0, RouteScope.Nowhere, route.Type);

    private static NetlinkRequest Change(ushort type, NetlinkMessageFlags flags, Route route, byte protocol, byte scope, byte routeType)
    {
        var family = AddressMessages.FamilyOf(route.Destination);
        if (route.Gateway is { } gw && AddressMessages.FamilyOf(gw) != family)
            throw new ArgumentException($"route {route}: the gateway's family differs from the destination's", nameof(route));
        var writer = new NetlinkMessageWriter(type, flags)
            .Write(new RouteMessage(family, route.DestinationLength, 0, 0, (byte)RouteTables.Main, protocol, scope, routeType, 0));
        if (route.DestinationLength > 0)
            writer.AddBytes(RouteAttribute.Destination, route.Destination.GetAddressBytes());
        if (route.Gateway is { } gateway)
            writer.AddBytes(RouteAttribute.Gateway, gateway.GetAddressBytes());
        writer.AddInt32(RouteAttribute.OutputInterface, route.OutputInterface);
        if (route.Metric is { } metric)
            writer.AddUInt32(RouteAttribute.Priority, metric);
        return writer.ToRequest();
    }

    /// <summary>An IPv4 or IPv6 route; null for other messages and families (MPLS, ...).</summary>
    public static Route? ParseRoute(in NetlinkMessage message)
    {
        if (message.Header.Type != NetlinkMessageType.NewRoute)
            return null;
        var header = RouteMessage.Read(message.Payload);
        if (header.Family is not (NetlinkAddressFamily.Inet or NetlinkAddressFamily.Inet6))
            return null;
        uint table = header.Table;
        var outputs = new List<int>();
        IPAddress? destination = null;
        IPAddress? gateway = null;
        uint? metric = null;
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
                case RouteAttribute.Destination:
                    destination = AddressMessages.ReadIp(attribute);
                    break;
                case RouteAttribute.Gateway:
                    gateway = AddressMessages.ReadIp(attribute);
                    break;
                case RouteAttribute.Priority:
                    metric = attribute.GetUInt32();
                    break;
                case RouteAttribute.Multipath:
                    ReadNextHops(attribute.Value, outputs);
                    break;
            }
        }
        destination ??= header.Family == NetlinkAddressFamily.Inet6 ? IPAddress.IPv6Any : IPAddress.Any;
        return new Route(destination, header.DestinationLength, gateway, outputs.Count > 0 ? outputs[0] : 0)
        {
            Metric = metric,
            Table = table,
            Protocol = (RouteProtocol)header.Protocol,
            Type = header.Type,
            OutputInterfaces = outputs,
        };
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

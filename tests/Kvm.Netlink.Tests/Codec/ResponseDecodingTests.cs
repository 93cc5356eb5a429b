using System.Net;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Codec;

/// <summary>Decoding of replies the kernel really sent (see <see cref="CapturedMessages"/>) and of hand-made ones.</summary>
public sealed class ResponseDecodingTests
{
    /// <summary>
    /// An AF_BRIDGE RTM_NEWLINK for port p0 as a kernel with VLAN filtering sends it (this machine's
    /// kernel has none): IFLA_AF_SPEC without NLA_F_NESTED (the kernel uses nla_nest_start_noflag),
    /// entries PVID+untagged 1, range 10-20, untagged 30.
    /// </summary>
    internal const string BridgePortWithVlans = """
        5c000000 1000 0200 03000000 00000000   // len 92, RTM_NEWLINK, NLM_F_MULTI, seq 3
        07 00 0100 04000000 03100100 00000000  // AF_BRIDGE, ARPHRD_ETHER, ifindex 4, UP|BROADCAST|MULTICAST|LOWER_UP
        0700 0300 703000 00                    // IFLA_IFNAME "p0"
        0800 0a00 02000000                     // IFLA_MASTER 2
        0800 0400 dc050000                     // IFLA_MTU 1500
        2400 1a00                              // IFLA_AF_SPEC (no NESTED flag), len 36
          0800 0200 0600 0100                  //   PVID|UNTAGGED 1
          0800 0200 0800 0a00                  //   RANGE_BEGIN 10
          0800 0200 1000 1400                  //   RANGE_END 20
          0800 0200 0400 1e00                  //   UNTAGGED 30
        """;

    [Fact]
    public void Link_dump_spans_datagrams_and_ends_with_done()
    {
        var links = new List<Link>();
        foreach (var datagram in new[] { CapturedMessages.LinkDump0, CapturedMessages.LinkDump1 })
        {
            foreach (var message in new NetlinkMessageReader(Hex.Bytes(datagram)))
            {
                Assert.Equal(NetlinkMessageType.NewLink, message.Header.Type);
                Assert.True((message.Header.Flags & NetlinkMessageFlags.Multi) != 0);
                Assert.Equal(1u, message.Header.Sequence);
                links.Add(LinkMessages.ParseLink(message)!);
            }
        }
        var done = ReadSingle(CapturedMessages.LinkDump2);

        Assert.Equal(NetlinkMessageType.Done, done.Type);
        Assert.Equal(["lo", "br0", "p0peer", "p0"], links.Select(l => l.Name).ToArray());

        var lo = links[0];
        Assert.Equal(1, lo.Index);
        Assert.Null(lo.Kind);
        Assert.True(lo.IsUp);
        Assert.True((lo.Flags & LinkFlags.Loopback) != 0);
        Assert.Equal(65536u, lo.Mtu);
        Assert.Equal(MacAddress.Parse("00:00:00:00:00:00"), lo.Address);

        var bridge = links[1];
        Assert.Equal(2, bridge.Index);
        Assert.Equal("bridge", bridge.Kind);
        // Set at creation, the MTU gave way to the port's 1500 when p0 joined (see LinkMessages.CreateBridge).
        Assert.Equal(1500u, bridge.Mtu);
        Assert.Equal(MacAddress.Parse("02:00:00:00:0b:00"), bridge.Address);
        Assert.True(bridge.IsUp);
        Assert.Null(bridge.MasterIndex);
        Assert.Equal(new BridgeOptions
        {
            StpState = BridgeStpState.Kernel,
            ForwardDelayCentiseconds = 1500,
            HelloTimeCentiseconds = 200,
            MaxAgeCentiseconds = 2000,
            AgeingTimeCentiseconds = 6000,
            Priority = 32768,
            VlanFiltering = false,
            MulticastSnooping = true,
        }, bridge.Bridge);

        var port = links[3];
        Assert.Equal(4, port.Index);
        Assert.Equal("veth", port.Kind);
        Assert.Equal(2, port.MasterIndex);
        Assert.Equal("bridge", port.PortKind);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:01"), port.Address);
        Assert.Null(port.Bridge);
        Assert.Null(links[2].MasterIndex);
    }

    [Fact]
    public void Get_reply_is_the_link_then_the_ack()
    {
        var reply = Hex.Bytes(CapturedMessages.LinkGetBr00);
        var reader = new NetlinkMessageReader(reply);
        Assert.True(reader.MoveNext());
        var link = LinkMessages.ParseLink(reader.Current);
        Assert.False(reader.MoveNext());

        Assert.Equal("br0", link!.Name);
        Assert.True(link.IsUp);
        // Up but without carrier: its only port's peer is down.
        Assert.Equal(OperationalState.Down, link.OperationalState);
        var ack = ReadAcknowledgement(CapturedMessages.LinkGetBr01);
        Assert.True(ack.IsSuccess);
        Assert.Null(ack.ExtendedAckMessage);
    }

    [Fact]
    public void Capped_error_with_extended_ack()
    {
        var datagram = Hex.Bytes(CapturedMessages.ErrorExtackCapped0);
        var header = NetlinkHeader.Read(datagram);
        var ack = ReadAcknowledgement(CapturedMessages.ErrorExtackCapped0);

        Assert.Equal(NetlinkMessageFlags.Capped | NetlinkMessageFlags.AckTlvs, header.Flags);
        Assert.Equal(-Errno.EINVAL, ack.Error);
        Assert.Equal("mtu less than device minimum", ack.ExtendedAckMessage);
    }

    [Fact]
    public void Uncapped_error_echoes_the_request_before_the_extended_ack()
    {
        var datagram = Hex.Bytes(CapturedMessages.ErrorExtackUncapped0);
        var header = NetlinkHeader.Read(datagram);
        var ack = ReadAcknowledgement(CapturedMessages.ErrorExtackUncapped0);

        Assert.Equal(NetlinkMessageFlags.AckTlvs, header.Flags);
        Assert.Equal(-Errno.EINVAL, ack.Error);
        Assert.Equal("mtu less than device minimum", ack.ExtendedAckMessage);
    }

    [Fact]
    public void Error_without_text()
    {
        var exists = ReadAcknowledgement(CapturedMessages.ErrorEexist0);
        var unsupported = ReadAcknowledgement(CapturedMessages.ErrorVlanEopnotsupp0);

        Assert.Equal(-Errno.EEXIST, exists.Error);
        Assert.Null(exists.ExtendedAckMessage);
        Assert.Equal(-Errno.EOPNOTSUPP, unsupported.Error);
    }

    [Fact]
    public void Hand_made_error_with_offset()
    {
        var datagram = Hex.Bytes("""
            34000000 0200 0003 07000000 9a020000   // len 52, NLMSG_ERROR, CAPPED|ACK_TLVS
            eaffffff                               // error -22
            4c000000 1000 0500 07000000 00000000   // the request's header, capped
            0800 0100 62616400                     // NLMSGERR_ATTR_MSG "bad"
            0800 0200 20000000                     // NLMSGERR_ATTR_OFFS 32
            """);

        var ack = ReadAcknowledgement(Hex.Of(datagram));

        Assert.Equal(new NetlinkAcknowledgement(-22, "bad", 32), ack);
        var error = new NetlinkException(-ack.Error, "RTM_NEWLINK", ack.ExtendedAckMessage, ack.ExtendedAckOffset);
        Assert.Equal("RTM_NEWLINK failed: EINVAL (Invalid argument): bad", error.Message);
        Assert.Equal(32u, error.ExtendedAckOffset);
    }

    [Fact]
    public void Done_with_a_failure_status()
    {
        var datagram = Hex.Bytes("""
            14000000 0300 0200 05000000 00000000   // NLMSG_DONE, MULTI
            edffffff                               // -19: ENODEV
            """);
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.MoveNext());

        Assert.Equal(-Errno.ENODEV, NetlinkAcknowledgement.ReadDone(reader.Current).Error);
    }

    [Fact]
    public void Addresses()
    {
        var addresses = ParseAll(CapturedMessages.AddrDump0, AddressMessages.ParseAddress);

        var address = Assert.Single(addresses);
        Assert.Equal(new LinkAddress(2, IPAddress.Parse("10.20.0.1"), 24, AddressScope.Universe, "br0") { Flags = AddressFlags.Permanent }, address);
        Assert.Equal("10.20.0.1/24", address.ToString());
    }

    [Fact]
    public void Routes()
    {
        var routes = ParseAll(CapturedMessages.RouteDump0, RouteMessages.ParseRoute);

        Assert.Contains(routes, r => r.IsDefaultRouteVia(2));
        Assert.DoesNotContain(routes, r => r.IsDefaultRouteVia(4));
    }

    [Fact]
    public void Route_with_destination_gateway_metric_and_protocol()
    {
        var datagram = Hex.Bytes("""
            44000000 1800 0200 05000000 00000000   // len 68, RTM_NEWROUTE
            02 10 00 00 fe 04 00 01 00000000       // AF_INET, /16, main, static, universe, unicast
            0800 0f00 fe000000                     // RTA_TABLE 254
            0800 0100 0a080000                     // RTA_DST 10.8.0.0
            0800 0500 c0a80002                     // RTA_GATEWAY 192.168.0.2
            0800 0400 07000000                     // RTA_OIF 7
            0800 0600 32000000                     // RTA_PRIORITY 50
            """);

        var route = Assert.Single(ParseAll(Hex.Of(datagram), RouteMessages.ParseRoute));

        Assert.Equal("10.8.0.0/16 via 192.168.0.2 metric 50", route.ToString());
        Assert.Equal(RouteProtocol.Static, route.Protocol);
        Assert.Equal(7, route.OutputInterface);
        Assert.False(route.IsDefaultRouteVia(7));
    }

    [Fact]
    public void Route_of_a_family_other_than_ip_is_skipped()
    {
        var datagram = Hex.Bytes("""
            1c000000 1800 0200 05000000 00000000   // len 28, RTM_NEWROUTE
            1c 00 00 00 fe 04 00 01 00000000       // AF_MPLS
            """);

        Assert.Empty(ParseAll(Hex.Of(datagram), RouteMessages.ParseRoute));
    }

    [Fact]
    public void Address_flags_come_from_ifa_flags_attribute_when_present()
    {
        var datagram = Hex.Bytes("""
            34000000 1400 0200 05000000 00000000   // len 52, RTM_NEWADDR
            0a 40 80 00 03000000                   // AF_INET6, /64, ifa_flags PERMANENT, universe, ifindex 3
            1400 0100 fd000000 00000000 00000000 00000001
            0800 0800 c0000000                     // IFA_FLAGS PERMANENT|TENTATIVE
            """);

        var address = Assert.Single(ParseAll(Hex.Of(datagram), AddressMessages.ParseAddress));

        Assert.Equal("fd00::1/64", address.ToString());
        Assert.Equal(AddressFlags.Permanent | AddressFlags.Tentative, address.Flags);
        Assert.True(address.IsPermanent);
    }

    [Fact]
    public void Multipath_default_route_counts_for_each_next_hop()
    {
        var datagram = Hex.Bytes("""
            40000000 1800 0200 05000000 00000000   // len 64, RTM_NEWROUTE
            02 00 00 00 fe 03 00 01 00000000       // AF_INET, dst_len 0, main, boot, universe, unicast
            0800 0f00 fe000000                     // RTA_TABLE 254
            1c00 0900                              // RTA_MULTIPATH, len 28
              1000 00 00 03000000                  //   rtnexthop len 16, ifindex 3
                0800 0500 0a000001                 //     RTA_GATEWAY 10.0.0.1
              0800 00 00 07000000                  //   rtnexthop len 8, ifindex 7
            """);

        var route = Assert.Single(ParseAll(Hex.Of(datagram), RouteMessages.ParseRoute));

        Assert.Equal([3, 7], route.OutputInterfaces);
        Assert.True(route.IsDefaultRouteVia(7));
        Assert.False(route.IsDefaultRouteVia(4));
    }

    [Fact]
    public void Bridge_dump_on_a_kernel_without_vlan_filtering()
    {
        var tables = ParseAll(CapturedMessages.BridgeDump0, BridgeVlanMessages.ParseTable);

        Assert.Equal(["br0", "p0"], tables.Select(t => t.Name).ToArray());
        Assert.True(tables[0].IsBridgeSelf);
        Assert.Equal(2, tables[1].MasterIndex);
        Assert.Equal(VlanTarget.BridgePort, tables[1].Target);
        Assert.All(tables, t => Assert.Empty(t.Entries));
    }

    [Fact]
    public void Bridge_port_vlan_entries_with_ranges()
    {
        var table = Assert.Single(ParseAll(BridgePortWithVlans, BridgeVlanMessages.ParseTable));

        Assert.Equal(4, table.Index);
        Assert.Equal("p0", table.Name);
        Assert.Equal(2, table.MasterIndex);
        Assert.Equal(
        [
            new VlanEntry(1, 1, Pvid: true, Untagged: true),
            new VlanEntry(10, 20, Pvid: false, Untagged: false),
            new VlanEntry(30, 30, Pvid: false, Untagged: true),
        ], table.Entries);
    }

    [Theory]
    [InlineData("0800 0200 1000 1400", "range end without a start")]
    [InlineData("0800 0200 0800 0a00", "range start without an end")]
    [InlineData("0800 0200 0800 0a00 0800 0200 0800 0b00", "two range starts")]
    [InlineData("0800 0200 0800 1400 0800 0200 1000 0a00", "range end before its start")]
    [InlineData("0800 0200 0a00 0a00 0800 0200 1000 1400", "PVID range start")]
    [InlineData("0800 0200 0000 0000", "vid 0")]
    [InlineData("0800 0200 0000 ff0f", "vid 4095")]
    [InlineData("0600 0200 0000 0000", "a 2-byte vlan info")]
    public void Inconsistent_vlan_infos_are_decode_errors(string infos, string what)
    {
        var afSpec = Hex.Bytes(infos);
        var message = Hex.Bytes("""
            00000000 1000 0200 03000000 00000000
            07 00 0100 04000000 00000000 00000000
            0700 0300 703000 00
            0800 0a00 02000000
            """).Concat(BitConverter.GetBytes((ushort)(afSpec.Length + 4))).Concat(new byte[] { 0x1a, 0x00 }).Concat(afSpec).ToArray();
        BitConverter.TryWriteBytes(message, message.Length);

        var error = Assert.Throws<NetlinkDecodeException>(() => ParseAll(Hex.Of(message), BridgeVlanMessages.ParseTable));
        Assert.False(string.IsNullOrEmpty(error.Message), what);
    }

    private static NetlinkHeader ReadSingle(string hex)
    {
        var reader = new NetlinkMessageReader(Hex.Bytes(hex));
        Assert.True(reader.MoveNext());
        var header = reader.Current.Header;
        Assert.False(reader.MoveNext());
        return header;
    }

    private static NetlinkAcknowledgement ReadAcknowledgement(string hex)
    {
        var reader = new NetlinkMessageReader(Hex.Bytes(hex));
        Assert.True(reader.MoveNext());
        Assert.Equal(NetlinkMessageType.Error, reader.Current.Header.Type);
        return NetlinkAcknowledgement.ReadError(reader.Current);
    }

    private static List<T> ParseAll<T>(string hex, NetlinkMessageParser<T> parse) where T : class
    {
        var results = new List<T>();
        foreach (var message in new NetlinkMessageReader(Hex.Bytes(hex)))
        {
            if (parse(message) is { } result)
                results.Add(result);
        }
        return results;
    }
}

using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Codec;

/// <summary>Every request the services send, byte for byte, against arrays worked out by hand from the uapi headers.</summary>
public sealed class RequestEncodingTests
{
    [Fact]
    public void Link_dump()
    {
        var expected = Hex.Bytes("""
            28000000 1200 0103 01000000 00000000   // nlmsghdr: len 40, RTM_GETLINK, REQUEST|DUMP, seq 1
            00 00 0000 00000000 00000000 00000000  // ifinfomsg: AF_UNSPEC, all zero (strict checking wants that)
            0800 1d00 08000000                     // IFLA_EXT_MASK = RTEXT_FILTER_SKIP_STATS
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.Dump().Encode(1)));
    }

    [Fact]
    public void Link_get_by_name()
    {
        var expected = Hex.Bytes("""
            30000000 1200 0500 02000000 00000000   // len 48, RTM_GETLINK, REQUEST|ACK, seq 2
            00 00 0000 00000000 00000000 00000000
            0800 0300 62723000                     // IFLA_IFNAME "br0\0"
            0800 1d00 08000000                     // IFLA_EXT_MASK = SKIP_STATS
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.GetByName("br0").Encode(2)));
    }

    [Fact]
    public void Link_get_by_index()
    {
        var expected = Hex.Bytes("""
            28000000 1200 0500 03000000 00000000
            00 00 0000 07000000 00000000 00000000  // ifi_index 7
            0800 1d00 08000000
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.GetByIndex(7).Encode(3)));
    }

    [Fact]
    public void Bridge_create_with_options()
    {
        var request = LinkMessages.CreateBridge(new NewBridge("br0")
        {
            Mtu = 1400,
            Address = MacAddress.Parse("02:11:22:33:44:55"),
            AdminState = AdminState.Up,
            Options = new BridgeOptions
            {
                ForwardDelayCentiseconds = 400,
                StpState = BridgeStpState.Kernel,
                VlanProtocol = BridgeVlanProtocol.Dot1AD,
                MulticastSnooping = false,
                VlanDefaultPvid = 10,
            },
        });

        var expected = Hex.Bytes("""
            70000000 1000 0506 04000000 00000000   // len 112, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 4
            00 00 0000 00000000 01000000 01000000  // ifinfomsg: flags IFF_UP, change IFF_UP
            0800 0300 62723000                     // IFLA_IFNAME "br0\0" (no IFLA_MTU: it goes in a second request)
            0a00 0100 021122334455 0000            // IFLA_ADDRESS (6 bytes + 2 padding)
            3c00 1280                              // IFLA_LINKINFO | NLA_F_NESTED, len 60
              0b00 0100 62726964676500 00          //   IFLA_INFO_KIND "bridge\0" + 1 padding
              2c00 0280                            //   IFLA_INFO_DATA | NLA_F_NESTED, len 44
                0800 0100 90010000                 //     IFLA_BR_FORWARD_DELAY 400 cs
                0800 0500 01000000                 //     IFLA_BR_STP_STATE 1
                0600 0800 88a8 0000                //     IFLA_BR_VLAN_PROTOCOL 0x88a8, big-endian
                0500 1700 00 000000                //     IFLA_BR_MCAST_SNOOPING 0
                0600 2700 0a00 0000                //     IFLA_BR_VLAN_DEFAULT_PVID 10
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(request.Encode(4)));
        Assert.Equal("RTM_NEWLINK", request.Operation);
        Assert.False(request.IsDump);
    }

    [Fact]
    public void Mtu_of_a_new_bridge_by_name()
    {
        var expected = Hex.Bytes("""
            30000000 1000 0500 05000000 00000000   // len 48, RTM_NEWLINK, REQUEST|ACK: no CREATE, so it changes
            00 00 0000 00000000 00000000 00000000  // ifi_index 0: the name picks the link
            0800 0300 62723000                     // IFLA_IFNAME "br0"
            0800 0400 78050000                     // IFLA_MTU 1400
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.SetMtuByName("br0", 1400).Encode(5)));
    }

    [Fact]
    public void Delete_by_name()
    {
        var expected = Hex.Bytes("""
            28000000 1100 0500 05000000 00000000   // len 40, RTM_DELLINK, REQUEST|ACK
            00 00 0000 00000000 00000000 00000000
            0800 0300 62723000                     // IFLA_IFNAME "br0"
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.DeleteByName("br0").Encode(5)));
    }

    [Fact]
    public void Bridge_create_without_options_names_only_the_kind()
    {
        var expected = Hex.Bytes("""
            38000000 1000 0506 05000000 00000000   // len 56
            00 00 0000 00000000 00000000 00000000  // no flag change
            0800 0300 62723100                     // IFLA_IFNAME "br1\0"
            1000 1280                              // IFLA_LINKINFO, len 16
              0b00 0100 62726964676500 00          //   IFLA_INFO_KIND "bridge"
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.CreateBridge(new NewBridge("br1")).Encode(5)));
    }

    [Fact]
    public void Change_set_is_one_RTM_NEWLINK_on_the_ifindex()
    {
        var request = LinkMessages.Change(7, new LinkChange
        {
            Mtu = 9000,
            AdminState = AdminState.Down,
            MasterIndex = 0,
            Bridge = new BridgeOptions { AgeingTimeCentiseconds = 30000 },
        });

        var expected = Hex.Bytes("""
            4c000000 1000 0500 06000000 00000000   // len 76, RTM_NEWLINK, REQUEST|ACK (no CREATE), seq 6
            00 00 0000 07000000 00000000 01000000  // ifi_index 7, flags 0 with change IFF_UP: down
            0800 0400 28230000                     // IFLA_MTU 9000
            0800 0a00 00000000                     // IFLA_MASTER 0: release
            1c00 1280                              // IFLA_LINKINFO, len 28
              0b00 0100 62726964676500 00          //   IFLA_INFO_KIND "bridge"
              0c00 0280                            //   IFLA_INFO_DATA, len 12
                0800 0400 30750000                 //     IFLA_BR_AGEING_TIME 30000 cs
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(request.Encode(6)));
    }

    [Fact]
    public void Enslave_is_a_change_set_with_the_master_only()
    {
        var expected = Hex.Bytes("""
            28000000 1000 0500 07000000 00000000
            00 00 0000 04000000 00000000 00000000
            0800 0a00 02000000                     // IFLA_MASTER 2
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.Change(4, new LinkChange { MasterIndex = 2 }).Encode(7)));
    }

    [Fact]
    public void Delete()
    {
        var expected = Hex.Bytes("""
            20000000 1100 0500 08000000 00000000   // len 32, RTM_DELLINK, REQUEST|ACK
            00 00 0000 07000000 00000000 00000000
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(LinkMessages.Delete(7).Encode(8)));
    }

    [Fact]
    public void Address_dump_of_one_link()
    {
        var expected = Hex.Bytes("""
            18000000 1600 0103 09000000 00000000   // len 24, RTM_GETADDR, REQUEST|DUMP
            00 00 00 00 07000000                   // ifaddrmsg: AF_UNSPEC, ifa_index 7
            """);

        var request = AddressMessages.DumpOfLink(7);
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Encode(9)));
        Assert.True(request.IsDump);
    }

    [Fact]
    public void Route_dump_of_the_main_table_via_one_link()
    {
        var expected = Hex.Bytes("""
            24000000 1a00 0103 0a000000 00000000   // len 36, RTM_GETROUTE, REQUEST|DUMP
            00 00 00 00 fe 00 00 00 00000000       // rtmsg: AF_UNSPEC, table RT_TABLE_MAIN
            0800 0400 07000000                     // RTA_OIF 7
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(RouteMessages.DumpMainTableVia(7).Encode(10)));
    }

    [Fact]
    public void Address_add_is_exclusive_and_carries_local_and_address()
    {
        var expected = Hex.Bytes("""
            28000000 1400 0506 0c000000 00000000   // len 40, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
            02 18 00 00 07000000                   // ifaddrmsg: AF_INET, /24, ifindex 7
            0800 0200 c0a8005a                     // IFA_LOCAL 192.168.0.90
            0800 0100 c0a8005a                     // IFA_ADDRESS 192.168.0.90
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(AddressMessages.Add(7, System.Net.IPAddress.Parse("192.168.0.90"), 24).Encode(12)));
    }

    [Fact]
    public void Address_delete_of_an_ipv6_address()
    {
        var expected = Hex.Bytes("""
            40000000 1500 0500 0d000000 00000000   // len 64, RTM_DELADDR, REQUEST|ACK
            0a 40 00 00 07000000                   // AF_INET6, /64, ifindex 7
            1400 0200 fd000000 00000000 00000000 00000001
            1400 0100 fd000000 00000000 00000000 00000001
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(AddressMessages.Delete(7, System.Net.IPAddress.Parse("fd00::1"), 64).Encode(13)));
    }

    [Fact]
    public void Address_dump_of_every_link()
    {
        var expected = Hex.Bytes("""
            18000000 1600 0103 0e000000 00000000   // RTM_GETADDR, REQUEST|DUMP
            00 00 00 00 00000000                   // AF_UNSPEC, no ifindex filter
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(AddressMessages.DumpAll().Encode(14)));
    }

    [Fact]
    public void Default_route_replace_is_proto_static_via_a_gateway()
    {
        var expected = Hex.Bytes("""
            2c000000 1800 0505 0f000000 00000000   // len 44, RTM_NEWROUTE, REQUEST|ACK|REPLACE|CREATE
            02 00 00 00 fe 04 00 01 00000000       // AF_INET, dst_len 0, main, static, universe, unicast
            0800 0500 c0a80001                     // RTA_GATEWAY 192.168.0.1
            0800 0400 07000000                     // RTA_OIF 7
            """);

        var route = new Route(System.Net.IPAddress.Any, 0, System.Net.IPAddress.Parse("192.168.0.1"), 7);
        Assert.Equal(Hex.Of(expected), Hex.Of(RouteMessages.Add(route, replace: true).Encode(15)));
    }

    [Fact]
    public void Route_without_gateway_is_scope_link_and_exclusive()
    {
        var expected = Hex.Bytes("""
            2c000000 1800 0506 10000000 00000000   // len 44, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
            02 10 00 00 fe 04 fd 01 00000000       // AF_INET, /16, main, static, scope link, unicast
            0800 0100 0a090000                     // RTA_DST 10.9.0.0
            0800 0400 07000000                     // RTA_OIF 7
            """);

        var route = new Route(System.Net.IPAddress.Parse("10.9.0.0"), 16, null, 7);
        Assert.Equal(Hex.Of(expected), Hex.Of(RouteMessages.Add(route).Encode(16)));
    }

    [Fact]
    public void Route_delete_names_destination_gateway_link_and_metric()
    {
        var expected = Hex.Bytes("""
            3c000000 1900 0500 11000000 00000000   // len 60, RTM_DELROUTE, REQUEST|ACK
            02 10 00 00 fe 00 ff 01 00000000       // AF_INET, /16, main, any protocol, scope nowhere, unicast
            0800 0100 0a080000                     // RTA_DST 10.8.0.0
            0800 0500 c0a80002                     // RTA_GATEWAY 192.168.0.2
            0800 0400 07000000                     // RTA_OIF 7
            0800 0600 32000000                     // RTA_PRIORITY 50
            """);

        var route = new Route(System.Net.IPAddress.Parse("10.8.0.0"), 16, System.Net.IPAddress.Parse("192.168.0.2"), 7) { Metric = 50 };
        Assert.Equal(Hex.Of(expected), Hex.Of(RouteMessages.Delete(route).Encode(17)));
    }

    [Fact]
    public void Route_with_a_gateway_of_another_family_is_refused_before_encoding()
    {
        var route = new Route(System.Net.IPAddress.Any, 0, System.Net.IPAddress.Parse("fd00::1"), 7);
        Assert.Throws<ArgumentException>(() => RouteMessages.Add(route));
    }

    [Fact]
    public void Bridge_vlan_dump()
    {
        var expected = Hex.Bytes("""
            28000000 1200 0103 0b000000 00000000   // RTM_GETLINK, REQUEST|DUMP
            07 00 0000 00000000 00000000 00000000  // ifinfomsg: AF_BRIDGE
            0800 1d00 04000000                     // IFLA_EXT_MASK = RTEXT_FILTER_BRVLAN_COMPRESSED
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(BridgeVlanMessages.Dump().Encode(11)));
    }

    [Fact]
    public void Bridge_vlan_add_to_a_port_with_ranges()
    {
        var requests = BridgeVlanMessages.Add(5, VlanTarget.BridgePort,
        [
            new VlanEntry(1, 1, Pvid: true, Untagged: true),
            VlanEntry.Of(10, 20),
            VlanEntry.Of(30) with { Untagged = true },
        ]);

        var expected = Hex.Bytes("""
            4c000000 1300 0500 0c000000 00000000   // len 76, RTM_SETLINK, REQUEST|ACK
            07 00 0000 05000000 00000000 00000000  // AF_BRIDGE, port ifindex 5
            2c00 1a80                              // IFLA_AF_SPEC | NLA_F_NESTED, len 44
              0600 0000 0100 0000                  //   IFLA_BRIDGE_FLAGS = BRIDGE_FLAGS_MASTER
              0800 0200 0600 0100                  //   IFLA_BRIDGE_VLAN_INFO PVID|UNTAGGED vid 1
              0800 0200 0800 0a00                  //   RANGE_BEGIN vid 10
              0800 0200 1000 1400                  //   RANGE_END vid 20
              0800 0200 0400 1e00                  //   UNTAGGED vid 30
            """);

        var request = Assert.Single(requests);
        Assert.Equal(Hex.Of(expected), Hex.Of(request.Encode(12)));
    }

    [Fact]
    public void Bridge_vlan_delete_from_the_bridge_itself_sends_no_membership_flags()
    {
        var requests = BridgeVlanMessages.Delete(2, VlanTarget.BridgeSelf,
        [
            new VlanEntry(10, 20, Pvid: false, Untagged: true),
            new VlanEntry(40, 40, Pvid: true, Untagged: true),
        ]);

        var expected = Hex.Bytes("""
            44000000 1100 0500 0d000000 00000000   // len 68, RTM_DELLINK, REQUEST|ACK
            07 00 0000 02000000 00000000 00000000  // AF_BRIDGE, bridge ifindex 2
            2400 1a80                              // IFLA_AF_SPEC, len 36
              0600 0000 0200 0000                  //   IFLA_BRIDGE_FLAGS = BRIDGE_FLAGS_SELF
              0800 0200 0800 0a00                  //   RANGE_BEGIN vid 10
              0800 0200 1000 1400                  //   RANGE_END vid 20
              0800 0200 0000 2800                  //   vid 40
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(Assert.Single(requests).Encode(13)));
    }

    [Fact]
    public void Bridge_vlan_requests_split_at_the_bound_without_breaking_a_range()
    {
        // Bound of 3 infos: [1] + [10-20] fills 3; [30-40] needs 2 more and starts a new request.
        var requests = BridgeVlanMessages.Add(5, VlanTarget.BridgePort,
            [VlanEntry.Of(1), VlanEntry.Of(10, 20), VlanEntry.Of(30, 40), VlanEntry.Of(50)], maxInfosPerRequest: 3);

        Assert.Equal(2, requests.Count);
        var second = Hex.Bytes("""
            44000000 1300 0500 01000000 00000000
            07 00 0000 05000000 00000000 00000000
            2400 1a80
              0600 0000 0100 0000
              0800 0200 0800 1e00                  //   RANGE_BEGIN 30
              0800 0200 1000 2800                  //   RANGE_END 40
              0800 0200 0000 3200                  //   vid 50
            """);
        Assert.Equal(Hex.Of(second), Hex.Of(requests[1].Encode(1)));
        Assert.Equal(76 - 8, requests[0].Length);
    }

    [Fact]
    public void A_whole_vlan_table_fits_one_request()
    {
        // Worst case for ranges: every other vid, so nothing merges: 2047 single entries.
        var entries = Enumerable.Range(1, VlanEntry.MaxVid).Where(v => v % 2 == 1).Select(v => VlanEntry.Of((ushort)v)).ToArray();
        var everything = Enumerable.Range(1, VlanEntry.MaxVid).Select(v => VlanEntry.Of((ushort)v)).ToArray();

        Assert.Single(BridgeVlanMessages.Add(5, VlanTarget.BridgePort, entries));
        var single = Assert.Single(BridgeVlanMessages.Add(5, VlanTarget.BridgePort, everything));
        Assert.Equal(16 + 16 + 4 + 8 + (VlanEntry.MaxVid * 8), single.Length);
    }

    [Fact]
    public void Invalid_vlan_entries_are_refused_before_anything_is_sent()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BridgeVlanMessages.Add(5, VlanTarget.BridgePort, [VlanEntry.Of(0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BridgeVlanMessages.Add(5, VlanTarget.BridgePort, [VlanEntry.Of(4095)]));
        Assert.Throws<ArgumentException>(() => BridgeVlanMessages.Add(5, VlanTarget.BridgePort, [VlanEntry.Of(20, 10)]));
        Assert.Throws<ArgumentException>(() => BridgeVlanMessages.Add(5, VlanTarget.BridgePort, [new VlanEntry(10, 20, Pvid: true, Untagged: false)]));
    }

    [Fact]
    public void Legacy_rtgenmsg_dump_header_is_padded_to_four_bytes()
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.GetLink, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump)
            .Write(new RtGenMessage(NetlinkAddressFamily.Bridge))
            .ToRequest();

        Assert.Equal("1400000012000103010000000000000007000000", Hex.Of(request.Encode(1)));
    }
}

using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Codec;

/// <summary>On/off bridge settings by IFLA_BR_* number: read from what the kernel sent, written byte for byte.</summary>
public sealed class BridgeSwitchesTests
{
    private static List<Link> Links(string datagram)
    {
        var links = new List<Link>();
        foreach (var message in new NetlinkMessageReader(Hex.Bytes(datagram))) links.Add(LinkMessages.ParseLink(message)!);
        return links;
    }

    [Fact]
    public void Every_one_byte_bridge_attribute_the_kernel_sent_is_a_switch()
    {
        var bridge = Links(CapturedMessages.LinkDump0).Single(l => l.Name == "br0");
        // What this kernel reported for a new bridge (see the captured dump): netfilter calls off, snooping on, no VLAN filtering.
        Assert.Equal(false, bridge.BridgeSwitches[BridgeSwitch.NfCallIptables]);
        Assert.Equal(false, bridge.BridgeSwitches[BridgeSwitch.NfCallIp6tables]);
        Assert.Equal(false, bridge.BridgeSwitches[BridgeSwitch.NfCallArptables]);
        Assert.Equal(true, bridge.BridgeSwitches[23]);   // IFLA_BR_MCAST_SNOOPING
        Assert.Equal(false, bridge.BridgeSwitches[7]);   // IFLA_BR_VLAN_FILTERING
        Assert.Null(bridge.BridgeSwitches[1]);           // IFLA_BR_FORWARD_DELAY is a u32, not a switch
    }

    [Fact]
    public void A_link_that_is_not_a_bridge_has_none()
    {
        var port = Links(CapturedMessages.LinkDump1).First(l => l.Kind == "veth");
        Assert.True(port.BridgeSwitches.IsEmpty);
    }

    [Fact]
    public void Switches_are_written_after_the_named_options_in_number_order()
    {
        var request = LinkMessages.Change(7, new LinkChange
        {
            Bridge = new BridgeOptions
            {
                AgeingTimeCentiseconds = 30000,
                Switches = BridgeSwitches.None.With(BridgeSwitch.NfCallArptables, false).With(BridgeSwitch.NfCallIptables, true),
            },
        });

        var expected = Hex.Bytes("""
            4c000000 1000 0500 06000000 00000000   // len 76, RTM_NEWLINK, REQUEST|ACK, seq 6
            00 00 0000 07000000 00000000 00000000  // ifi_index 7
            2c00 1280                              // IFLA_LINKINFO, len 44
              0b00 0100 62726964676500 00          //   IFLA_INFO_KIND "bridge"
              1c00 0280                            //   IFLA_INFO_DATA, len 28
                0800 0400 30750000                 //     IFLA_BR_AGEING_TIME 30000 cs
                0500 2400 01 000000                //     IFLA_BR_NF_CALL_IPTABLES 1
                0500 2600 00 000000                //     IFLA_BR_NF_CALL_ARPTABLES 0
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(request.Encode(6)));
    }

    [Fact]
    public void Options_with_only_switches_are_not_empty_and_equal_by_value()
    {
        var a = new BridgeOptions { Switches = BridgeSwitches.None.With(BridgeSwitch.NfCallIptables, true) };
        var b = new BridgeOptions { Switches = BridgeSwitches.None.With(BridgeSwitch.NfCallIptables, true) };
        Assert.False(a.IsEmpty);
        Assert.Equal(a, b);
        Assert.NotEqual(a, a with { Switches = BridgeSwitches.None.With(BridgeSwitch.NfCallIptables, false) });
        Assert.True(BridgeOptions.Empty.IsEmpty);
    }
}

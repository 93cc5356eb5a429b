using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Codec;

/// <summary>Bridge port settings by IFLA_BRPORT_* number: read from IFLA_INFO_SLAVE_DATA, written byte for byte.</summary>
public sealed class BridgePortSettingsTests
{
    private static List<Link> Links(string datagram)
    {
        var links = new List<Link>();
        foreach (var message in new NetlinkMessageReader(Hex.Bytes(datagram))) links.Add(LinkMessages.ParseLink(message)!);
        return links;
    }

    [Fact]
    public void A_port_reports_the_kernels_defaults_with_their_sizes()
    {
        var port = Links(CapturedMessages.LinkDump1).Single(l => l.Name == "p0");
        var s = port.PortSettings;
        // A veth (10 Gb/s to ethtool) that just joined br0: the kernel's fresh port.
        Assert.Equal(32u, s[BridgePortAttribute.Priority]);
        Assert.Equal(2u, s[BridgePortAttribute.Cost]);
        Assert.Equal(0u, s[BridgePortAttribute.Hairpin]);
        Assert.Equal(1u, s[BridgePortAttribute.Learning]);
        Assert.Equal(1u, s[BridgePortAttribute.UnicastFlood]);
        Assert.Equal(1u, s[BridgePortAttribute.MulticastFlood]);
        Assert.Equal(0u, s[BridgePortAttribute.Isolated]);
        Assert.Null(s[13]);   // IFLA_BRPORT_ROOT_ID is an 8-byte bridge id, not a setting
        Assert.Null(s[21]);   // IFLA_BRPORT_MESSAGE_AGE_TIMER is a u64
        Assert.Contains(s.All, a => a is { Type: BridgePortAttribute.Priority, Size: 2 });
        Assert.Contains(s.All, a => a is { Type: BridgePortAttribute.Cost, Size: 4 });
    }

    [Fact]
    public void Links_that_are_not_bridge_ports_have_none()
    {
        var links = Links(CapturedMessages.LinkDump0).Concat(Links(CapturedMessages.LinkDump1)).ToList();
        Assert.All(links.Where(l => l.PortKind is null), l => Assert.True(l.PortSettings.IsEmpty));
        Assert.True(links.Single(l => l.Name == "br0").PortSettings.IsEmpty);
    }

    [Fact]
    public void Settings_are_written_as_slave_data_of_kind_bridge_in_number_order()
    {
        var request = LinkMessages.Change(4, new LinkChange
        {
            Port = BridgePortSettings.None
                .With(BridgePortAttribute.Isolated, 1, 1)
                .With(BridgePortAttribute.Cost, 100, 4)
                .With(BridgePortAttribute.Priority, 40, 2)
                .With(BridgePortAttribute.Hairpin, 1, 1),
        });

        var expected = Hex.Bytes("""
            54000000 1000 0500 06000000 00000000   // len 84, RTM_NEWLINK, REQUEST|ACK, seq 6
            00 00 0000 04000000 00000000 00000000  // ifi_index 4
            3400 1280                              // IFLA_LINKINFO, len 52
              0b00 0400 62726964676500 00          //   IFLA_INFO_SLAVE_KIND "bridge"
              2400 0580                            //   IFLA_INFO_SLAVE_DATA, len 36
                0600 0200 2800 0000                //     IFLA_BRPORT_PRIORITY 40 (u16)
                0800 0300 64000000                 //     IFLA_BRPORT_COST 100 (u32)
                0500 0400 01 000000                //     IFLA_BRPORT_MODE 1 (hairpin)
                0500 2100 01 000000                //     IFLA_BRPORT_ISOLATED 1
            """);

        Assert.Equal(Hex.Of(expected), Hex.Of(request.Encode(6)));
    }

    [Fact]
    public void Values_must_fit_their_size()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BridgePortSettings.None.With(BridgePortAttribute.Priority, 70000, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => BridgePortSettings.None.With(BridgePortAttribute.Hairpin, 2, 3));
        Assert.Equal(BridgePortSettings.None.With(2, 5, 2), BridgePortSettings.None.With(2, 5, 2));
        Assert.NotEqual(BridgePortSettings.None.With(2, 5, 2), BridgePortSettings.None.With(2, 6, 2));
    }

    [Fact]
    public void A_change_of_port_settings_alone_is_not_empty()
    {
        Assert.False(new LinkChange { Port = BridgePortSettings.None.With(BridgePortAttribute.Learning, 0, 1) }.IsEmpty);
        Assert.True(new LinkChange { Port = BridgePortSettings.None }.IsEmpty);
    }
}

using System.Text;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Codec;

/// <summary>The message and attribute codec on its own: layout, alignment, and every way input can be malformed.</summary>
public sealed class CodecTests
{
    [Fact]
    public void Writer_aligns_attributes_and_patches_nest_lengths()
    {
        var writer = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkMessageFlags.Request);
        writer.Write(new IfInfoMessage(0, 0, 3, 0, 0));
        var outer = writer.BeginNested(18);
        writer.AddString(1, "ab");
        var inner = writer.BeginNested(2);
        writer.AddByte(7, 1);
        writer.EndNested(inner);
        writer.EndNested(outer);
        writer.AddUInt16BigEndian(8, 0x8100);

        var expected = Hex.Bytes("""
            40000000 1000 0100 09000000 00000000
            00 00 0000 03000000 00000000 00000000
            1800 1280                // outer nest, len 24
              0700 0100 616200 00    //   "ab\0" (nla_len 7) + 1 padding
              0c00 0280              //   inner nest, len 12: like nla_nest_end, it counts its children's padding
                0500 0700 01 000000  //     u8 (nla_len 5) + 3 padding
            0600 0800 8100 0000      // big-endian u16
            """);
        Assert.Equal(Hex.Of(expected), Hex.Of(writer.ToRequest().Encode(9)));
    }

    [Fact]
    public void Writer_refuses_what_the_wire_cannot_carry()
    {
        var unclosed = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkMessageFlags.Request);
        unclosed.BeginNested(1);
        Assert.Throws<InvalidOperationException>(unclosed.ToRequest);

        var tooBigNest = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkMessageFlags.Request);
        var nest = tooBigNest.BeginNested(1);
        for (var i = 0; i < 2; i++)
            tooBigNest.AddBytes(2, new byte[40000]);
        Assert.Throws<InvalidOperationException>(() => tooBigNest.EndNested(nest));

        var tooBigAttribute = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkMessageFlags.Request);
        Assert.Throws<ArgumentOutOfRangeException>(() => tooBigAttribute.AddBytes(1, new byte[65532]));
        tooBigAttribute.AddBytes(1, new byte[65531]);
    }

    [Fact]
    public void Attribute_reader_masks_flag_bits_and_accepts_a_missing_final_pad()
    {
        var attributes = Hex.Bytes("""
            0800 1280 01020304     // NESTED | type 18
            0600 0840 8100 0000    // NET_BYTEORDER | type 8
            0500 0300 61           // "a" without NUL and without padding
            """);
        var types = new List<(ushort Type, bool Nested)>();
        string? last = null;
        foreach (var attribute in new NetlinkAttributeReader(attributes))
        {
            types.Add((attribute.Type, attribute.IsNested));
            if (attribute.Type == 3)
                last = attribute.GetString();
            if (attribute.Type == 8)
                Assert.Equal(0x8100, attribute.GetUInt16BigEndian());
        }

        Assert.Equal([(18, true), (8, false), (3, false)], types);
        Assert.Equal("a", last);
    }

    [Theory]
    [InlineData("0000 0100", "nla_len 0 would never advance")]
    [InlineData("0300 0100", "nla_len shorter than the header")]
    [InlineData("0900 0100 01020304", "nla_len past the end")]
    [InlineData("0800 0100 01020304 0000", "two trailing bytes")]
    [InlineData("05", "a lone byte")]
    public void Attribute_reader_rejects_malformed_runs(string hex, string what)
    {
        var bytes = Hex.Bytes(hex);
        var error = Assert.Throws<NetlinkDecodeException>(() =>
        {
            foreach (var attribute in new NetlinkAttributeReader(bytes))
                _ = attribute.Value.Length;
        });
        Assert.NotNull(what);
        Assert.NotEmpty(error.Message);
    }

    [Fact]
    public void Getters_check_the_value_size()
    {
        var bytes = Hex.Bytes("0600 0400 0102 0000");
        var reader = new NetlinkAttributeReader(bytes);
        Assert.True(reader.MoveNext());
        var attribute = reader.Current;

        Assert.Equal(0x0201, attribute.GetUInt16());
        Assert.Equal(1, attribute.GetByte());
        Assert.Throws<NetlinkDecodeException>(() => ReadUInt32(bytes));
        Assert.Throws<NetlinkDecodeException>(() => ReadUInt64(bytes));

        static uint ReadUInt32(byte[] b)
        {
            var r = new NetlinkAttributeReader(b);
            r.MoveNext();
            return r.Current.GetUInt32();
        }

        static ulong ReadUInt64(byte[] b)
        {
            var r = new NetlinkAttributeReader(b);
            r.MoveNext();
            return r.Current.GetUInt64();
        }
    }

    [Fact]
    public void Strings_never_throw_on_bad_utf8()
    {
        var bytes = Hex.Bytes("0800 0300 ff fe 61 00");
        var reader = new NetlinkAttributeReader(bytes);
        reader.MoveNext();

        Assert.Equal("\uFFFD\uFFFDa", reader.Current.GetString());
    }

    [Fact]
    public void Message_reader_walks_packed_messages()
    {
        var datagram = Hex.Bytes("""
            14000000 0300 0200 01000000 00000000 00000000   // NLMSG_DONE with status 0
            11000000 0100 0000 02000000 00000000 ff          // NLMSG_NOOP, 1-byte payload, last: no padding
            """);
        var seen = new List<(ushort, uint, int)>();
        foreach (var message in new NetlinkMessageReader(datagram))
            seen.Add((message.Header.Type, message.Header.Sequence, message.Payload.Length));

        Assert.Equal([(NetlinkMessageType.Done, 1u, 4), (NetlinkMessageType.Noop, 2u, 1)], seen);
        Assert.False(new NetlinkMessageReader([]).MoveNext());
    }

    [Theory]
    [InlineData("14000000 0300 0200 0100", "truncated header")]
    [InlineData("08000000 0300 0200 01000000 00000000", "nlmsg_len shorter than the header")]
    [InlineData("00000000 0300 0200 01000000 00000000", "nlmsg_len 0")]
    [InlineData("20000000 0300 0200 01000000 00000000", "nlmsg_len past the datagram")]
    [InlineData("ffffffff 0300 0200 01000000 00000000", "nlmsg_len 4 GiB")]
    [InlineData("10000000 0300 0200 01000000 00000000 10", "trailing byte after a message")]
    public void Message_reader_rejects_malformed_datagrams(string hex, string what)
    {
        var bytes = Hex.Bytes(hex);
        Assert.Throws<NetlinkDecodeException>(() =>
        {
            foreach (var message in new NetlinkMessageReader(bytes))
                _ = message.Payload.Length;
        });
        Assert.NotNull(what);
    }

    [Fact]
    public void Family_header_longer_than_the_payload_is_a_decode_error()
    {
        var bytes = Hex.Bytes("18000000 1000 0000 01000000 00000000 0000000000000000");
        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var reader = new NetlinkMessageReader(bytes);
            reader.MoveNext();
            return LinkMessages.ParseLink(reader.Current);
        });
    }

    [Fact]
    public void Error_whose_echoed_length_points_past_the_payload_is_a_decode_error()
    {
        var bytes = Hex.Bytes("""
            24000000 0200 0002 01000000 00000000   // NLMSG_ERROR, ACK_TLVS but not CAPPED
            eaffffff
            00100000 1000 0500 01000000 00000000   // echoed nlmsg_len 4096: far past the end
            """);
        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var reader = new NetlinkMessageReader(bytes);
            reader.MoveNext();
            return NetlinkAcknowledgement.ReadError(reader.Current);
        });
    }

    [Fact]
    public void Dump_flag_bits_mean_replace_and_exclusive_on_new_requests()
    {
        var create = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkMessageFlags.Request | NetlinkMessageFlags.Replace | NetlinkMessageFlags.Exclusive).ToRequest();
        var dump = new NetlinkMessageWriter(NetlinkMessageType.GetRoute, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump).ToRequest();

        Assert.False(create.IsDump);
        Assert.True(dump.IsDump);
        Assert.Equal("RTM_GETROUTE", dump.Operation);
    }

    [Fact]
    public void Mac_addresses_parse_and_print_like_ip()
    {
        var mac = MacAddress.Parse("02:AB:cd:00:00:01");

        Assert.Equal("02:ab:cd:00:00:01", mac.ToString());
        Assert.Equal(mac, new MacAddress(Hex.Bytes("02abcd000001")));
        Assert.False(mac.IsMulticast);
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsMulticast);
        Assert.False(MacAddress.TryParse("02-ab-cd-00-00-01", out _));
        Assert.False(MacAddress.TryParse("02:ab:cd:00:00", out _));
        Assert.False(MacAddress.TryParse("02:ab:cd:00:00:zz", out _));
        Assert.Throws<ArgumentException>(() => new MacAddress(new byte[5]));
    }

    [Theory]
    [InlineData("br0", true)]
    [InlineData("a23456789012345", true)]
    [InlineData("a234567890123456", false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a:b", false)]
    [InlineData("a b", false)]
    [InlineData("..", false)]
    public void Link_names_follow_the_kernel_rules(string name, bool valid)
    {
        Assert.Equal(valid, LinkName.IsValid(name));
    }

    [Fact]
    public void Errno_names()
    {
        Assert.Equal("ENODEV", Errno.Name(19));
        Assert.Equal("EOPNOTSUPP", Errno.Name(95));
        Assert.Equal("ENOTSUPP", Errno.Name(524));
        Assert.Equal("errno 9999", Errno.Name(9999));
        Assert.Equal(Encoding.ASCII.GetByteCount("EEXIST"), Errno.Name(Errno.EEXIST).Length);
    }
}

using System.Buffers.Binary;
using Kvm.Provider.Remote.Sftp;

namespace Kvm.Provider.Tests.Remote.Sftp;

public class SftpCodecTests
{
    [Fact]
    public void Init_asks_for_version_3()
    {
        Assert.Equal(Hex("00000005 01 00000003"), SftpRequests.Init(3));
    }

    [Fact]
    public void Open_carries_path_flags_and_an_attrs_with_the_permissions()
    {
        var packet = SftpRequests.Open("a/b"u8, SftpOpenFlags.Write | SftpOpenFlags.Create | SftpOpenFlags.Exclusive, (UnixFileMode)0b111_101_101);

        Assert.Equal(Hex("00000018 03 00000000 00000003 612f62 0000002a 00000004 000001ed"), packet);
    }

    [Fact]
    public void Open_sends_only_the_permission_bits_of_the_mode()
    {
        var packet = SftpRequests.Open("f"u8, SftpOpenFlags.Write, (UnixFileMode)0xF_FFFF);

        Assert.Equal(Hex("00000004 00000fff"), packet[^8..]);
    }

    [Fact]
    public void Write_header_precedes_the_data_already_in_the_buffer()
    {
        byte[] handle = [0, 0, 0, 1];
        var headerLength = SftpRequests.WriteHeaderLength(handle.Length);
        var packet = new byte[headerLength + 3];
        "xyz"u8.CopyTo(packet.AsSpan(headerLength));

        SftpRequests.WriteHeader(packet, handle, 0x0102030405060708, 3);

        Assert.Equal(29, headerLength);
        Assert.Equal(Hex("0000001c 06 00000000 00000004 00000001 0102030405060708 00000003 78797a"), packet);
    }

    [Fact]
    public void Posix_rename_is_an_extended_request_named_by_its_extension()
    {
        var packet = SftpRequests.PosixRename("a"u8, "b"u8);

        Assert.Equal("0000002b" + "c8" + "00000000" + "00000018" + "posix-rename@openssh.com"u8.ToArray().AsHex() + "00000001" + "61" + "00000001" + "62", packet.AsHex());
        Assert.Equal("posix-rename@openssh.com", SftpRequests.NameOf(packet));
    }

    [Fact]
    public void Other_requests_have_the_draft_layout()
    {
        Assert.Equal(Hex("0000000a 04 00000000 00000001 07"), SftpRequests.Close([7]));
        Assert.Equal(Hex("0000000a 11 00000000 00000001 2e"), SftpRequests.Stat("."u8));
        Assert.Equal(Hex("0000000a 0d 00000000 00000001 66"), SftpRequests.Remove("f"u8));
        Assert.Equal(Hex("0000000a 10 00000000 00000001 2e"), SftpRequests.RealPath("."u8));
        Assert.Equal(Hex("0000000f 12 00000000 00000001 61 00000001 62"), SftpRequests.Rename("a"u8, "b"u8));
        Assert.Equal(Hex("00000012 0e 00000000 00000001 64 00000004 000001ff"), SftpRequests.MakeDirectory("d"u8, (UnixFileMode)0b111_111_111));
        Assert.Equal(Hex("00000012 0a 00000000 00000001 07 00000004 000001c0"), SftpRequests.FSetPermissions([7], (UnixFileMode)0b111_000_000));
        Assert.Equal("0000001b" + "c8" + "00000000" + "00000012" + "limits@openssh.com"u8.ToArray().AsHex(), SftpRequests.Limits().AsHex());
        Assert.Equal("fsync@openssh.com", SftpRequests.NameOf(SftpRequests.Fsync([7])));
    }

    [Theory]
    [MemberData(nameof(EveryFlagCombination))]
    public void Attrs_decode_every_combination_of_fields(uint flags)
    {
        var bytes = new List<byte>();
        void U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); bytes.AddRange(b); }
        void Str(string s) { U32((uint)s.Length); bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(s)); }
        U32(flags);
        if ((flags & 1) != 0) { U32(0); U32(123456); }
        if ((flags & 2) != 0) { U32(1000); U32(1001); }
        if ((flags & 4) != 0) U32(0x81ED);
        if ((flags & 8) != 0) { U32(1); U32(2); }
        if ((flags & 0x8000_0000) != 0) { U32(2); Str("a@x"); Str("1"); Str("b@x"); Str(""); }

        var reader = new SftpReader(bytes.ToArray(), "test");
        var attributes = reader.ReadAttributes();

        Assert.Equal(0, reader.Remaining);
        Assert.Equal((flags & 1) != 0 ? 123456L : null, attributes.Size);
        Assert.Equal((flags & 4) != 0 ? (UnixFileMode)0x1ED : null, attributes.Mode);
        Assert.Equal((flags & 4) != 0, attributes.IsRegularFile);
        Assert.False(attributes.IsDirectory);
    }

    public static TheoryData<uint> EveryFlagCombination()
    {
        var data = new TheoryData<uint>();
        for (var i = 0u; i < 32; i++)
            data.Add((i & 0xF) | ((i & 0x10) != 0 ? 0x8000_0000 : 0));
        return data;
    }

    [Fact]
    public void Attrs_tell_the_file_type_from_the_mode_bits()
    {
        Assert.Equal(new SftpAttributes(null, (UnixFileMode)0x1ED, true, false), Attributes("00000004 000041ed"));
        Assert.Equal(new SftpAttributes(null, (UnixFileMode)0x1FF, false, false), Attributes("00000004 0000a1ff"));
        Assert.Equal(new SftpAttributes(null, (UnixFileMode)0xDED, false, true), Attributes("00000004 00008ded"));
        // Unknown flag bits carry no data in version 3.
        Assert.Equal(new SftpAttributes(null, null, false, false), Attributes("00000f00"));
    }

    [Theory]
    [InlineData("000000")]
    [InlineData("00000001 00000000 000000")]
    [InlineData("00000002 00000001")]
    [InlineData("00000004 0000")]
    [InlineData("00000008 00000001")]
    [InlineData("80000000")]
    [InlineData("80000000 00000001 00000003 6162")]
    [InlineData("80000000 00000001 00000001 61")]
    [InlineData("80000000 ffffffff 00000000 00000000")]
    [InlineData("00000001 8000000000000000")]
    public void Truncated_or_impossible_attrs_are_protocol_errors(string hex)
    {
        var e = Assert.Throws<SftpProtocolException>(() => Attributes(hex));
        Assert.StartsWith("SFTP ATTRS reply to STAT is malformed: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_longer_than_what_is_left_is_refused_before_use()
    {
        var e = Assert.Throws<SftpProtocolException>(() => new SftpReader(Hex("7fffffff 61"), "NAME reply to REALPATH").ReadString("file name"));
        Assert.Equal("SFTP NAME reply to REALPATH is malformed: file name claims 2147483647 bytes, 1 left", e.Message);
    }

    [Fact]
    public void A_path_from_the_server_must_be_utf8()
    {
        Assert.Equal("/größe", new SftpReader(Hex("00000008 2f67 72c3b6c39f65"), "x").ReadPath("p"));
        Assert.Throws<SftpProtocolException>(() => new SftpReader(Hex("00000002 2fff"), "x").ReadPath("p"));
    }

    [Fact]
    public void Paths_with_nul_lone_surrogates_or_excess_length_are_refused_before_sending()
    {
        Assert.Equal([0x61, 0xc3, 0xbc], SftpPath.Encode("aü", "path"));
        Assert.Contains("NUL", Assert.Throws<ArgumentException>(() => SftpPath.Encode("a\0b", "path")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SftpPath.Encode("a\ud800", "path"));
        Assert.Throws<ArgumentException>(() => SftpPath.Encode(new string('x', SftpPath.MaxLength + 1), "path"));
        Assert.Throws<ArgumentNullException>(() => SftpPath.Encode(null!, "path"));
    }

    [Fact]
    public void The_write_chunk_follows_the_servers_limits_within_our_ceiling()
    {
        Assert.Equal(32 * 1024, SftpLimits.WriteChunkLength(null, 29));
        Assert.Equal(255 * 1024, SftpLimits.WriteChunkLength(new SftpLimits(256 * 1024, 255 * 1024, 255 * 1024, 1019), 29));
        Assert.Equal(255 * 1024, SftpLimits.WriteChunkLength(new SftpLimits(0, 0, 0, 0), 29));
        Assert.Equal(255 * 1024, SftpLimits.WriteChunkLength(new SftpLimits(0, 0, 1 << 30, 0), 29));
        Assert.Equal(1000, SftpLimits.WriteChunkLength(new SftpLimits(0, 0, 1000, 0), 29));
        Assert.Equal(34000 - 29, SftpLimits.WriteChunkLength(new SftpLimits(34000, 0, 0, 0), 29));
        Assert.Throws<SftpProtocolException>(() => SftpLimits.WriteChunkLength(new SftpLimits(29, 0, 0, 0), 29));
    }

    [Fact]
    public void The_writer_refuses_to_run_past_its_buffer()
    {
        var buffer = new byte[3];
        Assert.Throws<InvalidOperationException>(() => new SftpWriter(buffer).WriteUInt32(1));
    }

    [Fact]
    public async Task Frames_are_cut_by_their_length_and_bad_lengths_are_refused_before_allocating()
    {
        var frames = new SftpFrameReader(new MemoryStream(Hex("00000005 65 00000007  00000009 66 00000001 0000abcd")), 1024);
        var first = await frames.ReadAsync(default);
        var second = await frames.ReadAsync(default);
        Assert.Equal((101, 7u, 0), (first!.Type, first.Id, first.Body.Length));
        Assert.Equal((102, 1u), (second!.Type, second.Id));
        Assert.Equal(Hex("0000abcd"), second.Body.ToArray());
        Assert.Null(await frames.ReadAsync(default));

        async Task<string> Refused(string hex) =>
            (await Assert.ThrowsAsync<SftpProtocolException>(async () => await new SftpFrameReader(new MemoryStream(Hex(hex)), 1024).ReadAsync(default))).Message;
        Assert.Contains("too short", await Refused("00000004 65000000 07"), StringComparison.Ordinal);
        Assert.Contains("over the 1024-byte limit", await Refused("ffffffff"), StringComparison.Ordinal);
        Assert.Contains("after 2 of the 4 bytes of a packet length", await Refused("0000"), StringComparison.Ordinal);
        Assert.Contains("after 6 of the 16 bytes of a packet", await Refused("00000010 650000000700"), StringComparison.Ordinal);
    }

    private static SftpAttributes Attributes(string hex) => new SftpReader(Hex(hex), "ATTRS reply to STAT").ReadAttributes();

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}

internal static class HexExtensions
{
    public static string AsHex(this byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}

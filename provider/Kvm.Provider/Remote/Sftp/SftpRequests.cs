using System.Text;

namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// Encodes requests. Every request but INIT is uint32 length, byte type, uint32 id, fields; the
/// id is left 0 here and stamped by the session as it sends (ids are unique per session).
/// Buffers are sized exactly, and <see cref="End"/> checks that the fields filled them.
/// </summary>
internal static class SftpRequests
{
    /// <summary>Length, type and id.</summary>
    public const int HeaderLength = 9;
    public const int IdOffset = 5;

    public static byte[] Init(uint version)
    {
        var packet = new byte[9];
        var writer = new SftpWriter(packet);
        writer.WriteUInt32(5);
        writer.WriteByte(SftpPacketType.Init);
        writer.WriteUInt32(version);
        return packet;
    }

    public static byte[] Open(ReadOnlySpan<byte> path, SftpOpenFlags flags, UnixFileMode mode)
    {
        var packet = new byte[HeaderLength + SftpWriter.StringLength(path) + sizeof(uint) + SftpWriter.PermissionsAttributesLength];
        var writer = Begin(packet, SftpPacketType.Open);
        writer.WriteString(path);
        writer.WriteUInt32((uint)flags);
        writer.WritePermissions(mode);
        return End(packet, writer);
    }

    public static byte[] Close(ReadOnlySpan<byte> handle) => OneString(SftpPacketType.Close, handle);

    /// <summary>The fixed part of a WRITE packet for a handle of this length; the data follows it.</summary>
    public static int WriteHeaderLength(int handleLength) => HeaderLength + sizeof(uint) + handleLength + sizeof(ulong) + sizeof(uint);

    /// <summary>
    /// Writes a WRITE packet's fixed part at the start of <paramref name="packet"/>, whose data
    /// (<paramref name="dataLength"/> bytes) the caller has already put right after it: the
    /// upload reads its content straight into the packet buffer, so nothing is copied twice.
    /// </summary>
    public static void WriteHeader(Span<byte> packet, ReadOnlySpan<byte> handle, ulong offset, int dataLength)
    {
        var headerLength = WriteHeaderLength(handle.Length);
        var writer = new SftpWriter(packet[..headerLength]);
        writer.WriteUInt32((uint)(headerLength - sizeof(uint) + dataLength));
        writer.WriteByte(SftpPacketType.Write);
        writer.WriteUInt32(0);
        writer.WriteString(handle);
        writer.WriteUInt64(offset);
        writer.WriteUInt32((uint)dataLength);
    }

    public static byte[] FSetPermissions(ReadOnlySpan<byte> handle, UnixFileMode mode) =>
        StringAndPermissions(SftpPacketType.FSetStat, handle, mode);

    public static byte[] SetPermissions(ReadOnlySpan<byte> path, UnixFileMode mode) =>
        StringAndPermissions(SftpPacketType.SetStat, path, mode);

    public static byte[] MakeDirectory(ReadOnlySpan<byte> path, UnixFileMode mode) =>
        StringAndPermissions(SftpPacketType.MakeDirectory, path, mode);

    public static byte[] Remove(ReadOnlySpan<byte> path) => OneString(SftpPacketType.Remove, path);

    public static byte[] RealPath(ReadOnlySpan<byte> path) => OneString(SftpPacketType.RealPath, path);

    public static byte[] Stat(ReadOnlySpan<byte> path) => OneString(SftpPacketType.Stat, path);

    public static byte[] Rename(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        var packet = new byte[HeaderLength + SftpWriter.StringLength(from) + SftpWriter.StringLength(to)];
        var writer = Begin(packet, SftpPacketType.Rename);
        writer.WriteString(from);
        writer.WriteString(to);
        return End(packet, writer);
    }

    public static byte[] PosixRename(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        ReadOnlySpan<byte> name = "posix-rename@openssh.com"u8;
        var packet = new byte[HeaderLength + SftpWriter.StringLength(name) + SftpWriter.StringLength(from) + SftpWriter.StringLength(to)];
        var writer = Begin(packet, SftpPacketType.Extended);
        writer.WriteString(name);
        writer.WriteString(from);
        writer.WriteString(to);
        return End(packet, writer);
    }

    public static byte[] Fsync(ReadOnlySpan<byte> handle)
    {
        ReadOnlySpan<byte> name = "fsync@openssh.com"u8;
        var packet = new byte[HeaderLength + SftpWriter.StringLength(name) + SftpWriter.StringLength(handle)];
        var writer = Begin(packet, SftpPacketType.Extended);
        writer.WriteString(name);
        writer.WriteString(handle);
        return End(packet, writer);
    }

    public static byte[] Limits() => OneString(SftpPacketType.Extended, "limits@openssh.com"u8);

    /// <summary>The request's name in errors: the packet type, or an EXTENDED request's extension name.</summary>
    public static string NameOf(ReadOnlySpan<byte> packet)
    {
        var type = packet[4];
        if (type != SftpPacketType.Extended)
            return SftpPacketType.NameOf(type);
        var reader = new SftpReader(packet[HeaderLength..], "EXTENDED request");
        return Encoding.UTF8.GetString(reader.ReadString("extension name"));
    }

    private static byte[] OneString(byte type, ReadOnlySpan<byte> value)
    {
        var packet = new byte[HeaderLength + SftpWriter.StringLength(value)];
        var writer = Begin(packet, type);
        writer.WriteString(value);
        return End(packet, writer);
    }

    private static byte[] StringAndPermissions(byte type, ReadOnlySpan<byte> value, UnixFileMode mode)
    {
        var packet = new byte[HeaderLength + SftpWriter.StringLength(value) + SftpWriter.PermissionsAttributesLength];
        var writer = Begin(packet, type);
        writer.WriteString(value);
        writer.WritePermissions(mode);
        return End(packet, writer);
    }

    private static SftpWriter Begin(byte[] packet, byte type)
    {
        var writer = new SftpWriter(packet);
        writer.WriteUInt32((uint)(packet.Length - sizeof(uint)));
        writer.WriteByte(type);
        writer.WriteUInt32(0);
        return writer;
    }

    private static byte[] End(byte[] packet, in SftpWriter writer) => writer.Position == packet.Length
        ? packet
        : throw new InvalidOperationException($"SFTP request encoded {writer.Position} of the {packet.Length} bytes reserved for it");
}

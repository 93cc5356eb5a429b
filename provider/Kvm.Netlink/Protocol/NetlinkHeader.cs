namespace Kvm.Netlink.Protocol;

/// <summary>struct nlmsghdr: the 16 bytes in front of every netlink message.</summary>
public readonly record struct NetlinkHeader(uint Length, ushort Type, NetlinkMessageFlags Flags, uint Sequence, uint PortId)
{
    public const int Size = 16;

    public static NetlinkHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
            ThrowHelper.Decode($"netlink header needs {Size} bytes, {source.Length} left");
        return new NetlinkHeader(
            NativeEndian.ReadUInt32(source),
            NativeEndian.ReadUInt16(source[4..]),
            (NetlinkMessageFlags)NativeEndian.ReadUInt16(source[6..]),
            NativeEndian.ReadUInt32(source[8..]),
            NativeEndian.ReadUInt32(source[12..]));
    }

    public void Write(Span<byte> destination)
    {
        NativeEndian.Write(destination, Length);
        NativeEndian.Write(destination[4..], Type);
        NativeEndian.Write(destination[6..], (ushort)Flags);
        NativeEndian.Write(destination[8..], Sequence);
        NativeEndian.Write(destination[12..], PortId);
    }
}

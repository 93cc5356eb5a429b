namespace Kvm.Netlink.Protocol;

/// <summary>struct rtmsg: the family header of RTM_*ROUTE messages.</summary>
public readonly record struct RouteMessage(
    byte Family, byte DestinationLength, byte SourceLength, byte Tos,
    byte Table, byte Protocol, byte Scope, byte Type, uint Flags)
{
    public const int Size = 12;

    public static RouteMessage Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Size)
            ThrowHelper.Decode($"rtmsg needs {Size} bytes, {payload.Length} present");
        return new RouteMessage(payload[0], payload[1], payload[2], payload[3],
            payload[4], payload[5], payload[6], payload[7], NativeEndian.ReadUInt32(payload[8..]));
    }

    public void Write(Span<byte> destination)
    {
        destination[0] = Family;
        destination[1] = DestinationLength;
        destination[2] = SourceLength;
        destination[3] = Tos;
        destination[4] = Table;
        destination[5] = Protocol;
        destination[6] = Scope;
        destination[7] = Type;
        NativeEndian.Write(destination[8..], Flags);
    }
}

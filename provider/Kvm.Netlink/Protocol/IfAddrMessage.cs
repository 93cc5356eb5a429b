namespace Kvm.Netlink.Protocol;

/// <summary>struct ifaddrmsg: the family header of RTM_*ADDR messages.</summary>
public readonly record struct IfAddrMessage(byte Family, byte PrefixLength, byte Flags, byte Scope, int Index)
{
    public const int Size = 8;

    public static IfAddrMessage Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Size)
            ThrowHelper.Decode($"ifaddrmsg needs {Size} bytes, {payload.Length} present");
        return new IfAddrMessage(payload[0], payload[1], payload[2], payload[3], NativeEndian.ReadInt32(payload[4..]));
    }

    public void Write(Span<byte> destination)
    {
        destination[0] = Family;
        destination[1] = PrefixLength;
        destination[2] = Flags;
        destination[3] = Scope;
        NativeEndian.Write(destination[4..], Index);
    }
}

namespace Kvm.Netlink.Protocol;

/// <summary>struct ifinfomsg: the family header of RTM_*LINK messages.</summary>
/// <param name="Flags">IFF_* flags of the device.</param>
/// <param name="Change">Which of <paramref name="Flags"/> a request changes (the kernel's ifi_change mask).</param>
public readonly record struct IfInfoMessage(byte Family, ushort DeviceType, int Index, uint Flags, uint Change)
{
    public const int Size = 16;

    public static IfInfoMessage Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Size)
            ThrowHelper.Decode($"ifinfomsg needs {Size} bytes, {payload.Length} present");
        return new IfInfoMessage(
            payload[0],
            NativeEndian.ReadUInt16(payload[2..]),
            NativeEndian.ReadInt32(payload[4..]),
            NativeEndian.ReadUInt32(payload[8..]),
            NativeEndian.ReadUInt32(payload[12..]));
    }

    public void Write(Span<byte> destination)
    {
        destination[0] = Family;
        destination[1] = 0;
        NativeEndian.Write(destination[2..], DeviceType);
        NativeEndian.Write(destination[4..], Index);
        NativeEndian.Write(destination[8..], Flags);
        NativeEndian.Write(destination[12..], Change);
    }
}

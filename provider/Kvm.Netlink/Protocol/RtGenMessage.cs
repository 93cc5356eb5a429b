namespace Kvm.Netlink.Protocol;

/// <summary>
/// struct rtgenmsg: the one-byte family header of legacy dump requests. With strict checking
/// on (as our sockets are) the kernel wants the full family header instead, so the services
/// send ifinfomsg/ifaddrmsg/rtmsg; this stays for completeness of the codec.
/// </summary>
public readonly record struct RtGenMessage(byte Family)
{
    public const int Size = 1;

    public static RtGenMessage Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Size)
            ThrowHelper.Decode("rtgenmsg needs 1 byte, none present");
        return new RtGenMessage(payload[0]);
    }

    public void Write(Span<byte> destination) => destination[0] = Family;
}

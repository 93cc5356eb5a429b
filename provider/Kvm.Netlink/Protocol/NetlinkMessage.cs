namespace Kvm.Netlink.Protocol;

/// <summary>One message inside a received datagram: its header and the bytes after it (a view, not a copy).</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkHeader Header { get; }
    public ReadOnlySpan<byte> Payload { get; }

    public NetlinkMessage(NetlinkHeader header, ReadOnlySpan<byte> payload)
    {
        Header = header;
        Payload = payload;
    }

    /// <summary>The attributes that follow a fixed family header of <paramref name="familyHeaderSize"/> bytes.</summary>
    public NetlinkAttributeReader AttributesAfter(int familyHeaderSize)
    {
        if (Payload.Length < familyHeaderSize)
            ThrowHelper.Decode($"{NetlinkMessageType.Name(Header.Type)} payload of {Payload.Length} bytes is shorter than its {familyHeaderSize}-byte family header");
        var start = Math.Min(NetlinkAlignment.Align(familyHeaderSize), Payload.Length);
        return new NetlinkAttributeReader(Payload[start..]);
    }
}

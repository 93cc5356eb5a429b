namespace Kvm.Netlink.Protocol;

/// <summary>
/// The kernel's verdict on a request: NLMSG_ERROR (error 0 is the ACK) or the status word of
/// NLMSG_DONE, with the extended-ack text and offset when the kernel attached them.
/// </summary>
/// <param name="Error">0 or a negative errno, as on the wire.</param>
/// <param name="ExtendedAckMessage">NLMSGERR_ATTR_MSG: the kernel's human-readable reason.</param>
/// <param name="ExtendedAckOffset">NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request.</param>
public sealed record NetlinkAcknowledgement(int Error, string? ExtendedAckMessage, uint? ExtendedAckOffset)
{
    private const ushort AttributeMessage = 1;
    private const ushort AttributeOffset = 2;

    public bool IsSuccess => Error == 0;

    /// <summary>Decodes an NLMSG_ERROR payload: int error, the request's header (and its payload unless NLM_F_CAPPED), then TLVs.</summary>
    public static NetlinkAcknowledgement ReadError(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < sizeof(int))
            ThrowHelper.Decode($"NLMSG_ERROR payload of {payload.Length} bytes has no error code");
        var error = NativeEndian.ReadInt32(payload);
        if ((message.Header.Flags & NetlinkMessageFlags.AckTlvs) == 0)
            return new NetlinkAcknowledgement(error, null, null);

        var echoed = NetlinkHeader.Read(payload[sizeof(int)..]);
        long echoedLength = (message.Header.Flags & NetlinkMessageFlags.Capped) != 0 ? NetlinkHeader.Size : echoed.Length;
        if (echoedLength < NetlinkHeader.Size)
            ThrowHelper.Decode($"NLMSG_ERROR echoes a request of nlmsg_len {echoedLength}");
        var tlvStart = NetlinkAlignment.Align(sizeof(int) + echoedLength);
        if (tlvStart > payload.Length)
            ThrowHelper.Decode($"NLMSG_ERROR extended ack starts at {tlvStart}, past its {payload.Length}-byte payload");
        return ReadTlvs(error, payload[(int)tlvStart..]);
    }

    /// <summary>Decodes NLMSG_DONE: an int status (non-zero when the dump failed midway) and, with NLM_F_ACK_TLVS, TLVs.</summary>
    public static NetlinkAcknowledgement ReadDone(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < sizeof(int))
            return new NetlinkAcknowledgement(0, null, null);
        var error = NativeEndian.ReadInt32(payload);
        if ((message.Header.Flags & NetlinkMessageFlags.AckTlvs) == 0)
            return new NetlinkAcknowledgement(error, null, null);
        return ReadTlvs(error, payload[sizeof(int)..]);
    }

    private static NetlinkAcknowledgement ReadTlvs(int error, ReadOnlySpan<byte> tlvs)
    {
        string? text = null;
        uint? offset = null;
        foreach (var attribute in new NetlinkAttributeReader(tlvs))
        {
            switch (attribute.Type)
            {
                case AttributeMessage:
                    text = attribute.GetString();
                    break;
                case AttributeOffset:
                    offset = attribute.GetUInt32();
                    break;
            }
        }
        return new NetlinkAcknowledgement(error, text, offset);
    }
}

namespace Kvm.Netlink.Protocol;

/// <summary>An encoded request, complete except for the sequence number and port id the socket stamps on it.</summary>
public sealed class NetlinkRequest
{
    private readonly byte[] _message;

    internal NetlinkRequest(ushort type, NetlinkMessageFlags flags, byte[] message)
    {
        Type = type;
        Flags = flags;
        _message = message;
    }

    public ushort Type { get; }
    public NetlinkMessageFlags Flags { get; }
    public int Length => _message.Length;

    /// <summary>A dump is answered by NLM_F_MULTI messages up to NLMSG_DONE instead of one reply and an ACK.</summary>
    public bool IsDump => IsGetRequest && (Flags & NetlinkMessageFlags.Dump) == NetlinkMessageFlags.Dump;

    /// <summary>The kernel's name for what this request does (RTM_NEWLINK, ...), used in errors.</summary>
    public string Operation => NetlinkMessageType.Name(Type);

    /// <summary>The wire bytes with the given sequence number and port id.</summary>
    public byte[] Encode(uint sequence, uint portId = 0)
    {
        var bytes = (byte[])_message.Clone();
        new NetlinkHeader((uint)bytes.Length, Type, Flags, sequence, portId).Write(bytes);
        return bytes;
    }

    // rtnetlink types come in NEW, DEL, GET, SET quartets from 16; for the others the
    // Root|Match bits mean Replace|Exclusive, not a dump.
    private bool IsGetRequest => Type >= NetlinkMessageType.NewLink && Type % 4 == NetlinkMessageType.GetLink % 4;
}

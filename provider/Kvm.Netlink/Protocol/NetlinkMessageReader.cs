namespace Kvm.Netlink.Protocol;

/// <summary>
/// Walks the messages packed in one datagram. Every step consumes at least one header,
/// so a loop over it always ends; any inconsistency throws <see cref="NetlinkDecodeException"/>.
/// </summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;
    private NetlinkMessage _current;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        _current = default;
    }

    public readonly NetlinkMessage Current => _current;

    public readonly NetlinkMessageReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.IsEmpty)
            return false;
        var header = NetlinkHeader.Read(_remaining);
        if (header.Length < NetlinkHeader.Size)
            ThrowHelper.Decode($"nlmsg_len {header.Length} is shorter than the header");
        if (header.Length > (uint)_remaining.Length)
            ThrowHelper.Decode($"nlmsg_len {header.Length} runs past the {_remaining.Length} bytes left");
        var length = (int)header.Length;
        _current = new NetlinkMessage(header, _remaining[NetlinkHeader.Size..length]);
        // The last message of a datagram may come without its alignment padding.
        var advance = (int)Math.Min(NetlinkAlignment.Align((long)length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }
}

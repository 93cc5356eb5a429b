namespace Kvm.Netlink.Protocol;

/// <summary>
/// Walks a run of attributes. Each step consumes at least the 4-byte attribute header, so
/// zero or garbage lengths cannot make it loop; inconsistencies throw <see cref="NetlinkDecodeException"/>.
/// </summary>
public ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _remaining;
    private NetlinkAttribute _current;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
        _current = default;
    }

    public readonly NetlinkAttribute Current => _current;

    public readonly NetlinkAttributeReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.IsEmpty)
            return false;
        if (_remaining.Length < NetlinkAttribute.HeaderSize)
            ThrowHelper.Decode($"{_remaining.Length} trailing bytes are too short for an attribute header");
        var length = NativeEndian.ReadUInt16(_remaining);
        var rawType = NativeEndian.ReadUInt16(_remaining[2..]);
        if (length < NetlinkAttribute.HeaderSize)
            ThrowHelper.Decode($"attribute {rawType & 0x3fff} has nla_len {length}, shorter than its header");
        if (length > _remaining.Length)
            ThrowHelper.Decode($"attribute {rawType & 0x3fff} has nla_len {length}, past the {_remaining.Length} bytes left");
        _current = new NetlinkAttribute(rawType, _remaining[NetlinkAttribute.HeaderSize..length]);
        var advance = Math.Min(NetlinkAlignment.Align(length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }
}

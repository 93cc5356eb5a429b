using System.Buffers.Binary;
using System.Text;

namespace Kvm.Netlink.Protocol;

/// <summary>
/// Builds one request: header, family header, attributes (nested ones via
/// <see cref="BeginNested"/>/<see cref="EndNested"/>). The sequence number is left to the socket.
/// </summary>
public sealed class NetlinkMessageWriter
{
    /// <summary>nla_len is a u16, so no attribute (nests included) can hold more.</summary>
    public const int MaxAttributeLength = ushort.MaxValue;

    private readonly ushort _type;
    private readonly NetlinkMessageFlags _flags;
    private byte[] _buffer = new byte[256];
    private int _length = NetlinkHeader.Size;
    private int _openNests;

    public NetlinkMessageWriter(ushort type, NetlinkMessageFlags flags)
    {
        _type = type;
        _flags = flags;
    }

    /// <summary>Bytes written so far, header included.</summary>
    public int Length => _length;

    public NetlinkMessageWriter Write(in IfInfoMessage header)
    {
        header.Write(Reserve(IfInfoMessage.Size));
        return this;
    }

    public NetlinkMessageWriter Write(in IfAddrMessage header)
    {
        header.Write(Reserve(IfAddrMessage.Size));
        return this;
    }

    public NetlinkMessageWriter Write(in RouteMessage header)
    {
        header.Write(Reserve(RouteMessage.Size));
        return this;
    }

    public NetlinkMessageWriter Write(in RtGenMessage header)
    {
        header.Write(Reserve(RtGenMessage.Size));
        return this;
    }

    public NetlinkMessageWriter AddBytes(ushort type, ReadOnlySpan<byte> value)
    {
        value.CopyTo(AddAttribute(type, value.Length));
        return this;
    }

    public NetlinkMessageWriter AddByte(ushort type, byte value)
    {
        AddAttribute(type, 1)[0] = value;
        return this;
    }

    public NetlinkMessageWriter AddUInt16(ushort type, ushort value)
    {
        NativeEndian.Write(AddAttribute(type, 2), value);
        return this;
    }

    public NetlinkMessageWriter AddUInt16BigEndian(ushort type, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(AddAttribute(type, 2), value);
        return this;
    }

    public NetlinkMessageWriter AddUInt32(ushort type, uint value)
    {
        NativeEndian.Write(AddAttribute(type, 4), value);
        return this;
    }

    public NetlinkMessageWriter AddInt32(ushort type, int value)
    {
        NativeEndian.Write(AddAttribute(type, 4), value);
        return this;
    }

    /// <summary>A NUL-terminated string, as the kernel's NLA_STRING / NLA_NUL_STRING policies accept.</summary>
    public NetlinkMessageWriter AddString(ushort type, string value)
    {
        var size = Encoding.UTF8.GetByteCount(value);
        var destination = AddAttribute(type, size + 1);
        Encoding.UTF8.GetBytes(value, destination);
        destination[size] = 0;
        return this;
    }

    /// <summary>Opens a nested attribute (with NLA_F_NESTED set); close it with <see cref="EndNested"/>.</summary>
    public NestedAttribute BeginNested(ushort type)
    {
        var offset = _length;
        AddAttribute((ushort)(type | NetlinkAttribute.NestedFlag), 0);
        _openNests++;
        return new NestedAttribute(offset);
    }

    public NetlinkMessageWriter EndNested(NestedAttribute nest)
    {
        var length = _length - nest.Offset;
        if (length > MaxAttributeLength)
            throw new InvalidOperationException($"nested attribute of {length} bytes exceeds the {MaxAttributeLength}-byte nla_len limit");
        NativeEndian.Write(_buffer.AsSpan(nest.Offset), (ushort)length);
        _openNests--;
        return this;
    }

    public NetlinkRequest ToRequest()
    {
        if (_openNests != 0)
            throw new InvalidOperationException("a nested attribute was not closed");
        var bytes = _buffer.AsSpan(0, _length).ToArray();
        new NetlinkHeader((uint)_length, _type, _flags, 0, 0).Write(bytes);
        return new NetlinkRequest(_type, _flags, bytes);
    }

    private Span<byte> AddAttribute(ushort rawType, int valueLength)
    {
        var length = NetlinkAttribute.HeaderSize + valueLength;
        if (length > MaxAttributeLength)
            throw new ArgumentOutOfRangeException(nameof(valueLength), $"attribute of {length} bytes exceeds the {MaxAttributeLength}-byte nla_len limit");
        var span = Reserve(length);
        NativeEndian.Write(span, (ushort)length);
        NativeEndian.Write(span[2..], rawType);
        return span.Slice(NetlinkAttribute.HeaderSize, valueLength);
    }

    /// <summary>Appends <paramref name="size"/> bytes plus zeroed alignment padding and returns the unpadded part.</summary>
    private Span<byte> Reserve(int size)
    {
        var padded = NetlinkAlignment.Align(size);
        if (_length + padded > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + padded));
        var span = _buffer.AsSpan(_length, padded);
        span.Clear();
        _length += padded;
        return span[..size];
    }
}

/// <summary>A nested attribute that is still open in a <see cref="NetlinkMessageWriter"/>.</summary>
public readonly record struct NestedAttribute(int Offset);

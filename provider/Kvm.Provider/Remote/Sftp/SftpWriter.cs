using System.Buffers.Binary;

namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// Writes SFTP's big-endian fields into a span. Every write checks the room left: the packet
/// builders size their buffers exactly, so running out is a bug here, not the peer's doing, and
/// throws <see cref="InvalidOperationException"/>.
/// </summary>
internal ref struct SftpWriter
{
    /// <summary>What an ATTRS structure carrying only the permissions takes: flags and mode.</summary>
    public const int PermissionsAttributesLength = 8;

    private readonly Span<byte> _destination;
    private int _position;

    public SftpWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>The wire size of a string field: its uint32 length and its bytes.</summary>
    public static int StringLength(ReadOnlySpan<byte> value) => sizeof(uint) + value.Length;

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(sizeof(uint)), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(sizeof(ulong)), value);

    /// <summary>An SFTP string: uint32 length, then the bytes (no terminator).</summary>
    public void WriteString(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>An ATTRS structure that sets the permission bits and nothing else.</summary>
    public void WritePermissions(UnixFileMode mode)
    {
        WriteUInt32((uint)SftpAttributeFlags.Permissions);
        WriteUInt32(SftpAttributes.ToWire(mode));
    }

    private Span<byte> Reserve(int size)
    {
        if (size > _destination.Length - _position)
            throw new InvalidOperationException($"SFTP packet buffer of {_destination.Length} bytes has {_destination.Length - _position} left, {size} needed");
        var span = _destination.Slice(_position, size);
        _position += size;
        return span;
    }
}

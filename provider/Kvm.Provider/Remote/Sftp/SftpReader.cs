using System.Buffers.Binary;
using System.Text;

namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// Reads SFTP's big-endian fields from a reply. Every read checks the bytes left and every
/// length is checked against them before use, so a hostile reply can neither read past its
/// end nor make us allocate; any inconsistency throws <see cref="SftpProtocolException"/>
/// naming <c>context</c> (e.g. "ATTRS reply to STAT").
/// </summary>
internal ref struct SftpReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlySpan<byte> _remaining;
    private readonly string _context;

    public SftpReader(ReadOnlySpan<byte> source, string context)
    {
        _remaining = source;
        _context = context;
    }

    public readonly int Remaining => _remaining.Length;

    public byte ReadByte(string what) => Take(1, what)[0];

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32BigEndian(Take(sizeof(uint), what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64BigEndian(Take(sizeof(ulong), what));

    /// <summary>A string field's bytes (a view into the reply, not a copy).</summary>
    public ReadOnlySpan<byte> ReadString(string what)
    {
        var length = ReadUInt32($"length of {what}");
        if (length > (uint)_remaining.Length)
            throw Error($"{what} claims {length} bytes, {_remaining.Length} left");
        return Take((int)length, what);
    }

    /// <summary>A text field (messages, extension names): invalid UTF-8 is replaced, never thrown.</summary>
    public string ReadText(string what) => Encoding.UTF8.GetString(ReadString(what));

    /// <summary>A path the server chose: it must be valid UTF-8, since a replaced character would name another file.</summary>
    public string ReadPath(string what)
    {
        var bytes = ReadString(what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new SftpProtocolException($"SFTP {_context}: {what} is not valid UTF-8 (this client speaks UTF-8 paths only)", e);
        }
    }

    /// <summary>An ATTRS structure: the fields its flags announce, in the draft's order; unknown flag bits carry no data in version 3 and are ignored.</summary>
    public SftpAttributes ReadAttributes()
    {
        var flags = (SftpAttributeFlags)ReadUInt32("attribute flags");
        long? size = null;
        uint? permissions = null;
        if ((flags & SftpAttributeFlags.Size) != 0)
        {
            var value = ReadUInt64("size");
            if (value > long.MaxValue)
                throw Error($"size {value} does not fit a signed 64-bit length");
            size = (long)value;
        }
        if ((flags & SftpAttributeFlags.UidGid) != 0)
            Take(2 * sizeof(uint), "uid and gid");
        if ((flags & SftpAttributeFlags.Permissions) != 0)
            permissions = ReadUInt32("permissions");
        if ((flags & SftpAttributeFlags.AccessModifiedTime) != 0)
            Take(2 * sizeof(uint), "atime and mtime");
        if ((flags & SftpAttributeFlags.Extended) != 0)
        {
            // Each pair takes at least 8 bytes, so a huge count runs out of bytes and throws
            // long before it could loop for long; nothing is allocated per pair.
            var count = ReadUInt32("extended attribute count");
            for (var i = 0u; i < count; i++)
            {
                ReadString("extended attribute type");
                ReadString("extended attribute data");
            }
        }
        return SftpAttributes.FromWire(size, permissions);
    }

    private ReadOnlySpan<byte> Take(int size, string what)
    {
        if (_remaining.Length < size)
            throw Error($"{what} needs {size} bytes, {_remaining.Length} left");
        var taken = _remaining[..size];
        _remaining = _remaining[size..];
        return taken;
    }

    private readonly SftpProtocolException Error(string detail) => new($"SFTP {_context} is malformed: {detail}");
}

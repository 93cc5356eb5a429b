using System.Buffers.Binary;

namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// Cuts the server's byte stream into packets: uint32 length, then that many bytes (type, id,
/// fields). The length is checked before anything is allocated for it; reads go through a
/// buffer so that a run of small replies costs one read from the stream, not two each.
/// </summary>
internal sealed class SftpFrameReader(Stream source, int maxPacketLength)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly byte[] _lengthField = new byte[sizeof(uint)];
    private int _start;
    private int _end;

    /// <summary>The next packet, or null when the stream ends cleanly between packets.</summary>
    public async ValueTask<SftpReply?> ReadAsync(CancellationToken ct)
    {
        var got = await ReadIntoAsync(_lengthField, ct).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < _lengthField.Length)
            throw new SftpProtocolException($"SFTP server's stream ended after {got} of the 4 bytes of a packet length (truncated packet)");
        var length = BinaryPrimitives.ReadUInt32BigEndian(_lengthField);
        if (length < SftpReply.HeaderLength)
            throw new SftpProtocolException($"SFTP server sent a packet of length {length}, too short for its type and id");
        if (length > (uint)maxPacketLength)
            throw new SftpProtocolException($"SFTP server sent a packet of length {length}, over the {maxPacketLength}-byte limit");

        var packet = new byte[length];
        got = await ReadIntoAsync(packet, ct).ConfigureAwait(false);
        if (got < packet.Length)
            throw new SftpProtocolException($"SFTP server's stream ended after {got} of the {length} bytes of a packet (truncated packet)");
        return new SftpReply(packet[0], BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(1)), packet);
    }

    /// <summary>Fills <paramref name="destination"/>; returns fewer bytes only when the stream ended.</summary>
    private async ValueTask<int> ReadIntoAsync(Memory<byte> destination, CancellationToken ct)
    {
        var copied = 0;
        while (copied < destination.Length)
        {
            if (_start == _end)
            {
                // A big remainder goes straight into the packet, the rest through the buffer.
                if (destination.Length - copied >= _buffer.Length)
                {
                    var read = await source.ReadAsync(destination[copied..], ct).ConfigureAwait(false);
                    if (read == 0)
                        return copied;
                    copied += read;
                    continue;
                }
                _start = 0;
                _end = await source.ReadAsync(_buffer, ct).ConfigureAwait(false);
                if (_end == 0)
                    return copied;
            }
            var take = Math.Min(_end - _start, destination.Length - copied);
            _buffer.AsSpan(_start, take).CopyTo(destination.Span[copied..]);
            _start += take;
            copied += take;
        }
        return copied;
    }
}

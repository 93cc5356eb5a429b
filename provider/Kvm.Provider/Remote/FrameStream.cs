using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Kvm.Provider.Remote.Wire;

namespace Kvm.Provider.Remote;

/// <summary>The other end broke the agent protocol (a frame that does not parse, or one too large).</summary>
internal sealed class AgentProtocolException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Length-delimited <see cref="Frame"/>s over a byte stream pair (an SSH session's stdin/stdout):
/// one reader, any number of concurrent writers (each frame goes out whole, in one write).
/// </summary>
internal sealed class FrameStream(Stream input, Stream output) : IAsyncDisposable
{
    /// <summary>The engine's own cap on one message, plus room for the frame around it.</summary>
    public const int MaxFrameBytes = 401 * 1024 * 1024;

    private readonly PipeReader _reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public async Task WriteAsync(Frame frame, CancellationToken ct)
    {
        var size = frame.CalculateSize();
        var bytes = new byte[CodedOutputStream.ComputeLengthSize(size) + size];
        var coded = new CodedOutputStream(bytes);
        coded.WriteLength(size);
        frame.WriteTo(coded);
        coded.Flush();
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(bytes, ct).ConfigureAwait(false);
            await output.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Skips bytes up to and including <paramref name="marker"/> and returns what came before it (at
    /// most <paramref name="limit"/> bytes): a remote login shell may print before the agent starts.
    /// Null when the stream ends first.
    /// </summary>
    public async Task<byte[]?> SkipToMarkerAsync(ReadOnlyMemory<byte> marker, int limit, CancellationToken ct)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> before, marker.Span, advancePastDelimiter: true))
            {
                var noise = before.ToArray();
                _reader.AdvanceTo(reader.Position);
                return noise;
            }
            if (buffer.Length > limit + marker.Length)
                throw new AgentProtocolException($"the agent did not announce itself within its first {limit} bytes of output: {Printable(buffer.Slice(0, Math.Min(buffer.Length, 200)).ToArray())}");
            if (result.IsCompleted)
            {
                var seen = buffer.ToArray();
                _reader.AdvanceTo(buffer.End);
                return seen.Length == 0 ? null : throw new AgentProtocolException($"the session ended before the agent started; it printed: {Printable(seen)}");
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The next frame, or null when the stream ended cleanly between frames.</summary>
    public async Task<Frame?> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadLength(buffer, out var length, out var prefix))
            {
                if (length > MaxFrameBytes)
                    throw new AgentProtocolException($"a frame of {length} bytes is over the limit of {MaxFrameBytes}");
                if (buffer.Length >= prefix + length)
                {
                    var body = buffer.Slice(prefix, length);
                    Frame frame;
                    try
                    {
                        frame = Frame.Parser.ParseFrom(body);
                    }
                    catch (InvalidProtocolBufferException e)
                    {
                        throw new AgentProtocolException($"a frame did not parse: {e.Message}", e);
                    }
                    finally
                    {
                        _reader.AdvanceTo(buffer.GetPosition(prefix + length));
                    }
                    return frame;
                }
            }
            if (result.IsCompleted)
            {
                if (buffer.Length == 0) return null;
                _reader.AdvanceTo(buffer.End);
                throw new AgentProtocolException($"the stream ended inside a frame ({buffer.Length} bytes of it arrived)");
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>A base-128 varint of at most 5 bytes (a frame is under 2 GiB).</summary>
    private static bool TryReadLength(ReadOnlySequence<byte> buffer, out long length, out int prefix)
    {
        length = 0;
        prefix = 0;
        var reader = new SequenceReader<byte>(buffer);
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (!reader.TryRead(out var b)) return false;
            prefix++;
            length |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return true;
        }
        throw new AgentProtocolException("a frame length is longer than 5 bytes");
    }

    /// <summary>Shows what a remote shell printed, for a message: printable ASCII, the rest escaped.</summary>
    public static string Printable(byte[] bytes) =>
        "\"" + string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7f && b != (byte)'"' ? ((char)b).ToString() : $"\\x{b:x2}")) + "\"";

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        _writeGate.Dispose();
    }
}

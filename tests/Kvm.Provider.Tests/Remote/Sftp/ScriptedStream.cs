namespace Kvm.Provider.Tests.Remote.Sftp;

/// <summary>
/// Upload content of a given length (bytes 0, 1, 2, ... mod 251) that runs an action once, when
/// a read reaches <c>afterBytes</c>: cancel, kill the server, throw.
/// </summary>
internal sealed class ScriptedStream(long length, long afterBytes, Action action) : Stream
{
    private long _position;
    private bool _fired;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!_fired && _position >= afterBytes)
        {
            _fired = true;
            action();
        }
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
            buffer[i] = (byte)((_position + i) % 251);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = Read(buffer.Span);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using System.Buffers.Binary;

namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// Requests and replies over one pair of streams. Writes are serialised (one packet at a time,
/// never interleaved); one read loop takes every reply and hands it to the request with its id,
/// so any number of requests can be in flight and replies may come in any order.
///
/// When the stream breaks (end, error, a packet that cannot be framed, a reply to no request)
/// the session ends: every request in flight fails with <see cref="SftpProtocolException"/>
/// saying why, and so does every later one.
/// </summary>
internal sealed class SftpSession : IAsyncDisposable
{
    /// <summary>
    /// The biggest packet accepted from the server: OpenSSH's sftp-server never sends more than
    /// 256 KiB (its largest, a DATA reply, is 255 KiB of data plus fields), and this client never
    /// asks for data. The extra KiB leaves room for another server's reply fields.
    /// </summary>
    public const int MaxReplyLength = 256 * 1024 + 1024;

    private readonly Stream _toServer;
    private readonly Stream _fromServer;
    private readonly SftpFrameReader _frames;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, Pending> _pending = [];
    private uint _lastId;
    private Exception? _ended;
    private int _disposed;

    public SftpSession(Stream toServer, Stream fromServer, SftpFrameReader frames)
    {
        _toServer = toServer;
        _fromServer = fromServer;
        _frames = frames;
        _ = Task.Run(ReadLoopAsync, CancellationToken.None);
    }

    /// <summary>Sends a request and waits for its reply (see <see cref="SendAsync"/> for cancellation).</summary>
    public async Task<SftpReply> RequestAsync(Memory<byte> packet, CancellationToken ct)
    {
        var reply = await SendAsync(packet, ct).ConfigureAwait(false);
        return await reply.ConfigureAwait(false);
    }

    /// <summary>
    /// Writes one request (its id field is overwritten with a fresh id) and returns, once the
    /// packet is written and <paramref name="packet"/> may be reused, the task of its reply.
    /// Cancellation is observed while waiting to write and while waiting for the reply, never in
    /// the middle of a packet (half a packet would corrupt the stream for everyone). A request
    /// already written is carried out by the server all the same: cancelling only stops the
    /// wait, and its reply is dropped when it comes.
    /// </summary>
    public async ValueTask<Task<SftpReply>> SendAsync(Memory<byte> packet, CancellationToken ct)
    {
        var name = SftpRequests.NameOf(packet.Span);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        TaskCompletionSource<SftpReply> reply;
        try
        {
            lock (_gate)
            {
                if (_ended is not null)
                    throw Ended(_ended, name, sent: false);
                do _lastId++; while (_pending.ContainsKey(_lastId));
                reply = new TaskCompletionSource<SftpReply>(TaskCreationOptions.RunContinuationsAsynchronously);
                // Registered before the write: the reply can arrive before the write returns.
                _pending.Add(_lastId, new Pending(reply, name));
                BinaryPrimitives.WriteUInt32BigEndian(packet.Span[SftpRequests.IdOffset..], _lastId);
            }
            try
            {
                await _toServer.WriteAsync(packet, CancellationToken.None).ConfigureAwait(false);
                await _toServer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
            {
                End(new SftpProtocolException($"writing {name} to the server failed: {e.Message}", e));
            }
        }
        finally
        {
            _writeLock.Release();
        }
        return ct.CanBeCanceled ? reply.Task.WaitAsync(ct) : reply.Task;
    }

    /// <summary>
    /// Fails what is in flight and closes both streams. Closing our side ends the subsystem: the
    /// server sees end of input, exits, and its output closes, which ends the read loop. The loop
    /// is not awaited, so a server that never exits cannot hold this up.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        End(new ObjectDisposedException(nameof(SftpClient), "The SFTP client was disposed."));
        await _toServer.DisposeAsync().ConfigureAwait(false);
        await _fromServer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var reply = await _frames.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                if (reply is null)
                {
                    End(new SftpProtocolException("SFTP server closed its output (end of stream)"));
                    return;
                }
                Pending? waiter;
                lock (_gate)
                    _pending.Remove(reply.Id, out waiter);
                if (waiter is null)
                {
                    End(new SftpProtocolException($"SFTP server sent {reply.TypeName} for request id {reply.Id}, which is not in flight"));
                    return;
                }
                waiter.Reply.TrySetResult(reply);
            }
        }
        catch (SftpProtocolException e)
        {
            End(e);
        }
        catch (Exception e)
        {
            End(new SftpProtocolException($"reading from the server failed: {e.Message}", e));
        }
    }

    /// <summary>Records why the session ended (the first reason wins) and fails every request in flight.</summary>
    private void End(Exception reason)
    {
        List<Pending> waiters;
        lock (_gate)
        {
            if (_ended is not null)
                return;
            _ended = reason;
            waiters = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var waiter in waiters)
        {
            waiter.Reply.TrySetException(Ended(reason, waiter.Request, sent: true));
            // A caller that stopped waiting (cancelled) never looks at this task: mark it seen.
            _ = waiter.Reply.Task.Exception;
        }
    }

    /// <summary>A fresh exception per request (one instance thrown from many tasks would share a stack trace).</summary>
    private static Exception Ended(Exception reason, string request, bool sent)
    {
        var what = sent ? $"SFTP {request} got no reply" : $"SFTP {request} was not sent";
        return reason is ObjectDisposedException
            ? new ObjectDisposedException(nameof(SftpClient), $"{what}: the client was disposed.")
            : new SftpProtocolException($"{what}: {reason.Message}", reason);
    }

    private sealed record Pending(TaskCompletionSource<SftpReply> Reply, string Request);
}

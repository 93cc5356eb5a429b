using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>Turns one received message into a result; null skips the message.</summary>
public delegate T? NetlinkMessageParser<out T>(in NetlinkMessage message) where T : class;

/// <summary>
/// A NETLINK_ROUTE socket, optionally inside another network namespace. Thread-safe: request /
/// response exchanges are serialised, so many callers can share one socket.
/// </summary>
/// <remarks>
/// Extended acks, capped acks and strict checking are switched on, so errors carry the kernel's
/// text and dump requests are checked (and filtered) by the kernel instead of silently ignored.
/// </remarks>
public sealed class NetlinkSocket : IDisposable
{
    /// <summary>How often a dump that the kernel flags NLM_F_DUMP_INTR (the table changed under it) is restarted.</summary>
    public const int MaxDumpAttempts = 5;

    private const int InitialReceiveBufferSize = 32 * 1024;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _exchangeGate = new(1, 1);
    private byte[] _receiveBuffer = new byte[InitialReceiveBufferSize];
    private uint _lastSequence;
    private long _requestsSent;

    private NetlinkSocket(Socket socket, NetworkNamespace networkNamespace)
    {
        _socket = socket;
        Namespace = networkNamespace;
    }

    public NetworkNamespace Namespace { get; }

    /// <summary>How many requests went to the kernel (dump restarts included), so tests can assert request counts.</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>Raised after each request is sent, with the request.</summary>
    public event Action<NetlinkRequest>? RequestSent;

    /// <summary>Opens a socket in the process's own network namespace.</summary>
    public static NetlinkSocket Open() => Open(NetworkNamespace.Current);

    /// <summary>
    /// Opens a socket in <paramref name="networkNamespace"/>. A socket belongs to the namespace
    /// it was created in for its whole life, so only its creation needs to happen in there: a
    /// dedicated OS thread enters the namespace, creates the socket and exits. No pool thread
    /// ever changes namespace.
    /// </summary>
    public static NetlinkSocket Open(NetworkNamespace networkNamespace)
    {
        ArgumentNullException.ThrowIfNull(networkNamespace);
        var handle = networkNamespace.Create(CreateBoundSocket);
        Socket? socket = null;
        try
        {
            socket = new Socket(handle);
            socket.SetRawSocketOption(Interop.SOL_NETLINK, Interop.NETLINK_EXT_ACK, BitConverter.GetBytes(1));
            socket.SetRawSocketOption(Interop.SOL_NETLINK, Interop.NETLINK_CAP_ACK, BitConverter.GetBytes(1));
            socket.SetRawSocketOption(Interop.SOL_NETLINK, Interop.NETLINK_GET_STRICT_CHK, BitConverter.GetBytes(1));
            return new NetlinkSocket(socket, networkNamespace);
        }
        catch
        {
            if (socket is null) handle.Dispose();
            else socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Wraps an already connected datagram socket without netlink socket options: for tests
    /// that play the kernel on the other end of a socketpair.
    /// </summary>
    internal static NetlinkSocket FromConnectedSocket(Socket socket) => new(socket, NetworkNamespace.Current);

    /// <summary>Sends a request that must carry NLM_F_ACK and waits for the kernel's ACK; a refusal throws <see cref="NetlinkException"/>.</summary>
    public async Task ExecuteAsync(NetlinkRequest request, CancellationToken cancellationToken = default)
    {
        RequireAck(request);
        await ExchangeAsync<object>(request, parse: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a non-dump GET (with NLM_F_ACK) and returns its parsed reply, or null when the parser skipped it.</summary>
    public async Task<T?> QueryAsync<T>(NetlinkRequest request, NetlinkMessageParser<T> parse, CancellationToken cancellationToken = default)
        where T : class
    {
        RequireAck(request);
        ArgumentNullException.ThrowIfNull(parse);
        var results = await ExchangeAsync(request, parse, cancellationToken).ConfigureAwait(false);
        return results.Count == 0 ? null : results[^1];
    }

    /// <summary>
    /// Runs a dump to NLMSG_DONE and returns every message the parser kept. A dump the kernel
    /// marks as interrupted is run again, up to <see cref="MaxDumpAttempts"/> times.
    /// </summary>
    public async Task<IReadOnlyList<T>> DumpAsync<T>(NetlinkRequest request, NetlinkMessageParser<T> parse, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parse);
        if (!request.IsDump)
            throw new ArgumentException($"{request.Operation} request does not carry NLM_F_DUMP", nameof(request));
        return await ExchangeAsync(request, parse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the socket. The gate is left alone: it holds no OS handle, and an exchange still running must be able to release it.</summary>
    public void Dispose() => _socket.Dispose();

    private static void RequireAck(NetlinkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Flags & NetlinkMessageFlags.Ack) == 0)
            throw new ArgumentException($"{request.Operation} request does not ask for an ACK, so its end could not be told", nameof(request));
    }

    // Cancellation is honoured only while waiting for the socket: once a request is sent its
    // whole answer is read, so the socket never carries half an answer into the next exchange.
    private async Task<List<T>> ExchangeAsync<T>(NetlinkRequest request, NetlinkMessageParser<T>? parse, CancellationToken cancellationToken)
        where T : class
    {
        await _exchangeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var exchange = new Exchange<T>(NextSequence(), request, parse);
                await SendAsync(request, exchange.Sequence).ConfigureAwait(false);
                while (!exchange.IsComplete)
                {
                    var length = await ReceiveAsync(request).ConfigureAwait(false);
                    exchange.Accept(_receiveBuffer.AsSpan(0, length));
                }

                if (exchange.Failure is { } failure)
                    ExceptionDispatchInfo.Throw(failure);
                if (!exchange.WasInterrupted)
                    return exchange.Results;
                if (attempt == MaxDumpAttempts)
                    throw new NetlinkException(Errno.EINTR, request.Operation,
                        $"the dump was interrupted by concurrent changes {MaxDumpAttempts} times in a row");
            }
        }
        finally
        {
            _exchangeGate.Release();
        }
    }

    private uint NextSequence()
    {
        // Zero is what unsolicited kernel messages carry; never use it for a request.
        _lastSequence = _lastSequence == uint.MaxValue ? 1 : _lastSequence + 1;
        return _lastSequence;
    }

    private async Task SendAsync(NetlinkRequest request, uint sequence)
    {
        var bytes = request.Encode(sequence);
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new NetlinkException(e.NativeErrorCode, request.Operation, $"send failed: {e.Message}", innerException: e);
        }
        Interlocked.Increment(ref _requestsSent);
        RequestSent?.Invoke(request);
    }

    /// <summary>Receives one datagram into the buffer, growing it first when the kernel's next datagram would not fit.</summary>
    private async Task<int> ReceiveAsync(NetlinkRequest request)
    {
        try
        {
            // MSG_PEEK|MSG_TRUNC returns the datagram's full length without consuming it.
            var pending = await _socket.ReceiveAsync(_receiveBuffer, SocketFlags.Peek | SocketFlags.Truncated).ConfigureAwait(false);
            if (pending > _receiveBuffer.Length)
                _receiveBuffer = new byte[NetlinkAlignment.Align(pending)];
            return await _socket.ReceiveAsync(_receiveBuffer, SocketFlags.None).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new NetlinkException(e.NativeErrorCode, request.Operation, $"receive failed: {e.Message}", innerException: e);
        }
    }

    private static SafeSocketHandle CreateBoundSocket()
    {
        var fd = Interop.Socket(Interop.AF_NETLINK, Interop.SOCK_RAW | Interop.SOCK_CLOEXEC, Interop.NETLINK_ROUTE);
        if (fd < 0)
            throw new NetlinkException(Marshal.GetLastPInvokeError(), "socket(AF_NETLINK)");
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        // Port id 0: the kernel assigns a unique one.
        var address = new Interop.SockAddrNetlink { Family = Interop.AF_NETLINK };
        if (Interop.Bind(handle, in address, Marshal.SizeOf<Interop.SockAddrNetlink>()) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new NetlinkException(errno, "bind(AF_NETLINK)");
        }
        return handle;
    }

    /// <summary>The state of one request/response exchange while its datagrams arrive.</summary>
    private sealed class Exchange<T>(uint sequence, NetlinkRequest request, NetlinkMessageParser<T>? parse) where T : class
    {
        public uint Sequence { get; } = sequence;
        public List<T> Results { get; } = [];
        public bool IsComplete { get; private set; }
        public bool WasInterrupted { get; private set; }

        /// <summary>The first error seen; the exchange still reads on to its end so the socket stays in step.</summary>
        public Exception? Failure { get; private set; }

        public void Accept(ReadOnlySpan<byte> datagram)
        {
            foreach (var message in new NetlinkMessageReader(datagram))
            {
                // Answers to an earlier exchange that gave up (e.g. after a decode error) are not ours.
                if (message.Header.Sequence != Sequence || IsComplete)
                    continue;
                if ((message.Header.Flags & NetlinkMessageFlags.DumpInterrupted) != 0)
                    WasInterrupted = true;

                switch (message.Header.Type)
                {
                    case NetlinkMessageType.Noop:
                        break;
                    case NetlinkMessageType.Error:
                        Finish(NetlinkAcknowledgement.ReadError(message));
                        break;
                    case NetlinkMessageType.Done when request.IsDump:
                        Finish(NetlinkAcknowledgement.ReadDone(message));
                        break;
                    case NetlinkMessageType.Overrun:
                        Failure ??= new NetlinkException(Errno.ENOBUFS, request.Operation, "the kernel reported NLMSG_OVERRUN");
                        break;
                    default:
                        Parse(message);
                        break;
                }
            }
        }

        private void Parse(in NetlinkMessage message)
        {
            if (parse is null || Failure is not null)
                return;
            try
            {
                if (parse(message) is { } result)
                    Results.Add(result);
            }
            catch (NetlinkDecodeException e)
            {
                Failure = e;
            }
        }

        private void Finish(NetlinkAcknowledgement acknowledgement)
        {
            IsComplete = true;
            if (!acknowledgement.IsSuccess)
                Failure ??= new NetlinkException(-acknowledgement.Error, request.Operation, acknowledgement.ExtendedAckMessage, acknowledgement.ExtendedAckOffset);
        }
    }
}

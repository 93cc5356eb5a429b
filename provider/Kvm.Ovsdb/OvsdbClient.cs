using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text.Json;

namespace Kvm.Ovsdb;

/// <summary>
/// A JSON-RPC connection to ovsdb-server's unix socket (db.sock). Requests are sent whole under a
/// lock and may be in flight together; one reader matches replies to them by id and answers the
/// server's "echo" (its inactivity probe). A connection that breaks fails what is in flight and is
/// opened again by the next request.
/// </summary>
public sealed class OvsdbClient(string socketPath) : IOvsdbClient, IDisposable
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _gate = new();
    private Connection? _connection;
    private long _nextId;
    private bool _disposed;

    public string SocketPath { get; } = socketPath;
    public string Endpoint => $"unix:{SocketPath}";

    public async Task<ImmutableArray<OperationResult>> TransactAsync(string database, IReadOnlyList<Operation> operations, CancellationToken ct = default)
    {
        using var result = await CallAsync("transact", w => OvsdbJson.WriteTransactParams(w, database, operations), ct).ConfigureAwait(false);
        return OvsdbJson.ReadTransactResult(result.RootElement, operations);
    }

    /// <summary>The databases the server holds ("list_dbs").</summary>
    public async Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken ct = default)
    {
        using var result = await CallAsync("list_dbs", w => { w.WriteStartArray(); w.WriteEndArray(); }, ct).ConfigureAwait(false);
        return [.. result.RootElement.EnumerateArray().Select(e => e.GetString() ?? "")];
    }

    /// <summary>Sends a request and returns the reply's "result"; a reply whose "error" is set throws.</summary>
    private async Task<JsonDocument> CallAsync(string method, Action<Utf8JsonWriter> writeParams, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var bytes = OvsdbJson.Request(method, id, writeParams);
        var connection = await ConnectionAsync(ct).ConfigureAwait(false);
        var reply = connection.Expect(id);
        try
        {
            await _sendLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await connection.Socket.SendAsync(bytes, SocketFlags.None, ct).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                connection.Fail(new OvsdbConnectionException($"the connection to ovsdb-server at {Endpoint} broke: {e.Message}", e));
            }
            finally
            {
                _sendLock.Release();
            }
            using var message = await reply.Task.WaitAsync(ct).ConfigureAwait(false);
            var root = message.RootElement;
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
                throw OvsdbJson.ReadRequestError(error);
            if (!root.TryGetProperty("result", out var result))
                throw new FormatException($"ovsdb-server answered request {id} with neither result nor error");
            return JsonDocument.Parse(result.GetRawText());
        }
        finally
        {
            connection.Forget(id);
        }
    }

    private async Task<Connection> ConnectionAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsBroken: false } open) return open;
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new OvsdbConnectionException(
                $"cannot connect to ovsdb-server at {Endpoint}: {e.Message}", e);
        }
        lock (_gate)
        {
            if (_disposed)
            {
                socket.Dispose();
                ObjectDisposedException.ThrowIf(true, this);
            }
            if (_connection is { IsBroken: false } raced)
            {
                socket.Dispose();
                return raced;
            }
            _connection?.Dispose();
            _connection = new Connection(socket, this);
            return _connection;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
        _sendLock.Dispose();
    }

    /// <summary>One open socket, its reader, and the requests waiting for their replies.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonDocument>> _pending = new();
        private readonly OvsdbClient _owner;
        private Exception? _failure;

        public Socket Socket { get; }
        public bool IsBroken => _failure is not null;

        public Connection(Socket socket, OvsdbClient owner)
        {
            Socket = socket;
            _owner = owner;
            _ = Task.Run(ReadLoopAsync);
        }

        public TaskCompletionSource<JsonDocument> Expect(long id)
        {
            var tcs = new TaskCompletionSource<JsonDocument>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = tcs;
            if (_failure is { } failure) tcs.TrySetException(failure);
            return tcs;
        }

        public void Forget(long id) => _pending.TryRemove(id, out _);

        public void Fail(Exception failure)
        {
            Interlocked.CompareExchange(ref _failure, failure, null);
            foreach (var (_, tcs) in _pending) tcs.TrySetException(_failure);
        }

        private async Task ReadLoopAsync()
        {
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            var splitter = new JsonStreamSplitter();
            try
            {
                while (true)
                {
                    var read = await Socket.ReceiveAsync(buffer.GetMemory(16 * 1024), SocketFlags.None).ConfigureAwait(false);
                    if (read == 0) throw new OvsdbConnectionException($"ovsdb-server at {_owner.Endpoint} closed the connection");
                    buffer.Advance(read);
                    int end;
                    var consumed = 0;
                    while ((end = splitter.FindEnd(buffer.WrittenSpan[consumed..])) > 0)
                    {
                        // Parse(ReadOnlyMemory) keeps the memory, and the buffer is reused: the message gets its own bytes.
                        var message = JsonDocument.Parse(buffer.WrittenMemory.Slice(consumed, end).ToArray());
                        consumed += end;
                        await DispatchAsync(message).ConfigureAwait(false);
                    }
                    if (consumed > 0)
                    {
                        var rest = buffer.WrittenSpan[consumed..].ToArray();
                        buffer.Clear();
                        buffer.Write(rest);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OvsdbConnectionException or FormatException or JsonException)
            {
                Fail(e as OvsdbConnectionException ?? new OvsdbConnectionException($"the connection to ovsdb-server at {_owner.Endpoint} broke: {e.Message}", e));
            }
        }

        private async Task DispatchAsync(JsonDocument message)
        {
            var root = message.RootElement;
            if (root.TryGetProperty("method", out var method))
            {
                // A request or notification from the server. Only "echo" asks for an answer (RFC 7047 4.1.11).
                if (method.ValueEquals("echo") && root.TryGetProperty("id", out var echoId) && root.TryGetProperty("params", out var echoParams))
                    await SendEchoReplyAsync(echoId, echoParams).ConfigureAwait(false);
                message.Dispose();
                return;
            }
            if (root.TryGetProperty("id", out var id) && id.TryGetInt64(out var n) && _pending.TryRemove(n, out var tcs))
            {
                if (!tcs.TrySetResult(message)) message.Dispose();
                return;
            }
            message.Dispose(); // a reply nobody waits for any more (its request was cancelled)
        }

        private async Task SendEchoReplyAsync(JsonElement id, JsonElement echoParams)
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WritePropertyName("id");
                id.WriteTo(w);
                w.WritePropertyName("result");
                echoParams.WriteTo(w);
                w.WriteNull("error");
                w.WriteEndObject();
            }
            await _owner._sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await Socket.SendAsync(buffer.WrittenMemory, SocketFlags.None).ConfigureAwait(false);
            }
            finally
            {
                _owner._sendLock.Release();
            }
        }

        public void Dispose()
        {
            Fail(new OvsdbConnectionException($"the connection to ovsdb-server at {_owner.Endpoint} was closed"));
            Socket.Dispose();
        }
    }
}

namespace Kvm.Libvirt;

/// <summary>One opening of the connection; compared by reference to tell openings apart.</summary>
internal sealed class SessionConnection(ConnectionHandle handle)
{
    public ConnectionHandle Handle { get; } = handle;
}

/// <summary>A connection held open for the duration of one call.</summary>
internal sealed class ConnectionLease(SessionConnection connection) : IDisposable
{
    public SessionConnection Connection { get; } = connection;

    public ConnectionHandle Handle => Connection.Handle;

    public void Dispose() => Connection.Handle.DangerousRelease();
}

/// <summary>
/// Owns the process's connection to one URI and reopens it when it dies. Objects looked up on an earlier
/// connection keep working on it (libvirt reference-counts it) until they rebind to the current one.
/// </summary>
internal sealed class ConnectionSession : IDisposable
{
    private readonly Lock _gate = new();
    private SessionConnection? _current;
    private long _openings;
    private bool _disposed;

    public ConnectionSession(string uri)
    {
        Uri = uri;
        LibvirtRuntime.EnsureInitialized();
        _current = Open();
    }

    public string Uri { get; }

    /// <summary>How many times a connection was opened; more than one means it was reopened.</summary>
    public long Openings => Interlocked.Read(ref _openings);

    /// <summary>The live connection, reopened first if the last one died.</summary>
    public SessionConnection Current()
    {
        var current = Volatile.Read(ref _current);
        // virConnectIsAlive is a local check (no daemon round trip), so asking on every call is cheap.
        if (current is not null && IsAlive(current)) return current;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is not null && (!ReferenceEquals(_current, current) || IsAlive(_current)))
                return _current;
            Retire();
            _current = Open();
            return _current;
        }
    }

    /// <summary>
    /// The live connection, held for the caller until the lease is disposed, so a reconnect on another thread
    /// cannot close it mid-call.
    /// </summary>
    public ConnectionLease Acquire()
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = Current();
            if (HandleLease.TryTake(connection.Handle)) return new ConnectionLease(connection);
            // Retired between Current() and here; Current() notices and reopens.
            if (attempt == 10) throw new ObjectDisposedException(nameof(ConnectionSession), "the connection keeps being retired");
        }
    }

    public bool IsCurrentAlive
    {
        get
        {
            var current = Volatile.Read(ref _current);
            return current is not null && IsAlive(current);
        }
    }

    /// <summary>
    /// Decides whether a failure on <paramref name="connection"/> was the connection dying rather than the
    /// operation failing, and if so drops it so the next <see cref="Current"/> reopens. libvirt reports plain
    /// host errors (errno, e.g. "Cannot get interface MTU") as VIR_ERR_SYSTEM_ERROR too, so such a code only
    /// counts when virConnectIsAlive agrees the connection is gone.
    /// </summary>
    public bool DropIfDead(LibvirtException error, SessionConnection connection)
    {
        if (!error.MayMeanConnectionLost) return false;
        lock (_gate)
        {
            if (!ReferenceEquals(_current, connection)) return true;
            if (IsAlive(connection)) return false;
            Retire();
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Retire();
        }
    }

    private SessionConnection Open()
    {
        var handle = Interop.virConnectOpen(Uri);
        if (handle.IsInvalid)
        {
            var error = LibvirtError.TakeLast("virConnectOpen");
            handle.Dispose();
            throw error;
        }
        Interlocked.Increment(ref _openings);
        return new SessionConnection(handle);
    }

    private void Retire()
    {
        // Disposing only drops our reference; calls in flight on other threads hold their own.
        _current?.Handle.Dispose();
        _current = null;
    }

    private static bool IsAlive(SessionConnection connection)
    {
        try
        {
            return NativeCall.Check(connection.Handle, "virConnectIsAlive", static h => Interop.virConnectIsAlive(h)) == 1;
        }
        catch (LibvirtException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}

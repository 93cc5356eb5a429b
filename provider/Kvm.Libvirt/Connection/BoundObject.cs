using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

/// <summary>
/// A network or domain pointer tied to the connection it was looked up on. When the session reopens the
/// connection, the object looks itself up again by UUID on the new one before its next call.
/// </summary>
internal abstract class BoundObject<THandle> : IDisposable
    where THandle : SafeHandle
{
    private readonly ConnectionSession _session;
    private readonly Lock _gate = new();
    private Binding _binding;
    private volatile bool _disposed;

    protected BoundObject(ConnectionSession session, SessionConnection connection, THandle handle, string name, Guid uuid)
    {
        _session = session;
        _binding = new Binding(connection, handle);
        Name = name;
        Uuid = uuid;
    }

    public string Name { get; }

    public Guid Uuid { get; }

    /// <summary>Looks the object up by UUID on a (new) connection.</summary>
    protected abstract THandle Resolve(ConnectionHandle connection, Guid uuid);

    /// <summary>Runs an idempotent read; if the connection died under it, reopens, rebinds and tries once more.</summary>
    protected T Read<T>(Func<THandle, T> call)
    {
        using (var lease = Acquire())
        {
            try
            {
                return call(lease.Handle);
            }
            catch (LibvirtException e)
            {
                if (!_session.DropIfDead(e, lease.Connection)) throw;
                // Reads are idempotent: fall through and run once more, rebound to a reopened connection.
            }
        }
        using var again = Acquire();
        return call(again.Handle);
    }

    /// <summary>
    /// Runs a change. Never repeated: the daemon may have applied it before the connection broke. A dead
    /// connection is still dropped so the caller's next call reopens it.
    /// </summary>
    protected void Write(Action<THandle> call)
    {
        using var lease = Acquire();
        try
        {
            call(lease.Handle);
        }
        catch (LibvirtException e)
        {
            _session.DropIfDead(e, lease.Connection);
            throw;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _binding.Handle.Dispose();
        }
    }

    /// <summary>The current binding with its handle held, so a rebind on another thread cannot free it mid-call.</summary>
    private Lease Acquire()
    {
        for (var attempt = 1; ; attempt++)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var binding = Bind();
            if (HandleLease.TryTake(binding.Handle)) return new Lease(binding);
            // Rebound between Bind() and here; the next Bind() returns the replacement.
            if (attempt == 10) throw new ObjectDisposedException(GetType().Name, "the object keeps being rebound");
        }
    }

    private Binding Bind()
    {
        var current = _session.Current();
        var binding = Volatile.Read(ref _binding);
        if (ReferenceEquals(binding.Connection, current)) return binding;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var connection = _session.Acquire();
            if (ReferenceEquals(_binding.Connection, connection.Connection)) return _binding;
            var handle = Resolve(connection.Handle, Uuid);
            // Threads still using the old handle hold leases; it is freed when the last one is returned.
            _binding.Handle.Dispose();
            _binding = new Binding(connection.Connection, handle);
            return _binding;
        }
    }

    private sealed record Binding(SessionConnection Connection, THandle Handle);

    private sealed class Lease(Binding binding) : IDisposable
    {
        public THandle Handle => binding.Handle;

        public SessionConnection Connection => binding.Connection;

        public void Dispose() => binding.Handle.DangerousRelease();
    }
}

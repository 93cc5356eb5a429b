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
    private bool _disposed;

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
        var binding = Bind();
        try
        {
            return call(binding.Handle);
        }
        catch (LibvirtException e) when (_session.IsConnectionLost(e, binding.Connection))
        {
            return call(Bind().Handle);
        }
    }

    /// <summary>
    /// Runs a change. Never repeated: the daemon may have applied it before the connection broke. A dead
    /// connection is still dropped so the caller's next call reopens it.
    /// </summary>
    protected void Write(Action<THandle> call)
    {
        var binding = Bind();
        try
        {
            call(binding.Handle);
        }
        catch (LibvirtException e)
        {
            _session.IsConnectionLost(e, binding.Connection);
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

    private Binding Bind()
    {
        var connection = _session.Current();
        var binding = Volatile.Read(ref _binding);
        if (ReferenceEquals(binding.Connection, connection)) return binding;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (ReferenceEquals(_binding.Connection, connection)) return _binding;
            var handle = Resolve(connection.Handle, Uuid);
            _binding.Handle.Dispose();
            _binding = new Binding(connection, handle);
            return _binding;
        }
    }

    private sealed record Binding(SessionConnection Connection, THandle Handle);
}

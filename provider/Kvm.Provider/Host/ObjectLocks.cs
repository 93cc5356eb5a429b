using System.Collections.Concurrent;

namespace Kvm.Provider.Host;

/// <summary>
/// Serialises changes to one host object (a bridge, a network, a domain) while the engine runs
/// many operations at once; operations on different objects go in parallel.
/// </summary>
internal sealed class ObjectLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        return new Releaser(gate);
    }

    /// <summary>Takes several locks in a fixed order, so two operations never wait on each other.</summary>
    public async Task<IDisposable> AcquireAllAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        var held = new List<IDisposable>();
        try
        {
            foreach (var key in keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                held.Add(await AcquireAsync(key, ct).ConfigureAwait(false));
            return new Many(held);
        }
        catch
        {
            foreach (var h in held) h.Dispose();
            throw;
        }
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }

    private sealed class Many(List<IDisposable> held) : IDisposable
    {
        public void Dispose()
        {
            for (var i = held.Count - 1; i >= 0; i--) held[i].Dispose();
        }
    }
}

using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

/// <summary>
/// Keeps a handle's native object alive while a thread uses it: a Dispose from another thread (a reconnect
/// retiring the old connection) then only frees it once every lease is returned.
/// </summary>
internal static class HandleLease
{
    /// <summary>False when the handle was already disposed, i.e. the caller must fetch the current one again.</summary>
    public static bool TryTake(SafeHandle handle)
    {
        try
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            return added;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}

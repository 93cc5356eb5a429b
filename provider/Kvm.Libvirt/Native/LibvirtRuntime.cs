using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

/// <summary>Process-wide libvirt set-up, done once before the first connection.</summary>
internal static unsafe class LibvirtRuntime
{
    private static readonly Lock Gate = new();
    private static volatile bool s_initialized;

    public static void EnsureInitialized()
    {
        if (s_initialized) return;
        lock (Gate)
        {
            if (s_initialized) return;
            if (Interop.virInitialize() < 0)
                throw LibvirtError.TakeLast("virInitialize");
            // libvirt prints every error to stderr unless a handler is set; a null handler restores that
            // default, so a no-op one is installed. Errors still reach us through virGetLastError.
            Interop.virSetErrorFunc(null, &IgnoreError);
            s_initialized = true;
        }
    }

    [UnmanagedCallersOnly]
    private static void IgnoreError(void* userData, Interop.VirError* error)
    {
    }
}

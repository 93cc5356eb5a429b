using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virInitialize();

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ConnectionHandle virConnectOpen(string name);

    // Takes the raw pointer: it is only called from ConnectionHandle.ReleaseHandle.
    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virConnectClose(nint conn);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virConnectGetLibVersion(ConnectionHandle conn, out ulong libVer);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virConnectIsAlive(ConnectionHandle conn);
}

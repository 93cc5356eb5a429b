using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

internal static partial class Interop
{
    /// <summary>virError as laid out on x86_64 (80 bytes); only the fields we copy are typed.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct VirError
    {
        public int Code;
        public int Domain;
        public nint Message;
        public int Level;
        public nint Conn;
        public nint Dom;
        public nint Str1;
        public nint Str2;
        public nint Str3;
        public int Int1;
        public int Int2;
        public nint Net;
    }

    /// <summary>The calling thread's last error, owned by libvirt; null when there is none.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static unsafe partial VirError* virGetLastError();

    [LibraryImport(Libraries.Libvirt)]
    internal static partial void virResetLastError();

    [LibraryImport(Libraries.Libvirt)]
    internal static unsafe partial void virSetErrorFunc(void* userData, delegate* unmanaged<void*, VirError*, void> handler);
}

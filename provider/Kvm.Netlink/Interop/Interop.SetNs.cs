using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Netlink;

internal static partial class Interop
{
    internal const int CLONE_NEWNET = 0x40000000;

    /// <summary>Moves the calling OS thread (only that thread) into the namespace behind <paramref name="fd"/>.</summary>
    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(SafeFileHandle fd, int nsType);
}

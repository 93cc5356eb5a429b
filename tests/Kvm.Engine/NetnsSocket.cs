using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Engine;

/// <summary>
/// Sockets that belong to another network namespace. A socket stays in the namespace it was
/// created in, whichever thread uses it later, so only creation needs the namespace: it happens
/// on a thread of its own that enters the namespace (setns moves only the calling thread) and
/// then ends, so no thread of the pool ever runs in a foreign namespace.
/// </summary>
public static partial class NetnsSocket
{
    private const int CLONE_NEWNET = 0x40000000;

    /// <summary>A new TCP/IPv4 socket in the network namespace behind <paramref name="netnsPath"/>.</summary>
    public static Socket CreateTcp(string netnsPath)
    {
        Socket? created = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(netnsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (SetNs(ns, CLONE_NEWNET) != 0)
                    throw new IOException($"setns({netnsPath}): {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                created = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns socket",
        };
        thread.Start();
        thread.Join();
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        return created!;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(SafeFileHandle fd, int nsType);
}

using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kvm.Netlink;

internal static partial class Interop
{
    // .NET's AddressFamily has no netlink member, so the socket is made and bound natively
    // and then handed to System.Net.Sockets.Socket as a SafeSocketHandle.
    internal const int AF_NETLINK = 16;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int NETLINK_ROUTE = 0;

    internal const int SOL_NETLINK = 270;
    internal const int NETLINK_CAP_ACK = 10;
    internal const int NETLINK_EXT_ACK = 11;
    internal const int NETLINK_GET_STRICT_CHK = 12;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockAddrNetlink
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(SafeSocketHandle socket, in SockAddrNetlink address, int addressLength);
}

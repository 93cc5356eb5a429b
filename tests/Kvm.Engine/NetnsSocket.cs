using System.Net.Sockets;
using Kvm.Netlink;

namespace Kvm.Engine;

/// <summary>Sockets that belong to another network namespace (made there once, usable from any thread).</summary>
public static class NetnsSocket
{
    /// <summary>A new TCP/IPv4 socket in the network namespace behind <paramref name="netnsPath"/>.</summary>
    public static Socket CreateTcp(string netnsPath) =>
        NetworkNamespace.FromPath(netnsPath).Create(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
}

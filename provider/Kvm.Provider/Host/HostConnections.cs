using Kvm.Netlink;

namespace Kvm.Provider.Host;

/// <summary>The provider's ways into the host; mocked in unit tests.</summary>
public interface IHostConnections : IDisposable
{
    ILinkApi Links { get; }
    IBridgeVlanApi Vlans { get; }
}

/// <summary>
/// Netlink sockets opened on first use, inside the configured network namespace, and kept for the
/// life of the provider process.
/// </summary>
public sealed class HostConnections(ProviderConfig config) : IHostConnections
{
    private readonly Lazy<NetlinkSocket> _socket = new(() => NetlinkSocket.Open(Namespace(config)));
    private readonly Lazy<NetlinkSocket> _vlanSocket = new(() => NetlinkSocket.Open(Namespace(config)));

    public ILinkApi Links => new LinkService(_socket.Value);
    public IBridgeVlanApi Vlans => new BridgeVlanService(_vlanSocket.Value);

    private static NetworkNamespace Namespace(ProviderConfig config) =>
        config.NetnsPath is { } path ? NetworkNamespace.FromPath(path) : NetworkNamespace.Current;

    public void Dispose()
    {
        if (_socket.IsValueCreated) _socket.Value.Dispose();
        if (_vlanSocket.IsValueCreated) _vlanSocket.Value.Dispose();
    }
}

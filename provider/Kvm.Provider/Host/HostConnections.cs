using Grpc.Core;
using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Ovsdb;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Resources;

namespace Kvm.Provider.Host;

/// <summary>The provider's ways into the host; mocked in unit tests.</summary>
internal interface IHostConnections : IDisposable
{
    ILinkApi Links { get; }
    IBridgeVlanApi Vlans { get; }

    /// <summary>Link deletions, committed in groups on a socket of their own (see <see cref="Host.LinkDeletions"/>).</summary>
    LinkDeletions LinkDeletions { get; }

    /// <summary>The libvirt connection of the configured URI (opened once, reopened by the binding if it dies).</summary>
    ILibvirt Libvirt { get; }

    /// <summary>Open vSwitch's database server at the configured socket (connected on first use, again after a break).</summary>
    IOvsdbClient Ovsdb { get; }
}

/// <summary>
/// Netlink sockets opened on first use, inside the configured network namespace, and kept for the
/// life of the provider process.
/// </summary>
internal sealed class HostConnections(ProviderConfig config, Action<string>? trace = null) : IHostConnections
{
    private readonly Lazy<NetlinkSocket> _socket = new(() => Open(config, trace));
    private readonly Lazy<NetlinkSocket> _vlanSocket = new(() => Open(config, trace));
    // A deletion holds its socket while the kernel waits for readers to drain: other requests
    // must not queue behind it, or the next deletions could not gather into one batch.
    private readonly Lazy<NetlinkSocket> _deleteSocket = new(() => Open(config, trace));
    private LinkDeletions? _deletions;

    private readonly Lazy<LibvirtConnection> _libvirt = new(() => OpenLibvirt(config.EffectiveUri));
    private readonly Lazy<OvsdbClient> _ovsdb = new(() => new OvsdbClient(config.EffectiveOvsdbSocket));

    public ILinkApi Links => new LinkService(_socket.Value);
    public ILibvirt Libvirt => _libvirt.Value;
    public IOvsdbClient Ovsdb => _ovsdb.Value;
    public LinkDeletions LinkDeletions => LazyInitializer.EnsureInitialized(ref _deletions, () => new LinkDeletions(() => new LinkService(_deleteSocket.Value)));
    public IBridgeVlanApi Vlans => new BridgeVlanService(_vlanSocket.Value);

    private static NetlinkSocket Open(ProviderConfig config, Action<string>? trace)
    {
        var socket = NetlinkSocket.Open(config.NetnsPath is { } path ? NetworkNamespace.FromPath(path) : NetworkNamespace.Current);
        // -v=9: every request on stderr, so one can see (and tests can count) what an operation sends.
        if (trace is not null)
            socket.RequestSent += r => trace($"netlink request {r.Operation}{(r.IsDump ? " dump" : "")} {r.Length} bytes");
        return socket;
    }

    private static LibvirtConnection OpenLibvirt(string uri)
    {
        try
        {
            return LibvirtConnection.Open(uri);
        }
        catch (LibvirtException e)
        {
            throw new ProviderException(StatusCode.FailedPrecondition,
                $"cannot connect to libvirt at {uri}: {e.Message}. Set the provider's `uri` (kvm:uri) or LIBVIRT_DEFAULT_URI, and check the daemon runs", e);
        }
    }

    public void Dispose()
    {
        if (_libvirt.IsValueCreated) _libvirt.Value.Dispose();
        if (_ovsdb.IsValueCreated) _ovsdb.Value.Dispose();
        if (_socket.IsValueCreated) _socket.Value.Dispose();
        if (_vlanSocket.IsValueCreated) _vlanSocket.Value.Dispose();
        if (_deleteSocket.IsValueCreated) _deleteSocket.Value.Dispose();
    }
}

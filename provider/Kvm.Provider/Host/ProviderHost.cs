using Kvm.Libvirt;
using Kvm.Netlink;

namespace Kvm.Provider.Host;

/// <summary>
/// What every resource shares in one provider process: the configuration, the engine log, the
/// per-object locks, the Cancel signal, and the connections to the host (opened on first use).
/// </summary>
public sealed class ProviderHost(IEngineLog log, Func<ProviderConfig, IHostConnections>? connect = null, Action<string>? trace = null) : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Func<ProviderConfig, IHostConnections> _connect = connect ?? (c => new HostConnections(c, trace));
    private readonly Lock _gate = new();
    private IHostConnections? _connections;

    public ProviderConfig Config { get; private set; } = new();
    public IEngineLog Log { get; } = log;
    public ObjectLocks Locks { get; } = new();
    public DeclaredResources Declared { get; } = new();

    /// <summary>Signalled when the engine sends Cancel: in-flight work stops at its next step.</summary>
    public CancellationToken Cancellation => _cancel.Token;

    public ILinkApi Links => Connections.Links;
    public IBridgeVlanApi Vlans => Connections.Vlans;
    public ILibvirt Libvirt => Connections.Libvirt;

    /// <summary>A short name of where links live, for messages: "namespace lab-1" or "the provider's namespace".</summary>
    public string NamespaceDescription => Config.Netns is { Length: > 0 } ns ? $"network namespace {ns}" : "the provider's network namespace";

    private IHostConnections Connections
    {
        get
        {
            lock (_gate) return _connections ??= _connect(Config);
        }
    }

    public void Configure(ProviderConfig config)
    {
        lock (_gate)
        {
            Config = config;
            _connections?.Dispose();
            _connections = null;
        }
    }

    public void Cancel() => _cancel.Cancel();

    public void Dispose()
    {
        _connections?.Dispose();
        _cancel.Dispose();
    }
}

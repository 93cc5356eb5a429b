using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Remote;

namespace Kvm.Provider.Host;

/// <summary>
/// What every resource shares in one provider process: the configuration, the engine log, the
/// per-object locks, the Cancel signal, and the connections to the host (opened on first use).
/// With a remote host configured, <see cref="Remote"/> is that host and nothing here touches this
/// machine's kernel or libvirt: the resources run in the plugin's agent on the host.
/// </summary>
internal sealed class ProviderHost(IEngineLog log, Func<ProviderConfig, IHostConnections>? connect = null, Action<string>? trace = null,
    Func<RemoteTarget, IRemoteHost>? reachRemote = null) : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Func<ProviderConfig, IHostConnections> _connect = connect ?? (c => new HostConnections(c, trace));
    private readonly Lock _gate = new();
    private IHostConnections? _connections;

    public ProviderConfig Config { get; private set; } = new();

    /// <summary>In the agent on a remote host: the plugin answering over the SSH session (set by the agent).</summary>
    public IReachability? AgentReachability { get; init; }

    /// <summary>In the agent: the host's address the SSH session came in on; links holding it carry the management session.</summary>
    public System.Net.IPAddress? ManagementAddress { get; init; }

    /// <summary>
    /// What confirms that a change to the links carrying the default route or the management session left the
    /// host reachable: the SSH session in the agent, else the configured `reachabilityProbe`, else nothing.
    /// </summary>
    public IReachability? Reachability => AgentReachability
        ?? (Config.ReachabilityProbe is { } probe && TcpProbe.TryParse(probe, out var target)
            ? new TcpProbe(Config.NetnsPath is { } path ? Kvm.Netlink.NetworkNamespace.FromPath(path) : Kvm.Netlink.NetworkNamespace.Current, target)
            : null);

    /// <summary>How long a change that needs confirming waits for it before it is rolled back.</summary>
    public TimeSpan ConfirmTimeout => TimeSpan.FromSeconds(Config.ConfirmTimeoutSeconds ?? ProviderConfig.DefaultConfirmTimeoutSeconds);
    public IEngineLog Log { get; } = new ScrubbingLog(log);
    public ObjectLocks Locks { get; } = new();
    public DeclaredResources Declared { get; } = new();

    /// <summary>The remote host every resource call goes to, or null when the provider manages the machine it runs on.</summary>
    public IRemoteHost? Remote { get; private set; }

    /// <summary>
    /// The configuration key that says where the provider acts (host, uri, netns, hostNetns) whose value is not
    /// known yet: in a preview it comes from another resource's output. Until it is, nothing may touch any host.
    /// </summary>
    public string? UnknownPlacement { get; private set; }

    /// <summary>Signalled when the engine sends Cancel: in-flight work stops at its next step.</summary>
    public CancellationToken Cancellation => _cancel.Token;

    public ILinkApi Links => Connections.Links;
    public IBridgeVlanApi Vlans => Connections.Vlans;
    public ILibvirt Libvirt => Connections.Libvirt;
    public Kvm.Ovsdb.IOvsdbClient Ovsdb => Connections.Ovsdb;

    /// <summary>Link deletions committed in groups (see <see cref="Host.LinkDeletions"/>).</summary>
    public LinkDeletions LinkDeletions => Connections.LinkDeletions;

    /// <summary>Where the desired state is kept for the next boot (`persistDir`), or null when persistence is off.</summary>
    public HostPersistence? Persistence => Config.PersistDir is { } dir
        ? new HostPersistence(DesiredStateFile.InFolder(dir), Config.Netns ?? "",
            SelfBinary is { } self ? new BootUnit(Config.EffectiveSystemdUnitDir, dir, self) : null)
        : null;

    /// <summary>
    /// This provider's self-contained executable, which the boot unit runs (copied into persistDir); null for a JIT
    /// build, whose executable is only the .NET launcher. Tests name a stand-in.
    /// </summary>
    public string? SelfBinary { get; init; } = System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled ? null : Environment.ProcessPath;

    /// <summary>A short name of where links live, for messages: "namespace lab-1" or "the provider's namespace".</summary>
    public string NamespaceDescription => Config.Netns is { Length: > 0 } ns ? $"network namespace {ns}" : "the provider's network namespace";

    private IHostConnections Connections
    {
        get
        {
            lock (_gate)
            {
                // A guard, not a path: with a remote host the resources run in its agent, never here.
                if (Remote is not null)
                    throw new InvalidOperationException($"the provider manages {Remote.Target.Destination}: nothing may touch this machine's kernel or libvirt");
                if (UnknownPlacement is { } key)
                    throw new ProviderException(Grpc.Core.StatusCode.FailedPrecondition,
                        $"the provider's {key} is not known yet (it comes from another resource's output), so it cannot tell which host to work on; `pulumi up` resolves it first");
                return _connections ??= _connect(Config);
            }
        }
    }

    /// <summary>Takes a new configuration: local connections and any remote session of the old one are closed.</summary>
    /// <param name="unknownPlacement">The key among those that place the provider whose value is still unknown (see <see cref="UnknownPlacement"/>).</param>
    public void Configure(ProviderConfig config, string? unknownPlacement = null)
    {
        IRemoteHost? oldRemote;
        lock (_gate)
        {
            UnknownPlacement = unknownPlacement;
            if (unknownPlacement is not null) config = new ProviderConfig();
            var target = unknownPlacement is null ? config.Remote : null;
            if (target is not null && reachRemote is null)
                throw new ProviderException(Grpc.Core.StatusCode.InvalidArgument,
                    $"invalid provider configuration: this provider already runs on the KVM host it manages, so it cannot reach another one ({target.Destination})");
            Config = config;
            _connections?.Dispose();
            _connections = null;
            oldRemote = Remote;
            Remote = target is null ? null : reachRemote!(target);
        }
        oldRemote?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public void Cancel()
    {
        _cancel.Cancel();
        Remote?.Cancel();
    }

    public void Dispose()
    {
        _connections?.Dispose();
        Remote?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cancel.Dispose();
    }
}

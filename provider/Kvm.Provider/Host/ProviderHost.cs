namespace Kvm.Provider.Host;

/// <summary>
/// What every resource shares in one provider process: the configuration, the engine log, the
/// per-object locks, the Cancel signal, and the connections to the host (opened on first use).
/// </summary>
public sealed class ProviderHost(IEngineLog log) : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    public ProviderConfig Config { get; private set; } = new();
    public IEngineLog Log { get; } = log;
    public ObjectLocks Locks { get; } = new();

    /// <summary>Signalled when the engine sends Cancel: in-flight work stops at its next step.</summary>
    public CancellationToken Cancellation => _cancel.Token;

    public void Configure(ProviderConfig config) => Config = config;

    public void Cancel() => _cancel.Cancel();

    public void Dispose() => _cancel.Dispose();
}

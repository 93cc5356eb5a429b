using Kvm.Provider.Host;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// The host half of a resource: the only code that calls netlink or libvirt for it. It acts on
/// what the planner decided (an Update carries its <see cref="Plan"/>) and reports what the host
/// holds afterwards; previews never reach it.
/// </summary>
internal abstract class Applier<TArgs, TState>(ProviderHost host)
    where TArgs : class, IShaped<TArgs> where TState : class, IShaped<TState>
{
    protected ProviderHost Host { get; } = host;

    /// <summary>Rules that need a look at the host (a port that must exist); they run once the planner's rules pass. Never changes the host.</summary>
    public virtual Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<TArgs> ctx) => Task.FromResult(Enumerable.Empty<CheckFailure>());

    /// <summary>
    /// The running guests <paramref name="plan"/> would cut off, for the preview's words; nothing when it cuts
    /// none off (the host is then not asked) or the host cannot tell.
    /// </summary>
    public virtual Task<IReadOnlyList<string>> AffectedGuestsAsync(TState old, TArgs news, Plan plan, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>
    /// What a preview of creating or changing to <paramref name="news"/> tells the user that only the host knows
    /// (an address that moves from a port to the bridge). It only looks; the host may be unreadable, then it says nothing.
    /// </summary>
    public virtual Task<IReadOnlyList<Announcement>> PreviewNotesAsync(TArgs news, TState? old, CancellationToken ct) => Task.FromResult<IReadOnlyList<Announcement>>([]);

    public abstract Task<Outcome<TState>> CreateAsync(CreateContext<TArgs> ctx);
    public abstract Task<Observed<TArgs, TState>?> ReadAsync(ReadContext<TArgs, TState> ctx);
    public abstract Task<Outcome<TState>> UpdateAsync(UpdateContext<TArgs, TState> ctx);
    public abstract Task DeleteAsync(DeleteContext<TArgs, TState> ctx);
}

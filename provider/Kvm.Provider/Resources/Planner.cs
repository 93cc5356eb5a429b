using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// The pure half of a resource: what its inputs may be, what a change of them means for the host
/// object (diff, classes, preview wording) and what a preview shows. It never reaches the host, so
/// it is unit-tested with records alone; <see cref="Applier{TArgs,TState}"/> is the other half.
/// </summary>
internal abstract class Planner<TArgs, TState>
    where TArgs : class, IShaped<TArgs> where TState : class, IShaped<TState>
{
    /// <summary>Names are unique on a host, so a replacement must remove the old object first.</summary>
    public virtual bool DeleteBeforeReplace => true;

    /// <summary>Rules beyond types and ranges that need nothing but the inputs (and what the program declares).</summary>
    public virtual IEnumerable<CheckFailure> Validate(CheckContext<TArgs> ctx) => [];

    /// <summary>The name of the host object these inputs manage (a bridge name, a network name), so other resources' Check can find it.</summary>
    public virtual string? HostNameOf(TArgs args) => null;

    /// <summary>Rewrites accepted inputs into the form the host reports (e.g. lower-case MACs), so they never show as drift.</summary>
    public virtual ObjectValue NormalizeInputs(ObjectValue news) => news;

    /// <summary>The change classified; by default every path is live, and a replacing one replaces.</summary>
    public virtual Plan Plan(DiffContext<TArgs, TState> ctx) => Resources.Plan.Unclassified(ctx.Default);

    /// <summary>The outputs a preview plans: the inputs, with what only the host can tell unknown (or, on update, as it was).</summary>
    public abstract Outcome<TState> Preview(PreviewContext<TArgs, TState> ctx);

    /// <summary>What the preview writes to the engine log about a plan (see <see cref="Announcement"/>).</summary>
    public virtual IEnumerable<Announcement> Announce(AnnounceContext<TArgs, TState> ctx) => [];
}

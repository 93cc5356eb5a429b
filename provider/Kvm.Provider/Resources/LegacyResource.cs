using Kvm.Provider.Host;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

// TRANSITIONAL: the resources not yet split into a planner and an applier keep their single class
// through this adapter; it goes when the last of them is converted.

public sealed record LegacyCreateContext<TArgs>(string Urn, string Name, Bound<TArgs> Inputs, bool Preview, TimeSpan? Timeout, CancellationToken Cancellation)
{
    public TArgs Args => Inputs.Value;
}

public sealed record LegacyUpdateContext<TArgs, TState>(string Id, string Urn, TState OldState, TArgs OldInputs, Bound<TArgs> News, bool Preview,
    TimeSpan? Timeout, CancellationToken Cancellation)
{
    public TArgs Args => News.Value;
}

public abstract class LegacyResource<TArgs, TState>(ProviderHost host) : Resource<TArgs, TState>(host)
    where TArgs : class, IShaped<TArgs> where TState : class, IShaped<TState>
{
    protected virtual bool DeleteBeforeReplace => true;
    protected virtual Task<IEnumerable<CheckFailure>> ValidateAsync(CheckContext<TArgs> ctx) => Task.FromResult(Enumerable.Empty<CheckFailure>());
    protected virtual string? HostNameOf(TArgs args) => null;
    protected virtual ObjectValue NormalizeInputs(ObjectValue news) => news;
    protected virtual DiffResult Diff(DiffContext<TArgs, TState> ctx) => ctx.Default;
    protected abstract Task<Outcome<TState>> CreateAsync(LegacyCreateContext<TArgs> ctx);
    protected abstract Task<Observed<TArgs, TState>?> ReadAsync(ReadContext<TArgs, TState> ctx);
    protected abstract Task<Outcome<TState>> UpdateAsync(LegacyUpdateContext<TArgs, TState> ctx);
    protected abstract Task DeleteAsync(DeleteContext<TArgs, TState> ctx);

    protected override Planner<TArgs, TState> Planner => new LegacyPlanner(this);
    protected override Applier<TArgs, TState> Applier => new LegacyApplier(this);

    private sealed class LegacyPlanner(LegacyResource<TArgs, TState> r) : Planner<TArgs, TState>
    {
        public override bool DeleteBeforeReplace => r.DeleteBeforeReplace;
        public override string? HostNameOf(TArgs args) => r.HostNameOf(args);
        public override ObjectValue NormalizeInputs(ObjectValue news) => r.NormalizeInputs(news);
        public override Plan Plan(DiffContext<TArgs, TState> ctx) => Resources.Plan.Unclassified(r.Diff(ctx));

        public override Outcome<TState> Preview(PreviewContext<TArgs, TState> ctx) =>
            (ctx.OldState is null
                ? r.CreateAsync(new LegacyCreateContext<TArgs>(ctx.Urn, "", ctx.Inputs, true, null, default))
                : r.UpdateAsync(new LegacyUpdateContext<TArgs, TState>(ctx.Id, ctx.Urn, ctx.OldState, ctx.OldInputs!, ctx.Inputs, true, null, default)))
            .GetAwaiter().GetResult();
    }

    private sealed class LegacyApplier(LegacyResource<TArgs, TState> r) : Applier<TArgs, TState>(r.Host)
    {
        public override Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<TArgs> ctx) => r.ValidateAsync(ctx);
        public override Task<Outcome<TState>> CreateAsync(CreateContext<TArgs> ctx) =>
            r.CreateAsync(new LegacyCreateContext<TArgs>(ctx.Urn, ctx.Name, ctx.Inputs, false, ctx.Timeout, ctx.Cancellation));
        public override Task<Observed<TArgs, TState>?> ReadAsync(ReadContext<TArgs, TState> ctx) => r.ReadAsync(ctx);
        public override Task<Outcome<TState>> UpdateAsync(UpdateContext<TArgs, TState> ctx) =>
            r.UpdateAsync(new LegacyUpdateContext<TArgs, TState>(ctx.Id, ctx.Urn, ctx.OldState, ctx.OldInputs, ctx.News, false, ctx.Timeout, ctx.Cancellation));
        public override Task DeleteAsync(DeleteContext<TArgs, TState> ctx) => r.DeleteAsync(ctx);
    }
}

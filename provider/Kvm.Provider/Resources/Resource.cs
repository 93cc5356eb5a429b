using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Kvm.Provider.Host;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>A resource type as the RPC layer sees it: property maps in, property maps out.</summary>
public interface IResource
{
    string Token { get; }
    string Description { get; }
    ObjectShape InputShape { get; }
    ObjectShape OutputShape { get; }
    Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken ct);
    Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken ct);
    Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken ct);
    Task<ReadResult> ReadAsync(ReadRequest request, CancellationToken ct);
    Task<ObjectValue> UpdateAsync(UpdateRequest request, CancellationToken ct);
    Task DeleteAsync(DeleteRequest request, CancellationToken ct);

    /// <summary>The id the object of these inputs has (or would have) when it follows from them alone, e.g. its name; an id Read accepts. Null when it does not.</summary>
    string? ProvisionalId(ObjectValue inputs);
}

/// <summary>What Create or Update leaves on the host; in preview, the outputs only the host can tell are listed as unknown.</summary>
public sealed record Outcome<TState>(string Id, TState State)
{
    public ImmutableArray<string> UnknownOutputs { get; init; } = [];
}

/// <summary>What Read observed: the state and the inputs that reproduce it.</summary>
public sealed record Observed<TArgs, TState>(string Id, TState State, TArgs Inputs);

public sealed record CheckContext<TArgs>(string Urn, string Name, Bound<TArgs> News, TArgs? Olds, CancellationToken Cancellation);

public sealed record DiffContext<TArgs, TState>(string Id, string Urn, Bound<TArgs> News, TState OldState, TArgs OldInputs, DiffResult Default);

public sealed record CreateContext<TArgs>(string Urn, string Name, Bound<TArgs> Inputs, bool Preview, TimeSpan? Timeout, CancellationToken Cancellation)
{
    public TArgs Args => Inputs.Value;
}

public sealed record ReadContext<TArgs, TState>(string Id, string Urn, TState? OldState, TArgs? OldInputs, CancellationToken Cancellation)
{
    public bool IsImport => OldState is null && OldInputs is null;
}

public sealed record UpdateContext<TArgs, TState>(string Id, string Urn, TState OldState, TArgs OldInputs, Bound<TArgs> News, bool Preview,
    TimeSpan? Timeout, CancellationToken Cancellation)
{
    public TArgs Args => News.Value;
}

public sealed record DeleteContext<TArgs, TState>(string Id, string Urn, TState State, TArgs? OldInputs, TimeSpan? Timeout, CancellationToken Cancellation);

/// <summary>
/// A resource written against typed records: an Args record (inputs), a State record (outputs,
/// usually the inputs plus what the host reports) and the six operations. Binding, defaults,
/// unknowns, secrets and the default diff are done here once for all resources.
/// </summary>
public abstract class Resource<
    [DynamicallyAccessedMembers(ObjectShape.Members)] TArgs,
    [DynamicallyAccessedMembers(ObjectShape.Members)] TState>(ProviderHost host) : IResource
    where TArgs : class where TState : class
{
    protected ProviderHost Host { get; } = host;

    public abstract string Token { get; }
    public abstract string Description { get; }

    /// <summary>Names are unique on a host, so a replacement must remove the old object first.</summary>
    protected virtual bool DeleteBeforeReplace => true;

    public ObjectShape InputShape => ObjectShape.Of<TArgs>();
    public ObjectShape OutputShape => ObjectShape.Of<TState>();

    /// <summary>Rules beyond types and ranges; may read (never change) the host.</summary>
    protected virtual Task<IEnumerable<CheckFailure>> ValidateAsync(CheckContext<TArgs> ctx) => Task.FromResult(Enumerable.Empty<CheckFailure>());

    /// <summary>The name of the host object these inputs manage (a bridge name, a network name), so other resources' Check can find it.</summary>
    protected virtual string? HostNameOf(TArgs args) => null;

    /// <summary>Rewrites accepted inputs into the form the host reports (e.g. lower-case MACs), so they never show as drift.</summary>
    protected virtual ObjectValue NormalizeInputs(ObjectValue news) => news;

    /// <summary>Override to classify changes beyond the default per-property comparison.</summary>
    protected virtual DiffResult Diff(DiffContext<TArgs, TState> ctx) => ctx.Default;

    protected abstract Task<Outcome<TState>> CreateAsync(CreateContext<TArgs> ctx);
    protected abstract Task<Observed<TArgs, TState>?> ReadAsync(ReadContext<TArgs, TState> ctx);
    protected abstract Task<Outcome<TState>> UpdateAsync(UpdateContext<TArgs, TState> ctx);
    protected abstract Task DeleteAsync(DeleteContext<TArgs, TState> ctx);

    async Task<CheckResult> IResource.CheckAsync(CheckRequest request, CancellationToken ct)
    {
        var news = PropertyBinder.Bind<TArgs>(request.News);
        var failures = news.Failures.ToList();
        if (failures.Count == 0)
        {
            var olds = request.Olds.Fields.Count == 0 ? null : PropertyBinder.Bind<TArgs>(request.Olds, BindMode.State).Value;
            failures.AddRange(await ValidateAsync(new CheckContext<TArgs>(request.Urn, request.Name, news, olds, ct)).ConfigureAwait(false));
        }
        if (failures.Count == 0 && HostNameOf(news.Value) is { } hostName)
            Host.Declared.Record(Token, hostName, news.Value);
        var inputs = WithDefaults(request.News);
        return new CheckResult(failures.Count == 0 ? NormalizeInputs(inputs) : inputs, [.. failures]);
    }

    Task<DiffResult> IResource.DiffAsync(DiffRequest request, CancellationToken ct)
    {
        // Resources that diff on their own see the news with ignoreChanges already applied.
        var news = PropertyBinder.Bind<TArgs>(DiffEngine.ApplyIgnoreChanges(request.News, request.OldInputs, request.IgnoreChanges));
        var oldState = PropertyBinder.Bind<TState>(request.OldState, BindMode.State).Value;
        var oldInputs = PropertyBinder.Bind<TArgs>(request.OldInputs, BindMode.State).Value;
        var byDefault = DiffEngine.Compute(InputShape, request.OldState, request.News, request.OldInputs, request.IgnoreChanges, DeleteBeforeReplace);
        var result = Diff(new DiffContext<TArgs, TState>(request.Id, request.Urn, news, oldState, oldInputs, byDefault));
        return Task.FromResult(result with { DeleteBeforeReplace = DeleteBeforeReplace && result.IsReplace });
    }

    async Task<CreateResult> IResource.CreateAsync(CreateRequest request, CancellationToken ct)
    {
        var inputs = BindChecked(request.Inputs, request.Preview);
        Outcome<TState> outcome;
        try
        {
            outcome = await CreateAsync(new CreateContext<TArgs>(request.Urn, request.Name, inputs, request.Preview, request.Timeout, ct)).ConfigureAwait(false);
        }
        catch (ResourceInitFailedException e)
        {
            e.Properties = Outputs(e.State, inputs, []);
            e.Inputs = request.Inputs;
            throw;
        }
        var outputs = Outputs(outcome.State, inputs, outcome.UnknownOutputs);
        EnsureComplete(request.Preview, outcome.Id, outputs);
        return new CreateResult(outcome.Id, outputs);
    }

    async Task<ReadResult> IResource.ReadAsync(ReadRequest request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Id))
            throw ProviderException.InvalidArgument($"Read of {Token} needs an id");
        var oldState = request.State.Fields.Count == 0 ? null : PropertyBinder.Bind<TState>(request.State, BindMode.State).Value;
        var oldInputs = request.Inputs.Fields.Count == 0 ? null : PropertyBinder.Bind<TArgs>(request.Inputs, BindMode.State);
        var observed = await ReadAsync(new ReadContext<TArgs, TState>(request.Id, request.Urn, oldState, oldInputs?.Value, ct)).ConfigureAwait(false);
        if (observed is null) return ReadResult.Gone;

        var secretPaths = oldInputs?.SecretPaths ?? [];
        var state = KeepSecrets(Writer.Write(observed.State), secretPaths);
        var inputs = Writer.Write(observed.Inputs, inputsOnly: true);
        if (!request.IsImport && request.Inputs.Fields.Count > 0)
            inputs = RefreshedInputs.Project(InputShape, inputs, request.Inputs);
        return new ReadResult(observed.Id, state, KeepSecrets(inputs, secretPaths));
    }

    async Task<ObjectValue> IResource.UpdateAsync(UpdateRequest request, CancellationToken ct)
    {
        var news = BindChecked(request.News, request.Preview);
        var oldState = PropertyBinder.Bind<TState>(request.OldState, BindMode.State).Value;
        var oldInputs = PropertyBinder.Bind<TArgs>(request.OldInputs, BindMode.State).Value;
        Outcome<TState> outcome;
        try
        {
            outcome = await UpdateAsync(new UpdateContext<TArgs, TState>(request.Id, request.Urn, oldState, oldInputs, news, request.Preview, request.Timeout, ct)).ConfigureAwait(false);
        }
        catch (ResourceInitFailedException e)
        {
            e.Properties = Outputs(e.State, news, []);
            e.Inputs = request.News;
            throw;
        }
        var outputs = Outputs(outcome.State, news, outcome.UnknownOutputs);
        EnsureComplete(request.Preview, request.Id, outputs);
        return outputs;
    }

    Task IResource.DeleteAsync(DeleteRequest request, CancellationToken ct)
    {
        var state = PropertyBinder.Bind<TState>(request.State, BindMode.State).Value;
        var oldInputs = request.OldInputs.Fields.Count == 0 ? null : PropertyBinder.Bind<TArgs>(request.OldInputs, BindMode.State).Value;
        return DeleteAsync(new DeleteContext<TArgs, TState>(request.Id, request.Urn, state, oldInputs, request.Timeout, ct));
    }

    string? IResource.ProvisionalId(ObjectValue inputs)
    {
        var bound = PropertyBinder.Bind<TArgs>(inputs);
        return bound.Ok && !bound.HasUnknowns ? HostNameOf(bound.Value) : null;
    }

    private static Bound<TArgs> BindChecked(ObjectValue inputs, bool preview)
    {
        var bound = PropertyBinder.Bind<TArgs>(inputs);
        if (!bound.Ok)
            throw ProviderException.InvalidArgument($"invalid inputs: {string.Join("; ", bound.Failures)}");
        if (!preview && bound.HasUnknowns)
            throw ProviderException.InvalidArgument(
                $"{string.Join(", ", bound.UnknownPaths.Order(StringComparer.Ordinal))}: unknown outside a preview; the engine resolves every value before it applies a change");
        return bound;
    }

    /// <summary>The outputs of a State record: unknown where the inputs were unknown or the host has yet to tell, secret where the inputs were secret.</summary>
    private static ObjectValue Outputs(object state, Bound<TArgs> inputs, IEnumerable<string> unknownOutputs)
    {
        PropertyValue outputs = Writer.Write(state);
        foreach (var path in inputs.UnknownPaths.Concat(unknownOutputs))
            outputs = PropertyPath.Set(outputs, PropertyPath.Parse(path).AsSpan(), _ => PropertyValue.Unknown);
        return KeepSecrets((ObjectValue)outputs, inputs.SecretPaths);
    }

    private static ObjectValue KeepSecrets(ObjectValue value, IEnumerable<string> secretPaths)
    {
        PropertyValue result = value;
        foreach (var path in secretPaths)
            result = PropertyPath.Set(result, PropertyPath.Parse(path).AsSpan(), v => v is null ? null : PropertyValue.Secret(v));
        return (ObjectValue)result;
    }

    private void EnsureComplete(bool preview, string id, ObjectValue outputs)
    {
        if (preview) return;
        if (string.IsNullOrEmpty(id))
            throw new InvalidOperationException($"{Token}: the provider produced no id");
        if (outputs.ContainsUnknowns)
            throw new InvalidOperationException($"{Token}: the provider left unknown outputs outside preview");
    }

    private ObjectValue WithDefaults(ObjectValue news)
    {
        foreach (var p in InputShape.Inputs.Where(p => p.Default is not null && news[p.Name] is null or NullValue))
        {
            news = news.With(p.Name, p.Default switch
            {
                bool b => PropertyValue.Of(b),
                int i => PropertyValue.Of(i),
                double d => PropertyValue.Of(d),
                string s => PropertyValue.Of(s),
                _ => throw new InvalidOperationException($"{Token}.{p.Name}: unsupported default {p.Default}"),
            });
        }
        return news;
    }
}

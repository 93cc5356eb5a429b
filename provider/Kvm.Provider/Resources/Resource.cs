using System.Collections.Immutable;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// One resource type as the RPC layer sees it, in the one shape all share: a pure
/// <see cref="Planner{TArgs,TState}"/> and a host <see cref="Applier{TArgs,TState}"/> over an Args
/// record (inputs) and a State record (the inputs as observed, plus what only the host can tell).
/// Binding, defaults, unknowns, secrets, the typed diff and the preview's announcements are done
/// here once for all resources.
/// </summary>
internal abstract class Resource<TArgs, TState>(ProviderHost host) : IResource
    where TArgs : class, IShaped<TArgs> where TState : class, IShaped<TState>
{
    protected ProviderHost Host { get; } = host;

    public abstract string Token { get; }
    public abstract string Description { get; }

    protected abstract Planner<TArgs, TState> Planner { get; }
    protected abstract Applier<TArgs, TState> Applier { get; }

    /// <summary>
    /// The kind under which the desired-state file (`persistDir`) keeps this resource's applied inputs, for
    /// `pulumi-resource-kvm restore` to re-apply at boot; null for resources the host keeps by itself (libvirt's).
    /// </summary>
    protected virtual string? PersistedAs => null;

    public ObjectShape InputShape => ObjectShape.Of<TArgs>();
    public ObjectShape OutputShape => ObjectShape.Of<TState>();

    async Task<CheckResult> IResource.CheckAsync(CheckRequest request, CancellationToken ct)
    {
        var news = PropertyBinder.Bind<TArgs>(request.News);
        var failures = news.Failures.ToList();
        if (failures.Count == 0)
        {
            var olds = request.Olds.Fields.Count == 0 ? null : PropertyBinder.Bind<TArgs>(request.Olds, BindMode.State).Value;
            var ctx = new CheckContext<TArgs>(request.Urn, request.Name, news, olds, Host.Declared, ct);
            failures.AddRange(Planner.Validate(ctx));
            if (failures.Count == 0) failures.AddRange(await Applier.CheckAsync(ctx).ConfigureAwait(false));
        }
        if (failures.Count == 0 && Planner.HostNameOf(news.Value) is { } hostName)
            Host.Declared.Record(Token, hostName, news.Value);
        var inputs = WithDefaults(request.News);
        var secrets = SecretScrubber.Of(request.News, request.Olds);
        return new CheckResult(failures.Count == 0 ? Planner.NormalizeInputs(inputs) : inputs, [.. failures.Select(secrets.Scrub)]);
    }

    async Task<DiffResult> IResource.DiffAsync(DiffRequest request, CancellationToken ct)
    {
        // The engine's ignoreChanges apply before anything is compared.
        var news = await BindValidatedAsync(DiffEngine.ApplyIgnoreChanges(request.News, request.OldInputs, request.IgnoreChanges), preview: true, request.Urn, NameOf(request.Urn), ct).ConfigureAwait(false);
        var oldState = PropertyBinder.Bind<TState>(request.OldState, BindMode.State).Value;
        var oldInputs = PropertyBinder.Bind<TArgs>(request.OldInputs, BindMode.State).Value;
        var plan = PlanOf(request.Id, request.Urn, news, oldState, oldInputs);
        if (plan.Replaces) await AnnounceAsync(request.Id, request.Urn, plan, news.Value, oldState, oldInputs, replacement: true, ct).ConfigureAwait(false);
        var diff = plan.Diff with { DeleteBeforeReplace = Planner.DeleteBeforeReplace && plan.Diff.IsReplace };
        return diff.HasChanges ? diff : await PersistedStateDiffAsync(request.Id, request.Urn, news, diff).ConfigureAwait(false);
    }

    /// <summary>
    /// An object whose inputs did not change is still updated when the desired-state file does not hold them (an
    /// entry lost or edited, persistDir set after it was made, a record that failed): the update rewrites it, so the
    /// next boot brings back what the program declares. Reading the file only looks, as preview may.
    /// </summary>
    private async Task<DiffResult> PersistedStateDiffAsync(string id, string urn, Bound<TArgs> news, DiffResult none)
    {
        if (PersistedAs is not { } kind || Host.Persistence is not { } persistence || news.HasUnknowns) return none;
        if (persistence.Discrepancy(kind, id, entry => DiffersIn(entry, news.Value)) is not { } discrepancy) return none;
        await WarnPersistedDiffersAsync(id, urn, persistence, discrepancy, "this update rewrites it (the host's links are not changed)").ConfigureAwait(false);
        return none with { RewritesPersistedState = true };
    }

    /// <summary>The typed diff of the inputs against the old outputs, classified by the planner: once per operation.</summary>
    private Plan PlanOf(string id, string urn, Bound<TArgs> news, TState oldState, TArgs oldInputs)
    {
        var byDefault = RecordDiff.Compare(InputShape, oldState, news.Value, oldInputs, news.UnknownPaths, Planner.DeleteBeforeReplace);
        return Planner.Plan(new DiffContext<TArgs, TState>(id, urn, news, oldState, oldInputs, byDefault));
    }

    /// <summary>Logs what the preview says about a plan: a replacement's lines at Diff, the others at the Update preview.</summary>
    private async Task AnnounceAsync(string id, string urn, Plan plan, TArgs news, TState oldState, TArgs? oldInputs, bool replacement, CancellationToken ct)
    {
        if (plan.Changes.IsEmpty) return;
        var affected = await Applier.AffectedGuestsAsync(oldState, news, plan, ct).ConfigureAwait(false);
        foreach (var line in Planner.Announce(new AnnounceContext<TArgs, TState>(id, urn, plan, news, oldState, oldInputs, affected)))
        {
            if (line.OfReplacement == replacement)
                await Host.Log.LogAsync(line.Severity, line.Message, urn).ConfigureAwait(false);
        }
    }

    /// <summary>The host's part of a preview's words; inputs the engine does not know yet leave nothing to look at.</summary>
    private async Task LogPreviewNotesAsync(string urn, Bound<TArgs> news, TState? old, CancellationToken ct)
    {
        if (news.HasUnknowns) return;
        foreach (var line in await Applier.PreviewNotesAsync(news.Value, old, ct).ConfigureAwait(false))
            await Host.Log.LogAsync(line.Severity, line.Message, urn).ConfigureAwait(false);
        if (PersistedAs is not null && Host.Persistence is { } persistence && Planner.HostNameOf(news.Value) is { } name)
            await Host.Log.InfoAsync(persistence.PreviewNote(name), urn).ConfigureAwait(false);
    }

    /// <summary>
    /// Records what was applied in the desired-state file. The object is on the host by now: when the file cannot be
    /// written, it is kept as an incompletely made resource, so the next `pulumi up` writes it again.
    /// </summary>
    private async Task PersistAsync(string id, string urn, TState state, TArgs inputs, CancellationToken ct)
    {
        if (PersistedAs is not { } kind || Host.Persistence is not { } persistence) return;
        try
        {
            await LogAsync(await persistence.RecordAsync(kind, id, Writer.Write(inputs, inputsOnly: true), ct).ConfigureAwait(false), urn).ConfigureAwait(false);
        }
        catch (Exception e) when (HostPersistence.IsFileFailure(e))
        {
            throw new ResourceInitFailedException(id, state,
                $"{id} was applied, but recording it in {persistence.FilePath} for the next boot failed ({e.Message}); `pulumi up` tries again");
        }
    }

    async Task<CreateResult> IResource.CreateAsync(CreateRequest request, CancellationToken ct)
    {
        var inputs = await BindValidatedAsync(request.Inputs, request.Preview, request.Urn, request.Name, ct).ConfigureAwait(false);
        Outcome<TState> outcome;
        try
        {
            if (request.Preview) await LogPreviewNotesAsync(request.Urn, inputs, null, ct).ConfigureAwait(false);
            outcome = request.Preview
                ? Planner.Preview(new PreviewContext<TArgs, TState>("", request.Urn, inputs, null, null, null))
                : await Applier.CreateAsync(new CreateContext<TArgs>(request.Urn, request.Name, inputs, request.Timeout, ct)).ConfigureAwait(false);
            if (!request.Preview) await PersistAsync(outcome.Id, request.Urn, outcome.State, inputs.Value, ct).ConfigureAwait(false);
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
        Observed<TArgs, TState>? observed;
        try
        {
            observed = await Applier.ReadAsync(new ReadContext<TArgs, TState>(request.Id, request.Urn, oldState, oldInputs?.Value, ct)).ConfigureAwait(false);
        }
        catch (HostObjectUnreadableException e) when (oldState is not null)
        {
            // A refresh must not fail a whole stack over one object it cannot read: the object is still
            // there, so it stays as last recorded, and the user is told that its drift is not known.
            await Host.Log.WarnAsync($"{e.Message}; refresh keeps it as last recorded (drift in it is not shown), and changes to it fail until the provider can read it", request.Urn).ConfigureAwait(false);
            return new ReadResult(request.Id, request.State, request.Inputs);
        }
        if (observed is null) return ReadResult.Gone;
        if (request.IsImport) await RecordImportAsync(observed, request.Urn, ct).ConfigureAwait(false);
        else if (oldInputs is not null) await WarnIfPersistedDiffersAsync(request.Id, request.Urn, oldInputs.Value).ConfigureAwait(false);

        var secretPaths = oldInputs?.SecretPaths ?? [];
        var state = KeepSecrets(Writer.Write(observed.State), secretPaths);
        var inputs = Writer.Write(observed.Inputs, inputsOnly: true);
        if (!request.IsImport && request.Inputs.Fields.Count > 0)
            inputs = RefreshedInputs.Project(InputShape, inputs, request.Inputs);
        return new ReadResult(observed.Id, state, KeepSecrets(inputs, secretPaths));
    }

    async Task<ObjectValue> IResource.UpdateAsync(UpdateRequest request, CancellationToken ct)
    {
        var news = await BindValidatedAsync(request.News, request.Preview, request.Urn, NameOf(request.Urn), ct).ConfigureAwait(false);
        var oldState = PropertyBinder.Bind<TState>(request.OldState, BindMode.State).Value;
        var oldInputs = PropertyBinder.Bind<TArgs>(request.OldInputs, BindMode.State).Value;
        // The engine has applied ignoreChanges to these inputs already.
        var plan = PlanOf(request.Id, request.Urn, news, oldState, oldInputs);
        Outcome<TState> outcome;
        try
        {
            if (request.Preview)
            {
                await AnnounceAsync(request.Id, request.Urn, plan, news.Value, oldState, oldInputs, replacement: false, ct).ConfigureAwait(false);
                if (plan.Diff.HasChanges) await LogPreviewNotesAsync(request.Urn, news, oldState, ct).ConfigureAwait(false);
                outcome = Planner.Preview(new PreviewContext<TArgs, TState>(request.Id, request.Urn, news, oldState, oldInputs, plan));
            }
            else
            {
                outcome = await Applier.UpdateAsync(new UpdateContext<TArgs, TState>(request.Id, request.Urn, oldState, oldInputs, news, plan, request.Timeout, ct)).ConfigureAwait(false);
                await PersistAsync(request.Id, request.Urn, outcome.State, news.Value, ct).ConfigureAwait(false);
            }
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

    async Task IResource.DeleteAsync(DeleteRequest request, CancellationToken ct)
    {
        var state = PropertyBinder.Bind<TState>(request.State, BindMode.State).Value;
        var oldInputs = request.OldInputs.Fields.Count == 0 ? null : PropertyBinder.Bind<TArgs>(request.OldInputs, BindMode.State).Value;
        await Applier.DeleteAsync(new DeleteContext<TArgs, TState>(request.Id, request.Urn, state, oldInputs, request.Timeout, ct)).ConfigureAwait(false);
        if (PersistedAs is not { } kind || Host.Persistence is not { } persistence) return;
        try
        {
            // A deleted object must not come back at the next boot.
            await LogAsync(await persistence.ForgetAsync(kind, request.Id, ct).ConfigureAwait(false), request.Urn).ConfigureAwait(false);
        }
        catch (Exception e) when (HostPersistence.IsFileFailure(e))
        {
            throw ProviderException.FailedPrecondition(
                $"{request.Id} was deleted, but removing it from {persistence.FilePath} failed ({e.Message}), so the next boot would make it again; `pulumi destroy` (or up) tries again");
        }
    }

    /// <summary>
    /// A refresh says when the desired-state file no longer holds what the stack applied: what a reboot would bring back
    /// differs from the program. Refresh only reads (it may be a preview); the next `up` rewrites the file (see Diff).
    /// </summary>
    private async Task WarnIfPersistedDiffersAsync(string id, string urn, TArgs applied)
    {
        if (PersistedAs is not { } kind || Host.Persistence is not { } persistence) return;
        if (persistence.Discrepancy(kind, id, entry => DiffersIn(entry, applied)) is { } discrepancy)
            await WarnPersistedDiffersAsync(id, urn, persistence, discrepancy, "the next `pulumi up` rewrites it").ConfigureAwait(false);
    }

    /// <summary>The inputs a desired-state entry holds otherwise than <paramref name="inputs"/>, compared as records (numbers as numbers, unset as null, lists in any order where order does not matter).</summary>
    private IReadOnlyList<string> DiffersIn(ObjectValue entry, TArgs inputs)
    {
        var held = PropertyBinder.Bind<TArgs>(entry, BindMode.State).Value;
        return [.. InputShape.Inputs.Where(p => !RecordDiff.Same(p.Type, p.Get(held), p.Get(inputs), p.Unordered || p.Key is not null))
            .Select(p => p.Name).Order(StringComparer.Ordinal)];
    }

    private Task WarnPersistedDiffersAsync(string id, string urn, HostPersistence persistence, string discrepancy, string remedy) =>
        Host.Log.WarnAsync($"kvm:persist {id}: {persistence.FilePath} {discrepancy}, so a reboot would not bring back what the program declares; {remedy}", urn);

    private Task LogAsync(PersistenceNote? note, string urn) => note switch
    {
        null => Task.CompletedTask,
        { IsWarning: true } => Host.Log.WarnAsync(note.Message, urn),
        _ => Host.Log.InfoAsync(note.Message, urn),
    };

    /// <summary>An imported object is managed from now on: it is recorded as read, and a failure to do so is only a warning (the import itself worked).</summary>
    private async Task RecordImportAsync(Observed<TArgs, TState> observed, string urn, CancellationToken ct)
    {
        if (PersistedAs is not { } kind || Host.Persistence is not { } persistence) return;
        try
        {
            await LogAsync(await persistence.RecordAsync(kind, observed.Id, Writer.Write(observed.Inputs, inputsOnly: true), ct).ConfigureAwait(false), urn).ConfigureAwait(false);
        }
        catch (Exception e) when (HostPersistence.IsFileFailure(e))
        {
            await Host.Log.WarnAsync($"kvm:persist {observed.Id}: not recorded in {persistence.FilePath} ({e.Message}); it will not come back after a reboot until the next `pulumi up`", urn).ConfigureAwait(false);
        }
    }

    string? IResource.ProvisionalId(ObjectValue inputs)
    {
        var bound = PropertyBinder.Bind<TArgs>(inputs);
        return bound.Ok && !bound.HasUnknowns ? Planner.HostNameOf(bound.Value) : null;
    }

    /// <summary>
    /// The inputs of a Diff, Create or Update, held to the same rules as Check: the engine runs Check
    /// first, but an import replay, state an older version wrote or another client may not, and input
    /// Check refuses must never reach the host. Outside a preview the host's own checks run too (they
    /// only look), as Check runs them.
    /// </summary>
    private async Task<Bound<TArgs>> BindValidatedAsync(ObjectValue inputs, bool preview, string urn, string name, CancellationToken ct)
    {
        var bound = PropertyBinder.Bind<TArgs>(inputs);
        var secrets = SecretScrubber.Of(inputs);
        var ctx = new CheckContext<TArgs>(urn, name, bound, null, Host.Declared, ct);
        var failures = bound.Ok ? Planner.Validate(ctx).ToList() : [.. bound.Failures];
        if (failures.Count > 0)
            throw ProviderException.InvalidArgument($"invalid inputs (Check refuses them): {string.Join("; ", failures.Select(secrets.Scrub))}");
        // What the host says (a port that is missing, a bridge that does not filter VLANs) is its state, not the input's fault.
        var hostFailures = preview ? [] : (await Applier.CheckAsync(ctx).ConfigureAwait(false)).ToList();
        if (hostFailures.Count > 0)
            throw ProviderException.FailedPrecondition($"the host is not as these inputs need it (Check refuses them): {string.Join("; ", hostFailures.Select(secrets.Scrub))}");
        if (!preview && bound.HasUnknowns)
            throw ProviderException.InvalidArgument(
                $"{string.Join(", ", bound.UnknownPaths.Order(StringComparer.Ordinal))}: unknown outside a preview; the engine resolves every value before it applies a change");
        return bound;
    }

    /// <summary>The resource's name, the last part of its URN (urn:pulumi:stack::project::type::name).</summary>
    private static string NameOf(string urn) => urn[(urn.LastIndexOf("::", StringComparison.Ordinal) is var i and >= 0 ? i + 2 : 0)..];

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

using System.Collections.Immutable;
using Kvm.Provider.Host;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>A resource type as the RPC layer sees it: property maps in, property maps out.</summary>
internal interface IResource
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
internal sealed record Outcome<TState>(string Id, TState State)
{
    public ImmutableArray<string> UnknownOutputs { get; init; } = [];
}

/// <summary>What Read observed: the state and the inputs that reproduce it.</summary>
internal sealed record Observed<TArgs, TState>(string Id, TState State, TArgs Inputs);

/// <param name="Declared">What the program has declared so far (a VlanFilter's bridge, a NIC's network), as Check saw it.</param>
internal sealed record CheckContext<TArgs>(string Urn, string Name, Bound<TArgs> News, TArgs? Olds, DeclaredResources Declared, CancellationToken Cancellation);

/// <param name="Default">The typed per-property diff of the inputs against the old outputs (see <see cref="RecordDiff"/>).</param>
internal sealed record DiffContext<TArgs, TState>(string Id, string Urn, Bound<TArgs> News, TState OldState, TArgs OldInputs, DiffResult Default);

/// <summary>A preview of a Create (<see cref="OldState"/> null) or of an Update (with its plan): nothing may touch the host.</summary>
internal sealed record PreviewContext<TArgs, TState>(string Id, string Urn, Bound<TArgs> Inputs, TState? OldState, TArgs? OldInputs, Plan? Plan)
{
    public TArgs Args => Inputs.Value;
}

/// <summary>What a preview says about a plan: the resource's id, the old outputs, and the guests the host says the change affects.</summary>
internal sealed record AnnounceContext<TArgs, TState>(string Id, string Urn, Plan Plan, TArgs News, TState OldState, TArgs? OldInputs, IReadOnlyList<string> AffectedGuests);

internal sealed record CreateContext<TArgs>(string Urn, string Name, Bound<TArgs> Inputs, TimeSpan? Timeout, CancellationToken Cancellation)
{
    public TArgs Args => Inputs.Value;
}

internal sealed record ReadContext<TArgs, TState>(string Id, string Urn, TState? OldState, TArgs? OldInputs, CancellationToken Cancellation)
{
    public bool IsImport => OldState is null && OldInputs is null;
}

/// <param name="Plan">The change, as the planner classified it (computed once for this Update).</param>
internal sealed record UpdateContext<TArgs, TState>(string Id, string Urn, TState OldState, TArgs OldInputs, Bound<TArgs> News, Plan Plan,
    TimeSpan? Timeout, CancellationToken Cancellation)
{
    public TArgs Args => News.Value;
}

internal sealed record DeleteContext<TArgs, TState>(string Id, string Urn, TState State, TArgs? OldInputs, TimeSpan? Timeout, CancellationToken Cancellation);


using System.Collections.Immutable;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

// The protocol's requests as the resources see them: property maps already decoded, one record
// per operation so fields can be added without breaking signatures.

internal sealed record CheckRequest(string Urn, string Name, ObjectValue Olds, ObjectValue News);

internal sealed record CheckResult(ObjectValue Inputs, ImmutableArray<CheckFailure> Failures);

internal sealed record DiffRequest(string Id, string Urn, ObjectValue OldState, ObjectValue News, ObjectValue OldInputs, ImmutableArray<string> IgnoreChanges);

internal sealed record CreateRequest(string Urn, string Name, ObjectValue Inputs, bool Preview, TimeSpan? Timeout);

internal sealed record CreateResult(string Id, ObjectValue State);

internal sealed record ReadRequest(string Id, string Urn, ObjectValue State, ObjectValue Inputs)
{
    /// <summary>An import: the engine knows nothing of the resource but its id.</summary>
    public bool IsImport => State.Fields.Count == 0 && Inputs.Fields.Count == 0;
}

/// <summary>What Read found; <see cref="Gone"/> when the object no longer exists.</summary>
internal sealed record ReadResult(string Id, ObjectValue State, ObjectValue Inputs)
{
    public static readonly ReadResult Gone = new("", ObjectValue.Empty, ObjectValue.Empty);
    public bool IsGone => Id.Length == 0;
}

internal sealed record UpdateRequest(string Id, string Urn, ObjectValue OldState, ObjectValue News, ObjectValue OldInputs, bool Preview, ImmutableArray<string> IgnoreChanges, TimeSpan? Timeout);

internal sealed record DeleteRequest(string Id, string Urn, ObjectValue State, ObjectValue OldInputs, TimeSpan? Timeout);

/// <summary>How one property changes, in the protocol's terms.</summary>
internal enum DiffKind { Add, AddReplace, Delete, DeleteReplace, Update, UpdateReplace }

internal static class DiffKindExtensions
{
    public static bool IsReplace(this DiffKind k) => k is DiffKind.AddReplace or DiffKind.DeleteReplace or DiffKind.UpdateReplace;

    public static DiffKind AsReplace(this DiffKind k) => k switch
    {
        DiffKind.Add => DiffKind.AddReplace,
        DiffKind.Delete => DiffKind.DeleteReplace,
        DiffKind.Update => DiffKind.UpdateReplace,
        _ => k,
    };

    /// <summary>The symbol `pulumi preview` prints for the change.</summary>
    public static string Symbol(this DiffKind k) => k switch
    {
        DiffKind.Add => "+",
        DiffKind.Delete => "-",
        DiffKind.Update => "~",
        _ => "+-",
    };
}

/// <summary>
/// The answer to Diff: every changed property path with its kind. Top-level keys, replacements
/// and "changed at all" are derived, so the protocol's invariants (every key in diffs has a
/// detailed path and back) hold by construction.
/// </summary>
internal sealed record DiffResult(ImmutableSortedDictionary<string, DiffKind> Detailed, bool DeleteBeforeReplace)
{
    public static DiffResult None => new(ImmutableSortedDictionary.Create<string, DiffKind>(StringComparer.Ordinal), false);

    /// <summary>
    /// Nothing to change on the host, but the desired-state file (persistDir) does not hold the inputs as declared:
    /// the update runs only to rewrite it. No property is named, since no input changes.
    /// </summary>
    public bool RewritesPersistedState { get; init; }

    public bool HasChanges => !Detailed.IsEmpty || RewritesPersistedState;

    public ImmutableArray<string> Diffs => [.. Detailed.Keys.Select(PropertyPath.TopLevel).Distinct().Order(StringComparer.Ordinal)];

    public ImmutableArray<string> Replaces => [.. Detailed.Where(d => d.Value.IsReplace()).Select(d => PropertyPath.TopLevel(d.Key)).Distinct().Order(StringComparer.Ordinal)];

    public bool IsReplace => Detailed.Values.Any(k => k.IsReplace());

    public DiffResult With(string path, DiffKind kind) => this with { Detailed = Detailed.SetItem(path, kind) };
}

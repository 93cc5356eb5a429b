using System.Collections.Immutable;

namespace Kvm.Ovsdb;

/// <summary>One operation of a "transact" request (RFC 7047 section 5.2).</summary>
public abstract record Operation(string Op);

/// <summary>A clause of a "where": <c>[column, function, value]</c>; functions "==", "!=", "includes", "excludes", "&lt;", ...</summary>
public sealed record Condition(string Column, string Function, OvsdbValue Value)
{
    public static Condition Equal(string column, OvsdbValue value) => new(column, "==", value);
    public static Condition Uuid(Guid uuid) => new("_uuid", "==", new UuidAtom(uuid));
}

/// <summary>A change of a column in place: <c>[column, mutator, value]</c>; mutators "+=", "-=", ..., "insert", "delete".</summary>
public sealed record Mutation(string Column, string Mutator, OvsdbValue Value)
{
    public static Mutation Insert(string column, OvsdbValue value) => new(column, "insert", value);
    public static Mutation Delete(string column, OvsdbValue value) => new(column, "delete", value);
}

/// <param name="UuidName">A name later operations of the transaction use for the new row (<see cref="NamedUuidAtom"/>).</param>
public sealed record Insert(string Table, ImmutableDictionary<string, OvsdbValue> Row, string? UuidName = null) : Operation("insert");

/// <param name="Columns">Null: every column.</param>
public sealed record Select(string Table, ImmutableArray<Condition> Where, ImmutableArray<string>? Columns = null) : Operation("select");

public sealed record Update(string Table, ImmutableArray<Condition> Where, ImmutableDictionary<string, OvsdbValue> Row) : Operation("update");

public sealed record Mutate(string Table, ImmutableArray<Condition> Where, ImmutableArray<Mutation> Mutations) : Operation("mutate");

public sealed record Delete(string Table, ImmutableArray<Condition> Where) : Operation("delete");

/// <summary>
/// Succeeds when the rows <paramref name="Where"/> selects have, in <paramref name="Columns"/>, exactly
/// (<paramref name="Until"/> "==") or not (<c>"!="</c>) the values of <paramref name="Rows"/>. With a
/// timeout of 0 it fails at once ("timed out") otherwise, which aborts the transaction: a guard that
/// what was read is still there.
/// </summary>
public sealed record Wait(string Table, ImmutableArray<Condition> Where, ImmutableArray<string> Columns, string Until,
    ImmutableArray<ImmutableDictionary<string, OvsdbValue>> Rows, long? TimeoutMs = 0) : Operation("wait");

/// <summary>A line ovsdb-server writes to its log with the transaction (who changed what).</summary>
public sealed record Comment(string Text) : Operation("comment");

/// <summary>The result of one successful operation: a new row's uuid, selected rows, or a row count.</summary>
public sealed record OperationResult(Guid? Uuid, ImmutableArray<OvsdbRow>? Rows, long? Count)
{
    public static readonly OperationResult Empty = new(null, null, null);
}

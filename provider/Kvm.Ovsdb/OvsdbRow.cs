using System.Collections.Immutable;

namespace Kvm.Ovsdb;

/// <summary>A row as a select returns it: the columns asked for, by name.</summary>
public sealed record OvsdbRow(ImmutableDictionary<string, OvsdbValue> Columns)
{
    public OvsdbValue? this[string column] => Columns.GetValueOrDefault(column);

    /// <summary>The row's own uuid (the "_uuid" column).</summary>
    public Guid Uuid => Columns.GetValueOrDefault("_uuid") is UuidAtom u ? u.Value : Guid.Empty;

    public string? String(string column) => this[column]?.Items is [StringAtom s] ? s.Value : null;

    public long? Integer(string column) => this[column]?.Items is [IntegerAtom i] ? i.Value : null;

    public bool? Boolean(string column) => this[column]?.Items is [BooleanAtom b] ? b.Value : null;

    public IReadOnlyList<long> Integers(string column) => [.. (this[column]?.Items ?? []).OfType<IntegerAtom>().Select(i => i.Value)];

    public IReadOnlyList<Guid> Uuids(string column) => [.. (this[column]?.Items ?? []).OfType<UuidAtom>().Select(u => u.Value)];

    public IReadOnlyDictionary<string, string> Map(string column) =>
        this[column] is OvsdbMap m ? m.AsStrings() : new Dictionary<string, string>(StringComparer.Ordinal);
}

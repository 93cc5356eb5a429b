using System.Collections.Immutable;

namespace Kvm.Ovsdb;

/// <summary>
/// A value of an OVSDB column (RFC 7047 section 5.1): an atom, a set of atoms or a map. A column
/// that holds "zero or one" of something is a set; one atom on the wire is a set of one.
/// </summary>
public abstract record OvsdbValue
{
    /// <summary>The atoms of a set (an atom alone is a set of one); empty for a map.</summary>
    public virtual ImmutableArray<OvsdbAtom> Items => [];

    public static OvsdbValue Of(string s) => new StringAtom(s);
    public static OvsdbValue Of(long i) => new IntegerAtom(i);
    public static OvsdbValue Of(bool b) => new BooleanAtom(b);

    /// <summary>A set: <c>["set",[...]]</c> on the wire.</summary>
    public static OvsdbSet Set(IEnumerable<OvsdbAtom> items) => new([.. items]);

    /// <summary>An optional value ("min":0,"max":1): the atom, or the empty set.</summary>
    public static OvsdbValue Optional(OvsdbAtom? atom) => atom is null ? OvsdbSet.Empty : atom;

    public static OvsdbMap Map(IEnumerable<KeyValuePair<string, string>> pairs) =>
        new([.. pairs.Select(p => new KeyValuePair<OvsdbAtom, OvsdbAtom>(new StringAtom(p.Key), new StringAtom(p.Value)))]);
}

/// <summary>One value of an OVSDB base type: string, integer, real, boolean or uuid.</summary>
public abstract record OvsdbAtom : OvsdbValue
{
    public override ImmutableArray<OvsdbAtom> Items => [this];
}

public sealed record StringAtom(string Value) : OvsdbAtom;

public sealed record IntegerAtom(long Value) : OvsdbAtom;

public sealed record RealAtom(double Value) : OvsdbAtom;

public sealed record BooleanAtom(bool Value) : OvsdbAtom;

/// <summary>A row's uuid: <c>["uuid","..."]</c>.</summary>
public sealed record UuidAtom(Guid Value) : OvsdbAtom;

/// <summary>A row inserted earlier in the same transaction, by its "uuid-name": <c>["named-uuid","..."]</c>.</summary>
public sealed record NamedUuidAtom(string Name) : OvsdbAtom;

/// <summary>A set of atoms: <c>["set",[...]]</c>.</summary>
public sealed record OvsdbSet(ImmutableArray<OvsdbAtom> Values) : OvsdbValue
{
    public static readonly OvsdbSet Empty = new(ImmutableArray<OvsdbAtom>.Empty);

    public override ImmutableArray<OvsdbAtom> Items => Values;
}

/// <summary>A map: <c>["map",[[key,value],...]]</c>.</summary>
public sealed record OvsdbMap(ImmutableArray<KeyValuePair<OvsdbAtom, OvsdbAtom>> Pairs) : OvsdbValue
{
    public static readonly OvsdbMap Empty = new(ImmutableArray<KeyValuePair<OvsdbAtom, OvsdbAtom>>.Empty);

    /// <summary>A string-to-string map (other_config, external_ids, options) as a dictionary.</summary>
    public IReadOnlyDictionary<string, string> AsStrings() =>
        Pairs.Where(p => p.Key is StringAtom && p.Value is StringAtom)
            .ToDictionary(p => ((StringAtom)p.Key).Value, p => ((StringAtom)p.Value).Value, StringComparer.Ordinal);
}

using System.Collections.Immutable;
using System.Globalization;

namespace Kvm.Provider.Values;

/// <summary>
/// A Pulumi property value as the engine sends it, with the protocol's special values decoded:
/// unknowns (computed during preview) and secrets are first-class, so nothing downstream has to
/// know the wire sentinels.
/// </summary>
internal abstract record PropertyValue
{
    public static readonly PropertyValue Null = new NullValue();
    public static readonly PropertyValue Unknown = new UnknownValue();
    public static readonly PropertyValue True = new BoolValue(true);
    public static readonly PropertyValue False = new BoolValue(false);

    public static PropertyValue Of(bool value) => value ? True : False;
    public static PropertyValue Of(double value) => new NumberValue(value);
    public static PropertyValue Of(string value) => new StringValue(value);
    public static PropertyValue Of(IEnumerable<PropertyValue> items) => new ArrayValue([.. items]);
    public static PropertyValue Secret(PropertyValue inner) => inner is SecretValue ? inner : new SecretValue(inner);

    public bool IsNull => this is NullValue;
    public bool IsUnknown => this is UnknownValue || this is SecretValue { Inner: UnknownValue };
    public bool IsSecret => this is SecretValue;

    /// <summary>The value with any secret wrapper removed (secrets compare by their content).</summary>
    public PropertyValue Reveal() => this is SecretValue s ? s.Inner.Reveal() : this;

    /// <summary>True when this value or anything inside it is unknown.</summary>
    public bool ContainsUnknowns => this switch
    {
        UnknownValue => true,
        SecretValue s => s.Inner.ContainsUnknowns,
        ArrayValue a => a.Items.Any(i => i.ContainsUnknowns),
        ObjectValue o => o.Fields.Values.Any(v => v.ContainsUnknowns),
        _ => false,
    };

    /// <summary>True when this value or anything inside it is secret.</summary>
    public bool ContainsSecrets => this switch
    {
        SecretValue => true,
        ArrayValue a => a.Items.Any(i => i.ContainsSecrets),
        ObjectValue o => o.Fields.Values.Any(v => v.ContainsSecrets),
        _ => false,
    };

    /// <summary>Deep equality that ignores secret wrappers; unknowns equal nothing, not even each other.</summary>
    public static bool SameContent(PropertyValue? a, PropertyValue? b)
    {
        a = a?.Reveal() ?? Null;
        b = b?.Reveal() ?? Null;
        return (a, b) switch
        {
            (UnknownValue, _) or (_, UnknownValue) => false,
            (NullValue, NullValue) => true,
            (BoolValue x, BoolValue y) => x.Value == y.Value,
            (NumberValue x, NumberValue y) => x.Value.Equals(y.Value),
            (StringValue x, StringValue y) => x.Value == y.Value,
            (ArrayValue x, ArrayValue y) => x.Items.Length == y.Items.Length
                && x.Items.Zip(y.Items).All(p => SameContent(p.First, p.Second)),
            (ObjectValue x, ObjectValue y) => x.Fields.Count == y.Fields.Count
                && x.Fields.All(f => y.Fields.TryGetValue(f.Key, out var other) && SameContent(f.Value, other)),
            _ => false,
        };
    }

    /// <summary>A short rendering for diagnostics and the demo's diff lines.</summary>
    public abstract string Display();
}

internal sealed record NullValue : PropertyValue
{
    public override string Display() => "null";
}

internal sealed record BoolValue(bool Value) : PropertyValue
{
    public override string Display() => Value ? "true" : "false";
}

internal sealed record NumberValue(double Value) : PropertyValue
{
    public override string Display() => Value.ToString(CultureInfo.InvariantCulture);
}

internal sealed record StringValue(string Value) : PropertyValue
{
    public override string Display() => $"\"{Value}\"";
}

internal sealed record UnknownValue : PropertyValue
{
    public override string Display() => "output<unknown>";
}

internal sealed record SecretValue(PropertyValue Inner) : PropertyValue
{
    public override string Display() => "[secret]";
}

internal sealed record ArrayValue(ImmutableArray<PropertyValue> Items) : PropertyValue
{
    public static readonly ArrayValue Empty = new([]);

    public bool Equals(ArrayValue? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Aggregate(Items.Length, (h, i) => HashCode.Combine(h, i));

    public override string Display() => $"[{string.Join(", ", Items.Select(i => i.Display()))}]";
}

internal sealed record ObjectValue(ImmutableSortedDictionary<string, PropertyValue> Fields) : PropertyValue
{
    public static readonly ObjectValue Empty = new(ImmutableSortedDictionary.Create<string, PropertyValue>(StringComparer.Ordinal));

    public static ObjectValue From(IEnumerable<KeyValuePair<string, PropertyValue>> fields) =>
        new(fields.ToImmutableSortedDictionary(StringComparer.Ordinal));

    public PropertyValue? this[string key] => Fields.TryGetValue(key, out var v) ? v : null;

    public ObjectValue With(string key, PropertyValue value) => new(Fields.SetItem(key, value));

    public ObjectValue Without(string key) => new(Fields.Remove(key));

    public bool Equals(ObjectValue? other) =>
        other is not null && Fields.Count == other.Fields.Count
        && Fields.All(f => other.Fields.TryGetValue(f.Key, out var v) && f.Value.Equals(v));

    public override int GetHashCode() => Fields.Aggregate(Fields.Count, (h, f) => HashCode.Combine(h, f.Key, f.Value));

    public override string Display() => $"{{{string.Join(", ", Fields.Select(f => $"{f.Key}: {f.Value.Display()}"))}}}";
}

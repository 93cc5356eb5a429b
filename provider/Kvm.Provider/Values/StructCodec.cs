using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;

namespace Kvm.Provider.Values;

/// <summary>A value the engine sent that this provider cannot take (an asset, a malformed special value).</summary>
internal sealed class PropertyValueException(string path, string message) : Exception(message)
{
    public string Path { get; } = path;
}

/// <summary>
/// Converts between <see cref="PropertyValue"/> and google.protobuf.Struct, decoding and encoding
/// the protocol's unknown sentinels, secrets, resource references and output values.
/// </summary>
internal static class StructCodec
{
    /// <summary>Deeper than this is refused: real inputs are a handful of levels deep.</summary>
    public const int MaxDepth = 64;

    public static ObjectValue Decode(Struct? s)
    {
        if (s is null) return ObjectValue.Empty;
        return DecodeObject(s, "", 0);
    }

    public static PropertyValue Decode(Value v) => DecodeValue(v, "", 0);

    public static Struct Encode(ObjectValue o)
    {
        var s = new Struct();
        foreach (var (k, v) in o.Fields) s.Fields[k] = Encode(v);
        return s;
    }

    public static Value Encode(PropertyValue v) => v switch
    {
        NullValue => Value.ForNull(),
        BoolValue b => Value.ForBool(b.Value),
        NumberValue n => Value.ForNumber(n.Value),
        StringValue s => Value.ForString(s.Value),
        UnknownValue => Value.ForString(Sentinels.Unknown),
        SecretValue sec => Value.ForStruct(new Struct
        {
            Fields =
            {
                [Sentinels.SpecialKey] = Value.ForString(Sentinels.SecretSig),
                ["value"] = Encode(sec.Inner),
            },
        }),
        ArrayValue a => Value.ForList([.. a.Items.Select(Encode)]),
        ObjectValue o => Value.ForStruct(Encode(o)),
        _ => throw new ArgumentOutOfRangeException(nameof(v), v.GetType().Name, "not a property value"),
    };

    private static PropertyValue DecodeValue(Value v, string path, int depth)
    {
        if (depth > MaxDepth)
            throw new PropertyValueException(path, $"nested more than {MaxDepth} levels deep");
        return v.KindCase switch
        {
            Value.KindOneofCase.None or Value.KindOneofCase.NullValue => PropertyValue.Null,
            Value.KindOneofCase.BoolValue => PropertyValue.Of(v.BoolValue),
            Value.KindOneofCase.NumberValue => PropertyValue.Of(v.NumberValue),
            Value.KindOneofCase.StringValue => Sentinels.IsUnknown(v.StringValue) ? PropertyValue.Unknown : PropertyValue.Of(v.StringValue),
            Value.KindOneofCase.ListValue => new ArrayValue([.. v.ListValue.Values.Select((item, i) => DecodeValue(item, $"{path}[{i}]", depth + 1))]),
            Value.KindOneofCase.StructValue => DecodeSpecialOrObject(v.StructValue, path, depth),
            _ => throw new PropertyValueException(path, $"unsupported value kind {v.KindCase}"),
        };
    }

    private static PropertyValue DecodeSpecialOrObject(Struct s, string path, int depth)
    {
        if (!s.Fields.TryGetValue(Sentinels.SpecialKey, out var sig))
            return DecodeObject(s, path, depth);
        var kind = sig.KindCase == Value.KindOneofCase.StringValue ? sig.StringValue : "";
        switch (kind)
        {
            case Sentinels.SecretSig:
                if (!s.Fields.TryGetValue("value", out var inner))
                    throw new PropertyValueException(path, "a secret without a value");
                return PropertyValue.Secret(DecodeValue(inner, path, depth + 1));
            case Sentinels.OutputValueSig:
                var known = s.Fields.TryGetValue("value", out var ov) ? DecodeValue(ov, path, depth + 1) : PropertyValue.Unknown;
                var secret = s.Fields.TryGetValue("secret", out var sv) && sv.KindCase == Value.KindOneofCase.BoolValue && sv.BoolValue;
                return secret ? PropertyValue.Secret(known) : known;
            case Sentinels.ResourceReferenceSig:
                // Without a resource-typed property in the schema a reference can only stand for its id.
                if (s.Fields.TryGetValue("id", out var id) && id.KindCase == Value.KindOneofCase.StringValue)
                    return id.StringValue.Length == 0 || Sentinels.IsUnknown(id.StringValue) ? PropertyValue.Unknown : PropertyValue.Of(id.StringValue);
                throw new PropertyValueException(path, "a reference to a component resource cannot be used as a value here");
            case Sentinels.AssetSig:
            case Sentinels.ArchiveSig:
                throw new PropertyValueException(path, "assets and archives are not supported by the kvm provider");
            default:
                throw new PropertyValueException(path, "unrecognised special value signature");
        }
    }

    private static ObjectValue DecodeObject(Struct s, string path, int depth)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<string, PropertyValue>(StringComparer.Ordinal);
        foreach (var (k, v) in s.Fields)
            b[k] = DecodeValue(v, PropertyPath.Append(path, k), depth + 1);
        return new ObjectValue(b.ToImmutable());
    }
}

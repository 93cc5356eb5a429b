using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Kvm.Engine;

/// <summary>
/// One resource of a test program, with its inputs as JSON. A string value "${other.prop}" refers to
/// another resource's output (unknown in preview while that resource is still to be created), an
/// object {"$secret": v} is a secret, and "$unknown" is a value only known after apply.
/// </summary>
public sealed record ResourceDecl(string Type, string Name, string InputsJson)
{
    public IReadOnlyList<string> IgnoreChanges { get; init; } = [];

    /// <summary>The explicit provider that manages it (<see cref="Stack.AddProviderAsync"/>), or null for the default one.</summary>
    public string? Provider { get; init; }

    /// <summary>Which resources this one refers to (for the order of creation and deletion).</summary>
    public IEnumerable<string> References => RefPattern.Matches(InputsJson).Select(m => m.Groups[1].Value).Distinct();

    internal static readonly Regex RefPattern = new(@"\$\{([A-Za-z0-9_\-]+)\.([A-Za-z0-9_\.\[\]]+)\}", RegexOptions.Compiled);
}

/// <summary>Short constructors so a test reads like a program.</summary>
public static class Decl
{
    public static ResourceDecl Res(string type, string name, string json) => new(type, name, json);
}

/// <summary>Marshals between the JSON a test writes and the Struct the protocol carries.</summary>
public static class Props
{
    public const string Unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    public const string SpecialKey = "4dabf18193072939515e22adb298388d";
    public const string SecretSig = "1b47061264138c4ac30d75fd1eb44270";

    public static Struct Parse(string json) => JsonParser.Default.Parse<Struct>(json);

    public static string ToJson(Struct? s) => s is null ? "null" : JsonFormatter.Default.Format(s);

    /// <summary>Replaces references, "$secret" wrappers and "$unknown" with protocol values.</summary>
    public static Struct Resolve(Struct inputs, Func<string, string, Value?> lookup)
    {
        var result = new Struct();
        foreach (var (k, v) in inputs.Fields) result.Fields[k] = Resolve(v, lookup);
        return result;
    }

    private static Value Resolve(Value v, Func<string, string, Value?> lookup)
    {
        switch (v.KindCase)
        {
            case Value.KindOneofCase.StringValue:
                if (v.StringValue == "$unknown") return Value.ForString(Unknown);
                var m = ResourceDecl.RefPattern.Match(v.StringValue);
                if (m.Success && m.Length == v.StringValue.Length)
                    return lookup(m.Groups[1].Value, m.Groups[2].Value) ?? Value.ForString(Unknown);
                return v;
            case Value.KindOneofCase.ListValue:
                return Value.ForList([.. v.ListValue.Values.Select(x => Resolve(x, lookup))]);
            case Value.KindOneofCase.StructValue:
                if (v.StructValue.Fields.Count == 1 && v.StructValue.Fields.TryGetValue("$secret", out var inner))
                    return Secret(Resolve(inner, lookup));
                return Value.ForStruct(Resolve(v.StructValue, lookup));
            default:
                return v;
        }
    }

    public static Value Secret(Value inner) => Value.ForStruct(new Struct
    {
        Fields = { [SpecialKey] = Value.ForString(SecretSig), ["value"] = inner },
    });

    public static bool IsSecret(Value? v) => v is { KindCase: Value.KindOneofCase.StructValue } &&
        v.StructValue.Fields.TryGetValue(SpecialKey, out var sig) && sig.StringValue == SecretSig;

    public static bool IsUnknown(Value? v) => v is { KindCase: Value.KindOneofCase.StringValue } && v.StringValue == Unknown;

    /// <summary>The value at a simple path (a.b[0].c), looking through secrets; null when absent.</summary>
    public static Value? Get(Struct? s, string path)
    {
        if (s is null) return null;
        Value current = Value.ForStruct(s);
        foreach (Match part in Regex.Matches(path, @"([^.\[\]]+)|\[(\d+)\]"))
        {
            if (IsSecret(current)) current = current.StructValue.Fields["value"];
            if (part.Groups[1].Success)
            {
                if (current.KindCase != Value.KindOneofCase.StructValue || !current.StructValue.Fields.TryGetValue(part.Groups[1].Value, out var next)) return null;
                current = next;
            }
            else
            {
                var i = int.Parse(part.Groups[2].Value);
                if (current.KindCase != Value.KindOneofCase.ListValue || i >= current.ListValue.Values.Count) return null;
                current = current.ListValue.Values[i];
            }
        }
        if (IsSecret(current)) current = current.StructValue.Fields["value"];
        return current;
    }

    /// <summary>A short rendering of a value for diff lines.</summary>
    public static string Display(Value? v) => v is null ? "(absent)" : IsUnknown(v) ? "output<unknown>" : IsSecret(v) ? "[secret]" : v.KindCase switch
    {
        Value.KindOneofCase.StringValue => $"\"{v.StringValue}\"",
        Value.KindOneofCase.NumberValue => v.NumberValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Value.KindOneofCase.BoolValue => v.BoolValue ? "true" : "false",
        Value.KindOneofCase.NullValue => "null",
        _ => JsonFormatter.Default.Format(v),
    };
}

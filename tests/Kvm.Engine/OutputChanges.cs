using Google.Protobuf.WellKnownTypes;

namespace Kvm.Engine;

/// <summary>One value that differs between two sets of outputs (what a refresh found on the host).</summary>
public sealed record OutputChange(string Path, Value? Before, Value? After)
{
    private const int LongText = 60;

    public string Symbol => Before is null ? "+" : After is null ? "-" : "~";

    public override string ToString() => Symbol switch
    {
        "+" => $"+ {Path}: {Short(After)}",
        "-" => $"- {Path}: {Short(Before)}",
        _ => $"~ {Path}: {Short(Before)} => {Short(After)}",
    };

    /// <summary>Long texts (a whole XML document) are only said to have changed.</summary>
    private static string Short(Value? v) =>
        v is { KindCase: Value.KindOneofCase.StringValue } && (v.StringValue.Length > LongText || v.StringValue.Contains('\n'))
            ? $"({v.StringValue.Length} characters)"
            : Props.Display(v);
}

/// <summary>The leaf-level differences between two Structs, by property path (a.b[0].c).</summary>
public static class OutputChanges
{
    public static IReadOnlyList<OutputChange> Between(Struct? before, Struct? after)
    {
        var changes = new List<OutputChange>();
        if (before is not null && after is not null) Walk("", Value.ForStruct(before), Value.ForStruct(after), changes);
        return changes;
    }

    private static void Walk(string path, Value? before, Value? after, List<OutputChange> into)
    {
        if (before is not null && after is not null)
        {
            if (before.Equals(after)) return;
            if (IsObject(before) && IsObject(after))
            {
                var keys = before.StructValue.Fields.Keys.Union(after.StructValue.Fields.Keys).Order(StringComparer.Ordinal);
                foreach (var key in keys)
                    Walk(path.Length == 0 ? key : $"{path}.{key}", Field(before, key), Field(after, key), into);
                return;
            }
            if (before.KindCase == Value.KindOneofCase.ListValue && after.KindCase == Value.KindOneofCase.ListValue)
            {
                var (a, b) = (before.ListValue.Values, after.ListValue.Values);
                for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
                    Walk($"{path}[{i}]", i < a.Count ? a[i] : null, i < b.Count ? b[i] : null, into);
                return;
            }
        }
        if (before is not null || after is not null) into.Add(new OutputChange(path, before, after));
    }

    private static bool IsObject(Value v) => v.KindCase == Value.KindOneofCase.StructValue && !Props.IsSecret(v);

    private static Value? Field(Value v, string key) => v.StructValue.Fields.TryGetValue(key, out var f) ? f : null;
}

using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Kvm.Provider.Values;

namespace Kvm.Provider.Host;

/// <summary>
/// The host networking a provider declared on one host, as it is kept on that host to be re-applied at boot
/// (`pulumi-resource-kvm restore`): per network namespace ("" = the provider's own), per kind of resource
/// ("bridges", "ovsBridges", "vlanFilters"), the inputs as applied, by id. Ids and namespaces are kept sorted, so the same
/// state always gives the same file.
/// </summary>
internal sealed record DesiredState(ImmutableSortedDictionary<string, NamespaceState> Namespaces)
{
    public const int Version = 1;

    /// <summary>The kinds of entries, in the order `restore` applies them (a VLAN table needs its bridge and port).</summary>
    public const string Bridges = "bridges", OvsBridges = "ovsBridges", VlanFilters = "vlanFilters";

    public static readonly DesiredState Empty = new(ImmutableSortedDictionary.Create<string, NamespaceState>(StringComparer.Ordinal));

    public NamespaceState Namespace(string netns) => Namespaces.GetValueOrDefault(netns) ?? NamespaceState.Empty;

    public DesiredState With(string netns, string kind, string id, ObjectValue inputs) =>
        new(Namespaces.SetItem(netns, Namespace(netns).With(kind, id, inputs)));

    /// <summary>The state without that entry; a namespace left with nothing is dropped.</summary>
    public DesiredState Without(string netns, string kind, string id)
    {
        var ns = Namespace(netns).Without(kind, id);
        return new(ns.IsEmpty ? Namespaces.Remove(netns) : Namespaces.SetItem(netns, ns));
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteString("about", "Host networking declared by the kvm Pulumi provider, re-applied at boot by `pulumi-resource-kvm restore --state FILE`. Written by the provider: do not edit.");
            w.WriteStartObject("namespaces");
            foreach (var (netns, state) in Namespaces)
            {
                w.WriteStartObject(netns);
                foreach (var (kind, entries) in state.Kinds)
                {
                    w.WriteStartObject(kind);
                    foreach (var (id, inputs) in entries)
                    {
                        w.WritePropertyName(id);
                        JsonValues.Write(w, inputs);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <exception cref="FormatException">The text is not a desired-state file this version can read.</exception>
    public static DesiredState Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number)
                throw new FormatException("not a desired-state file (no \"version\")");
            if (v.GetInt32() != Version)
                throw new FormatException($"version {v.GetInt32()} of the desired-state file; this provider reads version {Version}");
            var state = Empty;
            if (!root.TryGetProperty("namespaces", out var namespaces)) return state;
            foreach (var ns in Objects(namespaces, "namespaces"))
            {
                foreach (var kind in Objects(ns.Value, $"namespace \"{ns.Name}\""))
                {
                    foreach (var entry in Objects(kind.Value, $"\"{kind.Name}\" of namespace \"{ns.Name}\""))
                    {
                        if (JsonValues.Read(entry.Value) is not ObjectValue inputs)
                            throw new FormatException($"{kind.Name} \"{entry.Name}\" of namespace \"{ns.Name}\" is not an object");
                        state = state.With(ns.Name, kind.Name, entry.Name, inputs);
                    }
                }
            }
            return state;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"not valid JSON: {e.Message}", e);
        }
    }

    private static IEnumerable<JsonProperty> Objects(JsonElement e, string what) => e.ValueKind == JsonValueKind.Object
        ? e.EnumerateObject()
        : throw new FormatException($"{what} is not an object");
}

/// <summary>What one network namespace holds: kind ("bridges", "vlanFilters") to id to inputs.</summary>
internal sealed record NamespaceState(ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, ObjectValue>> Kinds)
{
    public static readonly NamespaceState Empty = new(ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, ObjectValue>>(StringComparer.Ordinal));

    public bool IsEmpty => Kinds.Values.All(k => k.IsEmpty);

    public ImmutableSortedDictionary<string, ObjectValue> Of(string kind) =>
        Kinds.GetValueOrDefault(kind) ?? ImmutableSortedDictionary.Create<string, ObjectValue>(StringComparer.Ordinal);

    public NamespaceState With(string kind, string id, ObjectValue inputs) => new(Kinds.SetItem(kind, Of(kind).SetItem(id, inputs)));

    public NamespaceState Without(string kind, string id)
    {
        var left = Of(kind).Remove(id);
        return new(left.IsEmpty ? Kinds.Remove(kind) : Kinds.SetItem(kind, left));
    }
}

/// <summary>Property values as plain JSON (a secret is written as its value: the file is the host's own, mode 0600).</summary>
internal static class JsonValues
{
    public static void Write(Utf8JsonWriter w, PropertyValue value)
    {
        switch (value)
        {
            case NullValue: w.WriteNullValue(); break;
            case BoolValue b: w.WriteBooleanValue(b.Value); break;
            case NumberValue n when n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) < 1e15: w.WriteNumberValue((long)n.Value); break;
            case NumberValue n: w.WriteNumberValue(n.Value); break;
            case StringValue s: w.WriteStringValue(s.Value); break;
            case SecretValue s: Write(w, s.Inner); break;
            case ArrayValue a:
                w.WriteStartArray();
                foreach (var item in a.Items) Write(w, item);
                w.WriteEndArray();
                break;
            case ObjectValue o:
                w.WriteStartObject();
                foreach (var (k, v) in o.Fields)
                {
                    w.WritePropertyName(k);
                    Write(w, v);
                }
                w.WriteEndObject();
                break;
            default: throw new InvalidOperationException($"a {value.GetType().Name} cannot be persisted: only applied inputs are");
        }
    }

    public static PropertyValue Read(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => PropertyValue.Null,
        JsonValueKind.True => PropertyValue.True,
        JsonValueKind.False => PropertyValue.False,
        JsonValueKind.Number => PropertyValue.Of(e.GetDouble()),
        JsonValueKind.String => PropertyValue.Of(e.GetString()!),
        JsonValueKind.Array => PropertyValue.Of(e.EnumerateArray().Select(Read)),
        JsonValueKind.Object => ObjectValue.From(e.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Read(p.Value)))),
        _ => throw new FormatException($"unexpected JSON {e.ValueKind}"),
    };
}

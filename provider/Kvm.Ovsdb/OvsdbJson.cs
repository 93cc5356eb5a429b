using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;

namespace Kvm.Ovsdb;

/// <summary>
/// RFC 7047's JSON: values (section 5.1), operations (5.2) and their results, written with
/// <see cref="Utf8JsonWriter"/> and read from <see cref="JsonElement"/>s. No serializer, so no
/// reflection: the NativeAOT build needs nothing kept.
/// </summary>
public static class OvsdbJson
{
    // ---- values ----

    public static void WriteValue(Utf8JsonWriter w, OvsdbValue value)
    {
        switch (value)
        {
            case OvsdbAtom atom:
                WriteAtom(w, atom);
                break;
            case OvsdbSet set:
                w.WriteStartArray();
                w.WriteStringValue("set");
                w.WriteStartArray();
                foreach (var a in set.Values) WriteAtom(w, a);
                w.WriteEndArray();
                w.WriteEndArray();
                break;
            case OvsdbMap map:
                w.WriteStartArray();
                w.WriteStringValue("map");
                w.WriteStartArray();
                foreach (var (k, v) in map.Pairs)
                {
                    w.WriteStartArray();
                    WriteAtom(w, k);
                    WriteAtom(w, v);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"not an OVSDB value: {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteAtom(Utf8JsonWriter w, OvsdbAtom atom)
    {
        switch (atom)
        {
            case StringAtom s: w.WriteStringValue(s.Value); break;
            case IntegerAtom i: w.WriteNumberValue(i.Value); break;
            case RealAtom r: w.WriteNumberValue(r.Value); break;
            case BooleanAtom b: w.WriteBooleanValue(b.Value); break;
            case UuidAtom u:
                w.WriteStartArray();
                w.WriteStringValue("uuid");
                w.WriteStringValue(u.Value.ToString("D"));
                w.WriteEndArray();
                break;
            case NamedUuidAtom n:
                w.WriteStartArray();
                w.WriteStringValue("named-uuid");
                w.WriteStringValue(n.Name);
                w.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"not an OVSDB atom: {atom.GetType().Name}", nameof(atom));
        }
    }

    /// <summary>A column's value as the server sends it. Throws <see cref="FormatException"/> on JSON that is no OVSDB value.</summary>
    public static OvsdbValue ReadValue(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2 && e[0].ValueKind == JsonValueKind.String)
        {
            switch (e[0].GetString())
            {
                case "set":
                    return new OvsdbSet([.. Elements(e[1], "set").Select(ReadAtom)]);
                case "map":
                    return new OvsdbMap([.. Elements(e[1], "map").Select(pair =>
                        pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
                            ? new KeyValuePair<OvsdbAtom, OvsdbAtom>(ReadAtom(pair[0]), ReadAtom(pair[1]))
                            : throw new FormatException($"a map pair must be [key, value], got {Abbreviate(pair)}"))]);
            }
        }
        return ReadAtom(e);
    }

    private static JsonElement.ArrayEnumerator Elements(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : throw new FormatException($"a {what} must hold an array, got {Abbreviate(e)}");

    private static OvsdbAtom ReadAtom(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => new StringAtom(e.GetString()!),
        JsonValueKind.True => new BooleanAtom(true),
        JsonValueKind.False => new BooleanAtom(false),
        JsonValueKind.Number when e.TryGetInt64(out var i) => new IntegerAtom(i),
        JsonValueKind.Number => new RealAtom(e.GetDouble()),
        JsonValueKind.Array when e.GetArrayLength() == 2 && e[0].ValueKind == JsonValueKind.String && e[1].ValueKind == JsonValueKind.String =>
            e[0].GetString() switch
            {
                "uuid" when Guid.TryParseExact(e[1].GetString(), "D", out var g) => new UuidAtom(g),
                "named-uuid" => new NamedUuidAtom(e[1].GetString()!),
                _ => throw new FormatException($"not an OVSDB atom: {Abbreviate(e)}"),
            },
        _ => throw new FormatException($"not an OVSDB atom: {Abbreviate(e)}"),
    };

    // ---- requests ----

    /// <summary>A JSON-RPC request: <c>{"method":...,"params":...,"id":...}</c>.</summary>
    public static byte[] Request(string method, long id, Action<Utf8JsonWriter> writeParams)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("method", method);
            w.WritePropertyName("params");
            writeParams(w);
            w.WriteNumber("id", id);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The params of "transact": <c>[database, operation...]</c>.</summary>
    public static void WriteTransactParams(Utf8JsonWriter w, string database, IEnumerable<Operation> operations)
    {
        w.WriteStartArray();
        w.WriteStringValue(database);
        foreach (var op in operations) WriteOperation(w, op);
        w.WriteEndArray();
    }

    public static void WriteOperation(Utf8JsonWriter w, Operation op)
    {
        w.WriteStartObject();
        w.WriteString("op", op.Op);
        switch (op)
        {
            case Insert i:
                w.WriteString("table", i.Table);
                WriteRow(w, "row", i.Row);
                if (i.UuidName is { } name) w.WriteString("uuid-name", name);
                break;
            case Select s:
                w.WriteString("table", s.Table);
                WriteWhere(w, s.Where);
                if (s.Columns is { } columns) WriteColumns(w, columns);
                break;
            case Update u:
                w.WriteString("table", u.Table);
                WriteWhere(w, u.Where);
                WriteRow(w, "row", u.Row);
                break;
            case Mutate m:
                w.WriteString("table", m.Table);
                WriteWhere(w, m.Where);
                w.WriteStartArray("mutations");
                foreach (var mutation in m.Mutations) WriteTriple(w, mutation.Column, mutation.Mutator, mutation.Value);
                w.WriteEndArray();
                break;
            case Delete d:
                w.WriteString("table", d.Table);
                WriteWhere(w, d.Where);
                break;
            case Wait wait:
                w.WriteString("table", wait.Table);
                WriteWhere(w, wait.Where);
                WriteColumns(w, wait.Columns);
                w.WriteString("until", wait.Until);
                w.WriteStartArray("rows");
                foreach (var row in wait.Rows) WriteRowObject(w, row);
                w.WriteEndArray();
                if (wait.TimeoutMs is { } timeout) w.WriteNumber("timeout", timeout);
                break;
            case Comment c:
                w.WriteString("comment", c.Text);
                break;
            default:
                throw new ArgumentException($"unknown operation {op.Op}", nameof(op));
        }
        w.WriteEndObject();
    }

    private static void WriteWhere(Utf8JsonWriter w, ImmutableArray<Condition> where)
    {
        w.WriteStartArray("where");
        foreach (var c in where) WriteTriple(w, c.Column, c.Function, c.Value);
        w.WriteEndArray();
    }

    /// <summary>A condition or a mutation: both are <c>[column, function-or-mutator, value]</c> on the wire.</summary>
    private static void WriteTriple(Utf8JsonWriter w, string column, string function, OvsdbValue value)
    {
        w.WriteStartArray();
        w.WriteStringValue(column);
        w.WriteStringValue(function);
        WriteValue(w, value);
        w.WriteEndArray();
    }

    private static void WriteColumns(Utf8JsonWriter w, ImmutableArray<string> columns)
    {
        w.WriteStartArray("columns");
        foreach (var c in columns) w.WriteStringValue(c);
        w.WriteEndArray();
    }

    private static void WriteRow(Utf8JsonWriter w, string name, ImmutableDictionary<string, OvsdbValue> row)
    {
        w.WritePropertyName(name);
        WriteRowObject(w, row);
    }

    private static void WriteRowObject(Utf8JsonWriter w, ImmutableDictionary<string, OvsdbValue> row)
    {
        w.WriteStartObject();
        // Sorted, so a transaction's bytes depend on its content only (tests compare them).
        foreach (var (column, value) in row.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            w.WritePropertyName(column);
            WriteValue(w, value);
        }
        w.WriteEndObject();
    }

    // ---- replies ----

    /// <summary>
    /// The results of a "transact" reply. RFC 7047 4.1.3: one element per operation, up to the first that
    /// failed (an error object; ovsdb-server leaves out the rest), and one more element when the commit
    /// itself failed (e.g. "referential integrity violation"). Any error becomes an <see cref="OvsdbException"/>.
    /// </summary>
    public static ImmutableArray<OperationResult> ReadTransactResult(JsonElement result, IReadOnlyList<Operation> operations)
    {
        if (result.ValueKind != JsonValueKind.Array)
            throw new FormatException($"a transact result must be an array, got {Abbreviate(result)}");
        var results = ImmutableArray.CreateBuilder<OperationResult>();
        var index = 0;
        foreach (var item in result.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                var isOperation = index < operations.Count;
                throw new OvsdbException(error.GetString()!, DetailsOf(item), isOperation ? index : null, isOperation ? operations[index].Op : null);
            }
            results.Add(item.ValueKind == JsonValueKind.Object ? ReadOperationResult(item) : OperationResult.Empty);
            index++;
        }
        if (results.Count < operations.Count)
            throw new FormatException($"ovsdb-server answered {results.Count} of {operations.Count} operations without an error");
        return results.ToImmutable();
    }

    private static OperationResult ReadOperationResult(JsonElement item)
    {
        Guid? uuid = item.TryGetProperty("uuid", out var u) && ReadValue(u) is UuidAtom ua ? ua.Value : null;
        ImmutableArray<OvsdbRow>? rows = item.TryGetProperty("rows", out var r) ? [.. Elements(r, "rows").Select(ReadRow)] : null;
        long? count = item.TryGetProperty("count", out var c) && c.TryGetInt64(out var n) ? n : null;
        return new OperationResult(uuid, rows, count);
    }

    public static OvsdbRow ReadRow(JsonElement row)
    {
        if (row.ValueKind != JsonValueKind.Object) throw new FormatException($"a row must be an object, got {Abbreviate(row)}");
        var columns = ImmutableDictionary.CreateBuilder<string, OvsdbValue>(StringComparer.Ordinal);
        foreach (var p in row.EnumerateObject()) columns[p.Name] = ReadValue(p.Value);
        return new OvsdbRow(columns.ToImmutable());
    }

    /// <summary>The error of a JSON-RPC reply whose "error" is not null (a request the server refused as a whole).</summary>
    public static OvsdbException ReadRequestError(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("error", out var tag) && tag.ValueKind == JsonValueKind.String
            ? new OvsdbException(tag.GetString()!, DetailsOf(error), null, null)
            : new OvsdbException(error.ValueKind == JsonValueKind.String ? error.GetString()! : error.GetRawText(), null, null, null);

    private static string? DetailsOf(JsonElement error) =>
        error.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;

    private static string Abbreviate(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "...");
    }
}

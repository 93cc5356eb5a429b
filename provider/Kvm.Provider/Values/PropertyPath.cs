using System.Collections.Immutable;
using System.Text;

namespace Kvm.Provider.Values;

/// <summary>One step of a property path: an object key, an array index, or the wildcard <c>[*]</c>.</summary>
internal readonly record struct PathSegment(string? Key, int Index)
{
    public static PathSegment Field(string key) => new(key, -1);
    public static PathSegment At(int index) => new(null, index);
    public static readonly PathSegment Any = new(null, -2);

    public bool IsKey => Key is not null;
    public bool IsWildcard => Key is null && Index == -2;
}

/// <summary>
/// Pulumi property paths as the engine writes them (<c>ports[0]</c>, <c>vlans[2].pvid</c>,
/// <c>tags["a.b"]</c>, <c>ports[*]</c>): formatting for CheckFailures and detailed diffs, parsing
/// for ignoreChanges.
/// </summary>
internal static class PropertyPath
{
    public static string Append(string path, string key)
    {
        // Pulumi's rule (sdk/go/common/resource/property_path.go, PropertyPath.String): a key of letters, digits
        // and '_' only is written after a dot, any other in brackets and quotes with its '"' escaped: `otherConfig["stp-priority"]`.
        var simple = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(key[0]);
        if (simple) return path.Length == 0 ? key : $"{path}.{key}";
        return $"{path}[\"{key.Replace("\"", "\\\"")}\"]";
    }

    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>The first key of a path: the top-level property it belongs to.</summary>
    public static string TopLevel(string path)
    {
        var segments = Parse(path);
        return segments.Length > 0 && segments[0].IsKey ? segments[0].Key! : path;
    }

    public static ImmutableArray<PathSegment> Parse(string path)
    {
        var result = ImmutableArray.CreateBuilder<PathSegment>();
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.') { i++; continue; }
            if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (i + 1 < path.Length && path[i + 1] == '"')
                {
                    var sb = new StringBuilder();
                    var j = i + 2;
                    for (; j < path.Length && path[j] != '"'; j++)
                    {
                        // Only an escaped quote is an escape (Pulumi's parser): any other backslash is itself.
                        if (path[j] == '\\' && j + 1 < path.Length && path[j + 1] == '"') j++;
                        sb.Append(path[j]);
                    }
                    result.Add(PathSegment.Field(sb.ToString()));
                    close = path.IndexOf(']', j);
                }
                else
                {
                    if (close < 0) throw new FormatException($"unclosed '[' in property path '{path}'");
                    var inner = path[(i + 1)..close];
                    if (inner == "*") result.Add(PathSegment.Any);
                    else if (int.TryParse(inner, out var n) && n >= 0) result.Add(PathSegment.At(n));
                    else throw new FormatException($"bad index '{inner}' in property path '{path}'");
                }
                if (close < 0) throw new FormatException($"unclosed '[' in property path '{path}'");
                i = close + 1;
                continue;
            }
            var end = i;
            while (end < path.Length && path[end] != '.' && path[end] != '[') end++;
            result.Add(PathSegment.Field(path[i..end]));
            i = end;
        }
        return result.ToImmutable();
    }

    /// <summary>The value at a path, or null when the path leads nowhere.</summary>
    public static PropertyValue? Get(PropertyValue root, ReadOnlySpan<PathSegment> path)
    {
        var current = root;
        foreach (var seg in path)
        {
            current = current.Reveal();
            if (seg.IsKey && current is ObjectValue o && o.Fields.TryGetValue(seg.Key!, out var v)) current = v;
            else if (!seg.IsKey && !seg.IsWildcard && current is ArrayValue a && seg.Index < a.Items.Length) current = a.Items[seg.Index];
            else return null;
        }
        return current;
    }

    /// <summary>
    /// Returns <paramref name="root"/> with the value at <paramref name="path"/> replaced by
    /// <paramref name="value"/> (removed when null). Wildcards apply to every element. Secret wrappers
    /// on the way are kept.
    /// </summary>
    public static PropertyValue Set(PropertyValue root, ReadOnlySpan<PathSegment> path, Func<PropertyValue?, PropertyValue?> value)
    {
        if (path.IsEmpty) return value(root) ?? PropertyValue.Null;
        if (root is SecretValue s) return new SecretValue(Set(s.Inner, path, value));
        var seg = path[0];
        var rest = path[1..].ToArray();
        switch (root)
        {
            case ObjectValue o when seg.IsKey:
            {
                var existing = o[seg.Key!];
                var replaced = rest.Length == 0 ? value(existing) : existing is null ? null : Set(existing, rest, value);
                return replaced is null ? o.Without(seg.Key!) : o.With(seg.Key!, replaced);
            }
            case ArrayValue a when seg.IsWildcard:
                return new ArrayValue([.. a.Items.Select(item => rest.Length == 0 ? value(item) ?? PropertyValue.Null : Set(item, rest, value))]);
            case ArrayValue a when !seg.IsKey && seg.Index < a.Items.Length:
            {
                var item = a.Items[seg.Index];
                var replaced = rest.Length == 0 ? value(item) ?? PropertyValue.Null : Set(item, rest, value);
                return new ArrayValue(a.Items.SetItem(seg.Index, replaced));
            }
            default:
                return root;
        }
    }
}

using System.Collections.Immutable;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// The diff of declared inputs against observed state, on typed records. An input the program
/// sets is compared with what the host reports (so drift found by refresh shows); an input the
/// program leaves unset is not compared (the host's defaults are not drift), unless the program
/// used to set it (then it is a deletion). Values the program does not know yet (a preview) are
/// named by path in <c>unknown</c> and always count as updates. Per-item paths for lists,
/// per-field paths for objects, per-key paths for maps; unordered lists match items by value.
/// </summary>
internal static class RecordDiff
{
    /// <summary>The changes from <paramref name="old"/> (outputs) to <paramref name="news"/> (inputs) of records of <typeparamref name="T"/>.</summary>
    public static DiffResult Compare<T>(T? old, T news, T? oldInputs, IReadOnlySet<string>? unknown = null, bool deleteBeforeReplace = false)
        where T : class, IShaped<T> =>
        Compare(ObjectShape.Of<T>(), old, news, oldInputs, unknown, deleteBeforeReplace);

    public static DiffResult Compare(ObjectShape shape, object? old, object news, object? oldInputs, IReadOnlySet<string>? unknown = null, bool deleteBeforeReplace = false)
    {
        var detailed = ImmutableSortedDictionary.CreateBuilder<string, DiffKind>(StringComparer.Ordinal);
        new Walk(unknown ?? ImmutableHashSet<string>.Empty, detailed).Object(shape, old, news, oldInputs, "");
        var result = new DiffResult(detailed.ToImmutable(), false);
        return result with { DeleteBeforeReplace = deleteBeforeReplace && result.IsReplace };
    }

    /// <summary>Two values of one shape hold the same content (deeply; unordered lists in any order).</summary>
    public static bool Same(ValueShape type, object? a, object? b, bool unordered = false)
    {
        if (a is null || b is null) return a is null && b is null;
        switch (type)
        {
            case ArrayShape arr when a is Array x && b is Array y:
                if (x.Length != y.Length) return false;
                if (!unordered)
                {
                    for (var i = 0; i < x.Length; i++)
                        if (!Same(arr.Item, x.GetValue(i), y.GetValue(i))) return false;
                    return true;
                }
                var left = Enumerable.Range(0, y.Length).ToList();
                for (var i = 0; i < x.Length; i++)
                {
                    var match = left.FindIndex(j => Same(arr.Item, x.GetValue(i), y.GetValue(j)));
                    if (match < 0) return false;
                    left.RemoveAt(match);
                }
                return true;
            case MapShape m:
            {
                var x = m.Entries(a).ToList();
                var y = m.Entries(b).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                return x.Count == y.Count && x.All(e => y.TryGetValue(e.Key, out var other) && Same(m.Value, e.Value, other));
            }
            case ObjectTypeShape o:
                return o.Object.Properties.All(p => Same(p.Type, p.Get(a), p.Get(b), p.Unordered || p.Key is not null));
            default:
                return a.Equals(b);
        }
    }

    private sealed class Walk(IReadOnlySet<string> unknown, ImmutableSortedDictionary<string, DiffKind>.Builder into)
    {
        public void Object(ObjectShape shape, object? old, object news, object? oldInputs, string path)
        {
            foreach (var prop in shape.Inputs)
            {
                var p = PropertyPath.Append(path, prop.Name);
                var n = prop.Get(news);
                var o = old is null ? null : prop.Get(old);
                var oi = oldInputs is null ? null : prop.Get(oldInputs);
                var before = into.Count;
                if (n is null && !unknown.Contains(p))
                {
                    if (oi is not null) into[p] = DiffKind.Delete;
                }
                else if (o is null)
                {
                    into[p] = DiffKind.Add;
                }
                else
                {
                    Value(prop, prop.Type, o, n, oi, p);
                }
                if (prop.ReplaceOnChanges && into.Count > before)
                {
                    foreach (var key in into.Keys.Where(k => k == p || k.StartsWith(p + ".", StringComparison.Ordinal) || k.StartsWith(p + "[", StringComparison.Ordinal)).ToList())
                        into[key] = into[key].AsReplace();
                }
            }
        }

        private void Value(PropertyShape prop, ValueShape type, object old, object? news, object? oldInput, string path)
        {
            if (news is null || unknown.Contains(path))
            {
                into[path] = DiffKind.Update;
                return;
            }
            switch (type)
            {
                case ArrayShape a when news is Array na && old is Array oa:
                    if (prop.Key is { } key && a.Item is ObjectTypeShape item) Keyed(prop, item, key, oa, na, oldInput as Array, path);
                    else if (prop.Unordered) Unordered(a, oa, na, path);
                    else Ordered(prop, a, oa, na, oldInput as Array, path);
                    return;
                case MapShape m:
                    Map(m, old, news, path);
                    return;
                case ObjectTypeShape ot:
                    Object(ot.Object, old, news, oldInput, path);
                    return;
                default:
                    if (!Same(type, old, news)) into[path] = DiffKind.Update;
                    return;
            }
        }

        private void Ordered(PropertyShape prop, ArrayShape a, Array old, Array news, Array? oldInputs, string path)
        {
            var common = Math.Min(old.Length, news.Length);
            for (var i = 0; i < common; i++)
            {
                var item = PropertyPath.Index(path, i);
                var o = old.GetValue(i);
                var n = news.GetValue(i);
                var oi = oldInputs is not null && i < oldInputs.Length ? oldInputs.GetValue(i) : null;
                // An item the host holds as nothing, or the program declares as nothing, compares as a value.
                if (unknown.Contains(item)) into[item] = DiffKind.Update;
                else if (o is null || n is null)
                {
                    if (!Same(a.Item, o, n)) into[item] = DiffKind.Update;
                }
                else Value(prop, a.Item, o, n, oi, item);
            }
            for (var i = common; i < news.Length; i++) into[PropertyPath.Index(path, i)] = DiffKind.Add;
            for (var i = common; i < old.Length; i++) into[PropertyPath.Index(path, i)] = DiffKind.Delete;
        }

        /// <summary>Entry by entry, each at its key's path (<c>otherConfig["stp-priority"]</c>), as the engine shows a map's changes.</summary>
        private void Map(MapShape m, object old, object news, string path)
        {
            var olds = m.Entries(old).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            var newKeys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (key, value) in m.Entries(news))
            {
                newKeys.Add(key);
                var entry = PropertyPath.Append(path, key);
                if (!olds.TryGetValue(key, out var before)) into[entry] = DiffKind.Add;
                else if (unknown.Contains(entry) || !Same(m.Value, before, value)) into[entry] = DiffKind.Update;
            }
            // An entry whose value the program does not know yet is not in the bound map, only among the unknown paths.
            var depth = PropertyPath.Parse(path).Length + 1;
            foreach (var u in unknown)
            {
                if (!u.StartsWith(path, StringComparison.Ordinal)) continue;
                var segments = PropertyPath.Parse(u);
                if (segments.Length != depth || !segments[^1].IsKey || PropertyPath.Append(path, segments[^1].Key!) != u) continue;
                newKeys.Add(segments[^1].Key!);
                into[u] = DiffKind.Update;
            }
            foreach (var key in olds.Keys.Where(k => !newKeys.Contains(k)))
                into[PropertyPath.Append(path, key)] = DiffKind.Delete;
        }

        /// <summary>
        /// Items matched by their key field, in any order: a matched item's changes field by field at its new index
        /// (<c>ports[2].tag</c>), a new key added, a key gone deleted at its old index. An item without a known key
        /// (null, or a key the program does not know yet) compares as a new item.
        /// </summary>
        private void Keyed(PropertyShape prop, ObjectTypeShape item, string key, Array old, Array news, Array? oldInputs, string path)
        {
            var keyField = item.Object.Find(key) ?? throw new InvalidOperationException($"{path}: the key {key} is not a field of its items");
            object? KeyOf(object? o) => o is null ? null : keyField.Get(o);
            object? Find(Array? items, object k) => items?.Cast<object?>().FirstOrDefault(o => Equals(KeyOf(o), k));
            var matched = new HashSet<object>();
            for (var i = 0; i < news.Length; i++)
            {
                var itemPath = PropertyPath.Index(path, i);
                var n = news.GetValue(i);
                var k = KeyOf(n);
                if (unknown.Contains(itemPath) || unknown.Contains(PropertyPath.Append(itemPath, key)) || k is null || Find(old, k) is not { } o)
                {
                    into[itemPath] = unknown.Contains(itemPath) ? DiffKind.Update : DiffKind.Add;
                    continue;
                }
                matched.Add(k);
                Value(prop, item, o, n, Find(oldInputs, k), itemPath);
            }
            for (var j = 0; j < old.Length; j++)
            {
                if (KeyOf(old.GetValue(j)) is { } k && matched.Contains(k)) continue;
                var gone = PropertyPath.Index(path, j);
                into[gone] = into.ContainsKey(gone) ? DiffKind.Update : DiffKind.Delete;
            }
        }

        private void Unordered(ArrayShape a, Array old, Array news, string path)
        {
            var unmatchedOld = Enumerable.Range(0, old.Length).ToList();
            for (var i = 0; i < news.Length; i++)
            {
                var item = PropertyPath.Index(path, i);
                var isUnknown = unknown.Contains(item);
                var match = isUnknown ? -1 : unmatchedOld.FindIndex(j => Same(a.Item, old.GetValue(j), news.GetValue(i)));
                if (match >= 0) unmatchedOld.RemoveAt(match);
                else into[item] = isUnknown ? DiffKind.Update : DiffKind.Add;
            }
            // A removed item has no index in the new list; the engine shows it at its old index.
            foreach (var j in unmatchedOld)
            {
                var key = PropertyPath.Index(path, j);
                into[key] = into.ContainsKey(key) ? DiffKind.Update : DiffKind.Delete;
            }
        }
    }
}

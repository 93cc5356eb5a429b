using System.Collections.Immutable;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// The default diff of declared inputs against observed state. An input the program sets is
/// compared with what the host reports (so drift found by refresh shows); an input the program
/// leaves unset is not compared (the host's defaults are not drift), unless the program used to
/// set it (then it is a deletion). Per-item paths for lists, per-field paths for objects.
/// </summary>
public static class DiffEngine
{
    public static DiffResult Compute(ObjectShape inputs, ObjectValue oldState, ObjectValue news, ObjectValue oldInputs,
        IEnumerable<string> ignoreChanges, bool deleteBeforeReplace)
    {
        news = ApplyIgnoreChanges(news, oldInputs, ignoreChanges);
        var detailed = ImmutableSortedDictionary.CreateBuilder<string, DiffKind>(StringComparer.Ordinal);
        CompareObject(inputs, oldState, news, oldInputs, "", detailed);
        var result = new DiffResult(detailed.ToImmutable(), false);
        return result with { DeleteBeforeReplace = deleteBeforeReplace && result.IsReplace };
    }

    /// <summary>Ignored paths take their old input value (or vanish if there was none).</summary>
    public static ObjectValue ApplyIgnoreChanges(ObjectValue news, ObjectValue oldInputs, IEnumerable<string> ignoreChanges)
    {
        foreach (var p in ignoreChanges)
        {
            ImmutableArray<PathSegment> path;
            try { path = PropertyPath.Parse(p); }
            catch (FormatException e) { throw ProviderException.InvalidArgument($"ignoreChanges: {e.Message}"); }
            if (path.IsEmpty) continue;
            var old = PropertyPath.Get(oldInputs, path.AsSpan());
            news = (ObjectValue)PropertyPath.Set(news, path.AsSpan(), _ => old);
        }
        return news;
    }

    private static void CompareObject(ObjectShape shape, ObjectValue? old, ObjectValue news, ObjectValue? oldInputs, string path,
        ImmutableSortedDictionary<string, DiffKind>.Builder into)
    {
        foreach (var prop in shape.Inputs)
        {
            var p = PropertyPath.Append(path, prop.Name);
            var n = Present(news[prop.Name]);
            var o = Present(old?[prop.Name]);
            var oi = Present(oldInputs?[prop.Name]);
            var before = into.Count;
            if (n is null)
            {
                if (oi is not null) into[p] = DiffKind.Delete;
            }
            else if (o is null)
            {
                into[p] = DiffKind.Add;
            }
            else
            {
                CompareValue(prop, prop.Type, o, n, oi, p, into);
            }
            if (prop.ReplaceOnChanges && into.Count > before)
            {
                foreach (var key in into.Keys.Where(k => k == p || k.StartsWith(p + ".", StringComparison.Ordinal) || k.StartsWith(p + "[", StringComparison.Ordinal)).ToList())
                    into[key] = into[key].AsReplace();
            }
        }
    }

    private static void CompareValue(PropertyShape prop, ValueShape type, PropertyValue old, PropertyValue news, PropertyValue? oldInput,
        string path, ImmutableSortedDictionary<string, DiffKind>.Builder into)
    {
        var n = news.Reveal();
        var o = old.Reveal();
        if (n is UnknownValue)
        {
            into[path] = DiffKind.Update;
            return;
        }
        switch (type)
        {
            case ArrayShape a when n is ArrayValue na && o is ArrayValue oa:
                if (prop.Unordered) CompareUnordered(oa, na, path, into);
                else CompareOrdered(prop, a, oa, na, oldInput?.Reveal() as ArrayValue, path, into);
                return;
            case ObjectTypeShape ot when n is ObjectValue no && o is ObjectValue oo:
                CompareObject(ot.Object, oo, no, oldInput?.Reveal() as ObjectValue, path, into);
                return;
            default:
                if (!PropertyValue.SameContent(o, n)) into[path] = DiffKind.Update;
                return;
        }
    }

    private static void CompareOrdered(PropertyShape prop, ArrayShape a, ArrayValue old, ArrayValue news, ArrayValue? oldInputs, string path,
        ImmutableSortedDictionary<string, DiffKind>.Builder into)
    {
        var common = Math.Min(old.Items.Length, news.Items.Length);
        for (var i = 0; i < common; i++)
        {
            var oi = oldInputs is not null && i < oldInputs.Items.Length ? oldInputs.Items[i] : null;
            CompareValue(prop, a.Item, old.Items[i], news.Items[i], oi, PropertyPath.Index(path, i), into);
        }
        for (var i = common; i < news.Items.Length; i++) into[PropertyPath.Index(path, i)] = DiffKind.Add;
        for (var i = common; i < old.Items.Length; i++) into[PropertyPath.Index(path, i)] = DiffKind.Delete;
    }

    private static void CompareUnordered(ArrayValue old, ArrayValue news, string path, ImmutableSortedDictionary<string, DiffKind>.Builder into)
    {
        var unmatchedOld = Enumerable.Range(0, old.Items.Length).ToList();
        for (var i = 0; i < news.Items.Length; i++)
        {
            var match = unmatchedOld.FindIndex(j => PropertyValue.SameContent(old.Items[j], news.Items[i]));
            if (match >= 0) unmatchedOld.RemoveAt(match);
            else into[PropertyPath.Index(path, i)] = news.Items[i].IsUnknown ? DiffKind.Update : DiffKind.Add;
        }
        // A removed item has no index in the new list; the engine shows it at its old index.
        foreach (var j in unmatchedOld)
        {
            var key = PropertyPath.Index(path, j);
            into[key] = into.ContainsKey(key) ? DiffKind.Update : DiffKind.Delete;
        }
    }

    private static PropertyValue? Present(PropertyValue? v) => v is null or NullValue ? null : v;
}

using System.Collections.Immutable;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Values;

/// <summary>
/// A typed record bound from a property map, with what could not be bound (failures) and
/// where the map held unknowns (left at their defaults) or secrets.
/// </summary>
internal sealed record Bound<T>(T Value, ImmutableArray<CheckFailure> Failures, ImmutableHashSet<string> UnknownPaths, ImmutableHashSet<string> SecretPaths)
{
    public bool Ok => Failures.IsEmpty;
    public bool IsUnknown(string path) => UnknownPaths.Contains(path);
    public bool HasUnknowns => !UnknownPaths.IsEmpty;
}

internal enum BindMode
{
    /// <summary>Program inputs: every rule applies and unknown keys are refused.</summary>
    Inputs,
    /// <summary>Stored state or old inputs: taken as they are, extra keys ignored.</summary>
    State,
}

/// <summary>Binds property maps to Args/State records, checking types, ranges and required inputs.</summary>
internal static class PropertyBinder
{
    public const int DefaultMaxStringLength = 4096;
    public const int DefaultMaxItems = 8192;

    public static Bound<T> Bind<T>(ObjectValue value, BindMode mode = BindMode.Inputs) where T : class, IShaped<T>
    {
        var bound = Bind(ObjectShape.Of<T>(), value, mode);
        return new Bound<T>((T)bound.Value, bound.Failures, bound.UnknownPaths, bound.SecretPaths);
    }

    /// <summary>The same for a record known only by its shape.</summary>
    public static Bound<object> Bind(ObjectShape shape, ObjectValue value, BindMode mode = BindMode.Inputs)
    {
        var ctx = new Context(mode);
        var result = ctx.BindObject(shape, value, "");
        return new Bound<object>(result, [.. ctx.Failures], [.. ctx.Unknowns], [.. ctx.Secrets]);
    }

    private sealed class Context(BindMode mode)
    {
        public readonly List<CheckFailure> Failures = [];
        public readonly HashSet<string> Unknowns = [];
        public readonly HashSet<string> Secrets = [];

        // Inside a value that arrived secret, failures never show it: "got a secret value".
        private int secretDepth;

        private void Fail(string path, string reason) => Failures.Add(new CheckFailure(path, reason));

        private string Got(string shown) => secretDepth > 0 ? "a secret value" : shown;

        public object BindObject(ObjectShape shape, ObjectValue value, string path)
        {
            var values = new object?[shape.Properties.Length];
            foreach (var (key, raw) in value.Fields)
            {
                var prop = shape.Find(key);
                var propPath = PropertyPath.Append(path, key);
                if (prop is null || (mode == BindMode.Inputs && !prop.IsInput))
                {
                    if (mode == BindMode.Inputs)
                        Fail(propPath, UnknownPropertyReason(shape, key));
                    continue;
                }
                var bound = BindValue(prop, prop.Type, raw, propPath);
                if (bound is not null) values[prop.Index] = bound;
            }
            if (mode == BindMode.Inputs)
            {
                foreach (var prop in shape.Inputs.Where(p => p.Required))
                {
                    if (value[prop.Name]?.Reveal() is null or NullValue)
                        Fail(PropertyPath.Append(path, prop.Name), "missing required property");
                }
            }
            return shape.Construct(values);
        }

        private object? BindValue(PropertyShape prop, ValueShape type, PropertyValue raw, string path)
        {
            if (raw is SecretValue secret)
            {
                Secrets.Add(path);
                secretDepth++;
                try
                {
                    return BindValue(prop, type, secret.Reveal(), path);
                }
                finally
                {
                    secretDepth--;
                }
            }
            if (raw is UnknownValue)
            {
                Unknowns.Add(path);
                return null;
            }
            if (raw is NullValue) return null;

            switch (type)
            {
                case ScalarShape s:
                    return BindScalar(prop, s, raw, path);
                case ArrayShape a when raw is ArrayValue arr:
                {
                    var max = prop.MaxLength > 0 ? prop.MaxLength : DefaultMaxItems;
                    if (mode == BindMode.Inputs && arr.Items.Length > max)
                    {
                        Fail(path, $"has {arr.Items.Length} items; at most {max} are accepted");
                        return null;
                    }
                    var result = a.NewArray(arr.Items.Length);
                    for (var i = 0; i < arr.Items.Length; i++)
                    {
                        var item = BindValue(prop, a.Item, arr.Items[i], PropertyPath.Index(path, i));
                        if (item is not null) result.SetValue(item, i);
                    }
                    return result;
                }
                case MapShape m when raw is ObjectValue map:
                    return BindMap(prop, m, map, path);
                case ObjectTypeShape o when raw is ObjectValue obj:
                    return BindObject(o.Object, obj, path);
                default:
                    if (mode == BindMode.Inputs) Fail(path, $"expected {type.Describe()}, got {Got(Describe(raw))}");
                    return null;
            }
        }

        /// <summary>
        /// A map's entries, each at its own path (<c>otherConfig["stp-priority"]</c>): an unknown value is left
        /// out and recorded there, a secret one recorded there, a null one refused (a map holds strings, not gaps).
        /// </summary>
        private object? BindMap(PropertyShape prop, MapShape m, ObjectValue map, string path)
        {
            var max = prop.MaxLength > 0 ? prop.MaxLength : DefaultMaxItems;
            if (mode == BindMode.Inputs && map.Fields.Count > max)
            {
                Fail(path, $"has {map.Fields.Count} entries; at most {max} are accepted");
                return null;
            }
            var entries = new List<KeyValuePair<string, object>>(map.Fields.Count);
            foreach (var (key, raw) in map.Fields)
            {
                var entryPath = PropertyPath.Append(path, key);
                if (mode == BindMode.Inputs && key.Length > DefaultMaxStringLength)
                {
                    Fail(path, $"has a key {key.Length} characters long; at most {DefaultMaxStringLength} are accepted");
                    continue;
                }
                if (mode == BindMode.Inputs && FirstUnwritable(key) is { } bad)
                {
                    Fail(path, $"has a key with the control character U+{(int)bad:X4}, which no host name or setting can hold");
                    continue;
                }
                if (raw.Reveal() is NullValue)
                {
                    if (mode == BindMode.Inputs) Fail(entryPath, "is null: give the entry a value, or leave the key out");
                    continue;
                }
                var value = BindValue(prop, m.Value, raw, entryPath);
                if (value is not null) entries.Add(new(key, value));
            }
            return m.NewMap(entries);
        }

        private object? BindScalar(PropertyShape prop, ScalarShape s, PropertyValue raw, string path)
        {
            switch (s.Kind, raw)
            {
                case (ScalarKind.String, StringValue str):
                {
                    // On an array or a map, MaxLength counts its items: each string item has the default limit.
                    var max = prop.MaxLength > 0 && prop.Type is not (ArrayShape or MapShape) ? prop.MaxLength : DefaultMaxStringLength;
                    if (mode == BindMode.Inputs && str.Value.Length > max)
                    {
                        Fail(path, $"is {str.Value.Length} characters long; at most {max} are accepted");
                        return null;
                    }
                    if (mode == BindMode.Inputs && FirstUnwritable(str.Value) is { } bad)
                    {
                        Fail(path, $"contains the control character U+{(int)bad:X4}, which neither libvirt's XML nor the kernel's names can hold");
                        return null;
                    }
                    if (mode == BindMode.Inputs && !prop.OneOf.IsEmpty && !prop.OneOf.Contains(str.Value))
                    {
                        Fail(path, $"must be one of {string.Join(", ", prop.OneOf.Select(v => $"\"{v}\""))}; got {Got($"\"{Truncate(str.Value)}\"")}");
                        return null;
                    }
                    return str.Value;
                }
                case (ScalarKind.Boolean, BoolValue b):
                    return b.Value;
                case (ScalarKind.Integer or ScalarKind.Number, NumberValue n):
                {
                    var v = n.Value;
                    if (!double.IsFinite(v))
                    {
                        Fail(path, $"must be a finite number; got {Got(n.Display())}");
                        return null;
                    }
                    if (s.Kind == ScalarKind.Integer && Math.Floor(v) != v)
                    {
                        Fail(path, $"must be a whole number; got {Got(n.Display())}");
                        return null;
                    }
                    if (mode == BindMode.Inputs && !InRange(prop, v))
                    {
                        Fail(path, $"must be between {Bound(prop.Min)} and {Bound(prop.Max)}; got {Got(n.Display())}");
                        return null;
                    }
                    if (s.ClrType == typeof(int))
                    {
                        if (v is < int.MinValue or > int.MaxValue)
                        {
                            Fail(path, $"is out of range; got {Got(n.Display())}");
                            return null;
                        }
                        return (int)v;
                    }
                    if (s.ClrType == typeof(long))
                    {
                        if (v is < long.MinValue or >= 9.2233720368547758E18)
                        {
                            Fail(path, $"is out of range; got {Got(n.Display())}");
                            return null;
                        }
                        return (long)v;
                    }
                    return v;
                }
                default:
                    Fail(path, $"expected {s.Describe()}, got {Got(Describe(raw))}");
                    return null;
            }
        }

        private static bool InRange(PropertyShape prop, double v) =>
            (double.IsNaN(prop.Min) || v >= prop.Min) && (double.IsNaN(prop.Max) || v <= prop.Max);

        private static string Bound(double b) => double.IsNaN(b) ? "unbounded" : PropertyValue.Of(b).Display();
    }

    internal static string Describe(PropertyValue v) => v switch
    {
        StringValue s => $"a string (\"{Truncate(s.Value)}\")",
        NumberValue n => $"a number ({n.Display()})",
        BoolValue b => $"a boolean ({b.Display()})",
        ArrayValue => "a list",
        ObjectValue => "an object",
        NullValue => "null",
        _ => v.GetType().Name,
    };

    /// <summary>
    /// The first character XML 1.0 cannot hold (C0 controls other than tab, newline and carriage return;
    /// U+FFFE and U+FFFF), or null. libvirt stores everything as XML, and the kernel's names take none either.
    /// </summary>
    private static char? FirstUnwritable(string s)
    {
        foreach (var c in s)
        {
            if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF') return c;
        }
        return null;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private static string UnknownPropertyReason(ObjectShape shape, string key)
    {
        var known = shape.Inputs.Select(p => p.Name).ToList();
        var close = known.Select(n => (n, d: Distance(n.ToLowerInvariant(), key.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(1, x.n.Length / 3)).OrderBy(x => x.d).Select(x => x.n).FirstOrDefault();
        var name = Truncate(key);
        return close is null
            ? $"unknown property \"{name}\"; known: {string.Join(", ", known)}"
            : $"unknown property \"{name}\"; did you mean \"{close}\"?";
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 8) return int.MaxValue;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}

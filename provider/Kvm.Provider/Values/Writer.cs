using System.Collections.Immutable;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Values;

/// <summary>Turns Args/State records back into property maps (nulls are left out).</summary>
internal static class Writer
{
    public static ObjectValue Write(object record, bool inputsOnly = false) =>
        WriteObject(ObjectShape.Of(record), record, inputsOnly);

    private static ObjectValue WriteObject(ObjectShape shape, object record, bool inputsOnly)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<string, PropertyValue>(StringComparer.Ordinal);
        foreach (var p in shape.Properties)
        {
            if (inputsOnly && !p.IsInput) continue;
            var v = p.Get(record);
            if (v is null) continue;
            var written = WriteValue(p.Type, v, inputsOnly);
            b[p.Name] = p.Secret ? PropertyValue.Secret(written) : written;
        }
        return new ObjectValue(b.ToImmutable());
    }

    private static PropertyValue WriteValue(ValueShape type, object v, bool inputsOnly) => (type, v) switch
    {
        (_, string s) => PropertyValue.Of(s),
        (_, bool b) => PropertyValue.Of(b),
        (_, int i) => PropertyValue.Of(i),
        (_, long l) => PropertyValue.Of(l),
        (_, double d) => PropertyValue.Of(d),
        (ArrayShape a, Array arr) => new ArrayValue([.. arr.Cast<object?>().Select(item => item is null ? PropertyValue.Null : WriteValue(a.Item, item, inputsOnly))]),
        (MapShape m, _) => ObjectValue.From(m.Entries(v).Select(e => new KeyValuePair<string, PropertyValue>(e.Key, WriteValue(m.Value, e.Value, inputsOnly)))),
        (ObjectTypeShape o, _) => WriteObject(o.Object, v, inputsOnly),
        _ => throw new InvalidOperationException($"cannot write a {v.GetType().Name} as {type.Describe()}"),
    };
}

using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// The inputs a refresh records: the observed values cut to the shape of the old inputs,
/// recursively through objects, ordered lists of objects and keyed ones. So drift shows against the program,
/// a value only the host holds (an address family, a filled-in MAC) never turns into one the
/// program "removed", and a key the host cannot report (forceDestroy) keeps its old value.
/// Items of unordered lists compare whole, so they are kept whole.
/// </summary>
internal static class RefreshedInputs
{
    public static ObjectValue Project(ObjectShape shape, ObjectValue observed, ObjectValue old)
    {
        var fields = new List<KeyValuePair<string, PropertyValue>>();
        foreach (var (key, oldValue) in old.Fields)
        {
            if (shape.Find(key) is not { IsInput: true } prop) continue;
            fields.Add(new(key, observed[key] is { } value and not NullValue ? ProjectValue(prop, prop.Type, value, oldValue.Reveal()) : oldValue));
        }
        return ObjectValue.From(fields);
    }

    private static PropertyValue ProjectValue(PropertyShape prop, ValueShape type, PropertyValue observed, PropertyValue old) => (type, observed, old) switch
    {
        (ObjectTypeShape o, ObjectValue ov, ObjectValue oo) => Project(o.Object, ov, oo),
        // Items of a keyed list are cut to the old input of the same key, wherever either stands.
        (ArrayShape { Item: ObjectTypeShape item }, ArrayValue oa, ArrayValue olda) when prop.Key is { } key =>
            new ArrayValue([.. oa.Items.Select(v => v is ObjectValue iv && iv[key] is { } k
                && olda.Items.Select(o => o.Reveal()).OfType<ObjectValue>().FirstOrDefault(o => o[key] is { } ok && PropertyValue.SameContent(ok, k)) is { } io
                    ? Project(item.Object, iv, io) : v)]),
        (ArrayShape { Item: ObjectTypeShape item }, ArrayValue oa, ArrayValue olda) when !prop.Unordered =>
            new ArrayValue([.. oa.Items.Select((v, i) => i < olda.Items.Length && v is ObjectValue iv && olda.Items[i].Reveal() is ObjectValue io ? Project(item.Object, iv, io) : v)]),
        _ => observed,
    };
}

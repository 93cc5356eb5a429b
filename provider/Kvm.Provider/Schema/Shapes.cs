using System.Collections.Immutable;

namespace Kvm.Provider.Schema;

internal enum ScalarKind { String, Boolean, Integer, Number }

/// <summary>The schema-level type of one property.</summary>
internal abstract record ValueShape
{
    public abstract string Describe();
}

internal sealed record ScalarShape(ScalarKind Kind, Type ClrType) : ValueShape
{
    public static readonly ScalarShape String = new(ScalarKind.String, typeof(string));
    public static readonly ScalarShape Boolean = new(ScalarKind.Boolean, typeof(bool));
    public static readonly ScalarShape Int32 = new(ScalarKind.Integer, typeof(int));
    public static readonly ScalarShape Int64 = new(ScalarKind.Integer, typeof(long));
    public static readonly ScalarShape Double = new(ScalarKind.Number, typeof(double));

    public override string Describe() => Kind switch
    {
        ScalarKind.String => "a string",
        ScalarKind.Boolean => "a boolean",
        ScalarKind.Integer => "an integer",
        _ => "a number",
    };
}

/// <param name="Item">The shape of each item.</param>
/// <param name="NewArray">Makes the property's array type with a length (generated: no reflection).</param>
internal sealed record ArrayShape(ValueShape Item, Func<int, Array> NewArray) : ValueShape
{
    public override string Describe() => "a list";
}

/// <summary>
/// A map from string keys to values of one shape (the schema's <c>"type": "object"</c> with
/// <c>additionalProperties</c>), held as an <c>ImmutableSortedDictionary</c> with ordinal keys, so
/// it always lists its entries in one order.
/// </summary>
/// <param name="Value">The shape of each value.</param>
/// <param name="NewMap">Makes the property's dictionary type from entries (generated: no reflection).</param>
/// <param name="Entries">The entries of a dictionary of the property's type, in key order.</param>
internal sealed record MapShape(
    ValueShape Value,
    Func<IEnumerable<KeyValuePair<string, object>>, object> NewMap,
    Func<object, IEnumerable<KeyValuePair<string, object>>> Entries) : ValueShape
{
    public override string Describe() => "a map";
}

/// <summary>A property whose value is a [SchemaType] record; its shape is looked up when first needed.</summary>
internal sealed record ObjectTypeShape(Func<ObjectShape> Shape) : ValueShape
{
    public ObjectShape Object => Shape();

    public override string Describe() => "an object";
}

/// <summary>One property of an Args/State record as the schema, binder and diff see it (generated from its attribute).</summary>
/// <param name="Index">Its place in <see cref="ObjectShape.Properties"/>, and in the values <see cref="ObjectShape.Construct"/> takes.</param>
/// <param name="Get">Reads the property from a record of the shape's type.</param>
/// <param name="Netlink">The rtnetlink attribute that carries it, when it is declared with [Netlink].</param>
/// <param name="Key">For a keyed array of objects (<see cref="InputAttribute.Key"/>): the item field that names an item.</param>
internal sealed record PropertyShape(
    string Name,
    string Description,
    ValueShape Type,
    bool IsInput,
    bool Required,
    bool ReplaceOnChanges,
    bool Secret,
    double Min,
    double Max,
    int MaxLength,
    ImmutableArray<string> OneOf,
    object? Default,
    bool Unordered,
    int Index,
    Func<object, object?> Get,
    NetlinkField? Netlink = null,
    string? Key = null);

/// <summary>The rtnetlink attribute that carries a property (its [Netlink] declaration).</summary>
/// <param name="KernelDefaults">Values the kernel picks by itself (see <see cref="NetlinkAttribute.KernelDefaults"/>); empty when none is declared.</param>
internal sealed record NetlinkField(ushort Type, int Size, ImmutableArray<long> KernelDefaults)
{
    public bool IsKernelDefault(long value) => KernelDefaults.Contains(value);
}

/// <summary>A record whose schema shape is generated at build time (Kvm.Provider.Generators).</summary>
internal interface IShaped<TSelf> where TSelf : IShaped<TSelf>
{
    static abstract ObjectShape Shape { get; }
}

/// <summary>A State record deriving from its Args record: the inputs as a state, the outputs unset (generated).</summary>
internal interface IStateOf<TSelf, TInputs> where TSelf : TInputs
{
    static abstract TSelf FromInputs(TInputs inputs);
}

/// <summary>A record that can tell its own shape when held as <c>object</c>.</summary>
internal interface IShapedRecord
{
    ObjectShape GetShape();
}

/// <summary>
/// Metadata of one Args/State/nested record: its [Input]/[Output] properties sorted by name, read
/// from their attributes at build time by the source generator, which also writes the accessors and
/// the constructor. Nothing here uses reflection, so the NativeAOT build keeps no extra metadata.
/// </summary>
internal sealed class ObjectShape
{
    private readonly Dictionary<string, PropertyShape> _byName;
    private readonly Func<object?[], object> _construct;

    public Type ClrType { get; }
    public string? Token { get; }
    public string Description { get; }
    public ImmutableArray<PropertyShape> Properties { get; }

    public ObjectShape(Type clrType, string? token, string description, ImmutableArray<PropertyShape> properties, Func<object?[], object> construct)
    {
        ClrType = clrType;
        Token = token;
        Description = description;
        Properties = properties;
        _construct = construct;
        _byName = Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public IEnumerable<PropertyShape> Inputs => Properties.Where(p => p.IsInput);

    public PropertyShape? Find(string name) => _byName.GetValueOrDefault(name);

    public static ObjectShape Of<T>() where T : IShaped<T> => T.Shape;

    /// <summary>The shape of a record held as <c>object</c>.</summary>
    public static ObjectShape Of(object record) =>
        record is IShapedRecord shaped ? shaped.GetShape() : throw new InvalidOperationException($"{record.GetType().Name} is not a schema record");

    /// <summary>A new record from one value per property (null for unset), in the order of <see cref="Properties"/>.</summary>
    public object Construct(object?[] values) => _construct(values);
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Kvm.Provider.Schema;

public enum ScalarKind { String, Boolean, Integer, Number }

/// <summary>The schema-level type of one property.</summary>
public abstract record ValueShape
{
    public abstract string Describe();
}

public sealed record ScalarShape(ScalarKind Kind, Type ClrType) : ValueShape
{
    public override string Describe() => Kind switch
    {
        ScalarKind.String => "a string",
        ScalarKind.Boolean => "a boolean",
        ScalarKind.Integer => "an integer",
        _ => "a number",
    };
}

public sealed record ArrayShape(ValueShape Item, Type ArrayType) : ValueShape
{
    public override string Describe() => "a list";
}

public sealed record ObjectTypeShape(ObjectShape Object) : ValueShape
{
    public override string Describe() => "an object";
}

/// <summary>One property of an Args/State record as the schema, binder and diff see it.</summary>
public sealed record PropertyShape(
    string Name,
    string Description,
    PropertyInfo Info,
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
    bool Unordered);

/// <summary>
/// Metadata of one Args/State/nested record, read once from its attributes. Records are plain
/// classes with init-only properties and a parameterless constructor.
/// </summary>
public sealed class ObjectShape
{
    private static readonly ConcurrentDictionary<Type, ObjectShape> Cache = new();

    public Type ClrType { get; }
    public string? Token { get; }
    public string Description { get; }
    public ImmutableArray<PropertyShape> Properties { get; }
    private readonly Dictionary<string, PropertyShape> _byName;

    public IEnumerable<PropertyShape> Inputs => Properties.Where(p => p.IsInput);

    public PropertyShape? Find(string name) => _byName.GetValueOrDefault(name);

    public static ObjectShape Of<[DynamicallyAccessedMembers(Members)] T>() => Of(typeof(T));

    internal const DynamicallyAccessedMemberTypes Members =
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Model records live in pulumi-resource-kvm, a TrimmerRootAssembly: all their members are kept.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Model records live in pulumi-resource-kvm, a TrimmerRootAssembly: all their members are kept.")]
    public static ObjectShape Of(Type t) => Cache.GetOrAdd(t, static type => new ObjectShape(type));

    public object CreateInstance() => Create(ClrType);

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Model records live in a TrimmerRootAssembly.")]
    private static object Create(Type t) => Activator.CreateInstance(t)!;

    private ObjectShape([DynamicallyAccessedMembers(Members)] Type type)
    {
        ClrType = type;
        var typeAttr = type.GetCustomAttribute<SchemaTypeAttribute>();
        Token = typeAttr?.Token;
        Description = typeAttr?.Description ?? "";
        var props = ImmutableArray.CreateBuilder<PropertyShape>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<InputAttribute>() is { } input)
            {
                props.Add(new PropertyShape(input.Name, input.Description, p, ShapeOf(p.PropertyType, p.Name), IsInput: true,
                    input.Required, input.ReplaceOnChanges, input.Secret, input.Min, input.Max, input.MaxLength,
                    input.OneOf is null ? [] : [.. input.OneOf], input.Default, input.Unordered));
            }
            else if (p.GetCustomAttribute<OutputAttribute>() is { } output)
            {
                props.Add(new PropertyShape(output.Name, output.Description, p, ShapeOf(p.PropertyType, p.Name), IsInput: false,
                    output.Required, ReplaceOnChanges: false, output.Secret, double.NaN, double.NaN, 0, [], null, Unordered: false));
            }
        }
        // Declaration order is not guaranteed by reflection; the schema and outputs want a stable order.
        Properties = [.. props.OrderBy(p => p.Name, StringComparer.Ordinal)];
        _byName = Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    private static ValueShape ShapeOf(Type t, string member)
    {
        var underlying = Nullable.GetUnderlyingType(t) ?? t;
        if (underlying == typeof(string)) return new ScalarShape(ScalarKind.String, underlying);
        if (underlying == typeof(bool)) return new ScalarShape(ScalarKind.Boolean, underlying);
        if (underlying == typeof(int) || underlying == typeof(long)) return new ScalarShape(ScalarKind.Integer, underlying);
        if (underlying == typeof(double)) return new ScalarShape(ScalarKind.Number, underlying);
        if (underlying.IsArray) return new ArrayShape(ShapeOf(underlying.GetElementType()!, member), underlying);
        if (underlying.IsClass && underlying.GetCustomAttribute<SchemaTypeAttribute>() is not null)
            return new ObjectTypeShape(Of(underlying));
        throw new NotSupportedException($"property {member} has type {t.Name}, which the schema cannot express (use string, bool, int, long, double, arrays or [SchemaType] records)");
    }
}

using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Kvm.Provider.Generators;

/// <summary>One [Input] or [Output] property as the generated shape describes it.</summary>
internal sealed class PropertyModel
{
    private readonly AttributeData _marker;
    private readonly IPropertySymbol _property;
    private readonly string _declaringType;
    private readonly ITypeSymbol _type;

    public string Name { get; }
    public string SchemaName { get; }
    public bool IsInput { get; }

    /// <summary>The property's C# type, fully qualified (the cast in the generated constructor).</summary>
    public string ClrType { get; }

    private PropertyModel(IPropertySymbol property, AttributeData marker)
    {
        _marker = marker;
        _property = property;
        _declaringType = property.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        _type = property.Type;
        Name = property.Name;
        SchemaName = marker.ConstructorArguments[0].Value as string ?? property.Name;
        IsInput = marker.AttributeClass?.ToDisplayString() == ShapeGenerator.InputAttribute;
        ClrType = property.Type.WithNullableAnnotation(NullableAnnotation.Annotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
            SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier));
    }

    /// <summary>The [Input] or [Output] attribute of a property, if it has one.</summary>
    public static AttributeData? Marker(IPropertySymbol p) =>
        p.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() is ShapeGenerator.InputAttribute or ShapeGenerator.OutputAttribute);

    public static PropertyModel? From(IPropertySymbol property, ImmutableArray<Problem>.Builder problems)
    {
        if (Marker(property) is not { } marker) return null;
        var location = property.Locations.FirstOrDefault();
        if (property.SetMethod is null || property.GetMethod is null)
        {
            problems.Add(new Problem(Problem.UnsupportedType, location, $"{property.ContainingType.Name}.{property.Name} needs a get and an init (or set) accessor"));
            return null;
        }
        if (ValueShape(property.Type) is null)
        {
            problems.Add(new Problem(Problem.UnsupportedType, location,
                $"{property.ContainingType.Name}.{property.Name} has type {property.Type.ToDisplayString()}, which the schema cannot express (use string, bool, int, long, double, arrays, ImmutableSortedDictionary<string, scalar> maps or [SchemaType] records)"));
            return null;
        }
        return new PropertyModel(property, marker);
    }

    /// <summary>Whether the property is declared in <paramref name="type"/> or one of its bases.</summary>
    public bool DeclaredIn(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == _declaringType) return true;
        return false;
    }

    /// <summary>A <c>new PropertyShape(...)</c> expression for the property at <paramref name="index"/> of <paramref name="owner"/>'s shape.</summary>
    public string ShapeExpression(string owner, int index)
    {
        const string S = "global::" + ShapeGenerator.Schema;
        var named = _marker.NamedArguments.ToDictionary(a => a.Key, a => a.Value);
        bool Flag(string name) => named.TryGetValue(name, out var v) && v.Value is true;
        double Number(string name) => named.TryGetValue(name, out var v) && v.Value is double d ? d : double.NaN;
        var maxLength = named.TryGetValue("MaxLength", out var ml) && ml.Value is int m ? m : 0;
        var oneOf = named.TryGetValue("OneOf", out var o) && !o.IsNull
            ? $"global::System.Collections.Immutable.ImmutableArray.Create<string>({string.Join(", ", o.Values.Select(v => RecordWriter.Literal(v.Value as string ?? "")))})"
            : "global::System.Collections.Immutable.ImmutableArray<string>.Empty";
        var defaultValue = named.TryGetValue("Default", out var d) && !d.IsNull ? Constant(d) : "null";
        var description = _marker.ConstructorArguments.Length > 1 ? _marker.ConstructorArguments[1].Value as string ?? "" : "";
        return $"new {S}.PropertyShape({RecordWriter.Literal(SchemaName)}, {RecordWriter.Literal(description)}, {ValueShape(_type)}, " +
            $"IsInput: {Bool(IsInput)}, Required: {Bool(Flag("Required"))}, ReplaceOnChanges: {Bool(IsInput && Flag("ReplaceOnChanges"))}, Secret: {Bool(Flag("Secret"))}, " +
            $"Min: {RecordWriter.Literal(IsInput ? Number("Min") : double.NaN)}, Max: {RecordWriter.Literal(IsInput ? Number("Max") : double.NaN)}, MaxLength: {(IsInput ? maxLength : 0)}, " +
            $"OneOf: {(IsInput ? oneOf : "global::System.Collections.Immutable.ImmutableArray<string>.Empty")}, Default: {(IsInput ? defaultValue : "null")}, Unordered: {Bool(IsInput && Flag("Unordered"))}, " +
            $"Index: {index}, Get: static record => (({owner})record).{Name}, Netlink: {Netlink()}, " +
            $"Key: {(IsInput && named.TryGetValue("Key", out var k) && k.Value is string key ? RecordWriter.Literal(key) : "null")})";
    }

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary>A <c>NetlinkField</c> expression from the [Netlink] attribute on the property, or null.</summary>
    private string Netlink()
    {
        var attribute = _property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ShapeGenerator.NetlinkAttribute);
        if (attribute is null || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not ushort type)
            return "null";
        var named = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value);
        var size = named.TryGetValue("Size", out var sz) && sz.Value is int n ? n : 1;
        var defaults = named.TryGetValue("KernelDefaults", out var d) && !d.IsNull
            ? string.Join(", ", d.Values.Select(v => v.Value is long l ? l.ToString(CultureInfo.InvariantCulture) + "L" : "0L"))
            : "";
        return $"new global::{ShapeGenerator.Schema}.NetlinkField((ushort){type.ToString(CultureInfo.InvariantCulture)}, {size.ToString(CultureInfo.InvariantCulture)}, " +
            $"global::System.Collections.Immutable.ImmutableArray.Create<long>({defaults}))";
    }

    private static string Constant(TypedConstant c) => c.Value switch
    {
        bool b => Bool(b),
        int i => $"(object){i.ToString(CultureInfo.InvariantCulture)}",
        double x => $"(object){RecordWriter.Literal(x)}",
        string s => RecordWriter.Literal(s),
        _ => "null",
    };

    /// <summary>The <c>ValueShape</c> expression of a property type, or null when the schema cannot express it.</summary>
    private static string? ValueShape(ITypeSymbol type)
    {
        const string S = "global::" + ShapeGenerator.Schema;
        if (type is INamedTypeSymbol { ConstructedFrom.SpecialType: SpecialType.System_Nullable_T } nullable)
            type = nullable.TypeArguments[0];
        switch (type.SpecialType)
        {
            case SpecialType.System_String: return $"{S}.ScalarShape.String";
            case SpecialType.System_Boolean: return $"{S}.ScalarShape.Boolean";
            case SpecialType.System_Int32: return $"{S}.ScalarShape.Int32";
            case SpecialType.System_Int64: return $"{S}.ScalarShape.Int64";
            case SpecialType.System_Double: return $"{S}.ScalarShape.Double";
        }
        if (type is IArrayTypeSymbol { Rank: 1 } array && ValueShape(array.ElementType) is { } item)
        {
            var element = array.ElementType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes));
            return $"new {S}.ArrayShape({item}, static length => new {element}[length])";
        }
        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } dictionary
            && dictionary.ConstructedFrom.ToDisplayString() == "System.Collections.Immutable.ImmutableSortedDictionary<TKey, TValue>"
            && dictionary.TypeArguments[0].SpecialType == SpecialType.System_String
            && dictionary.TypeArguments[1] is var valueType
            && valueType.SpecialType is SpecialType.System_String or SpecialType.System_Boolean or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Double
            && ValueShape(valueType) is { } value)
        {
            // Maps of scalars: the generated delegates build and read the dictionary, so no reflection is needed.
            var full = dictionary.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes));
            var v = valueType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes));
            return $"new {S}.MapShape({value}, " +
                $"static entries => global::System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(global::System.StringComparer.Ordinal, " +
                $"global::System.Linq.Enumerable.Select(entries, static e => new global::System.Collections.Generic.KeyValuePair<string, {v}>(e.Key, ({v})e.Value))), " +
                $"static map => global::System.Linq.Enumerable.Select(({full})map, static e => new global::System.Collections.Generic.KeyValuePair<string, object>(e.Key, e.Value)))";
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Class } named
            && named.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ShapeGenerator.SchemaTypeAttribute))
            return $"new {S}.ObjectTypeShape(static () => {S}.ObjectShape.Of<{named.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>())";
        return null;
    }
}

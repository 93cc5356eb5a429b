using System.Collections.Immutable;
using System.Text.Json;

namespace Kvm.SdkGen.Schema;

/// <summary>
/// A Pulumi package schema as far as this generator understands it. Anything in the schema that
/// the generator cannot express faithfully (functions, enums, unions, const values, modules other
/// than <c>index</c>, component resources, methods, references into other packages) is rejected by
/// <see cref="SchemaLoader"/> with a <see cref="SchemaException"/>, never silently dropped.
/// </summary>
public sealed record PackageSchema
{
    public required string Name { get; init; }
    public string? DisplayName { get; init; }
    public string? Version { get; init; }
    public string Description { get; init; } = "";
    public ImmutableArray<string> Keywords { get; init; } = [];
    public string License { get; init; } = "";
    public string? Publisher { get; init; }
    public string Homepage { get; init; } = "";
    public string Repository { get; init; } = "";
    public string PluginDownloadUrl { get; init; } = "";
    public required CSharpInfo CSharp { get; init; }
    /// <summary>Provider configuration variables (<c>config.variables</c>), sorted by name.</summary>
    public ImmutableArray<Property> Config { get; init; } = [];
    public required Resource Provider { get; init; }
    /// <summary>Resources sorted by token (ordinal).</summary>
    public ImmutableArray<Resource> Resources { get; init; } = [];
    /// <summary>Object types by token (ordinal).</summary>
    public ImmutableSortedDictionary<string, ObjectTypeDef> Types { get; init; } = ImmutableSortedDictionary<string, ObjectTypeDef>.Empty.WithComparers(StringComparer.Ordinal);
}

/// <summary><c>language.csharp</c> of the schema.</summary>
public sealed record CSharpInfo
{
    public string RootNamespace { get; init; } = "Pulumi";
    /// <summary>Package references of the generated csproj, sorted by package id.</summary>
    public ImmutableArray<KeyValuePair<string, string>> PackageReferences { get; init; } = [];
    public ImmutableDictionary<string, string> Namespaces { get; init; } = ImmutableDictionary<string, string>.Empty;
    public bool RespectSchemaVersion { get; init; }
}

/// <summary>An object type of <c>types</c>; bound once as its plain (output) shape and once as its input shape.</summary>
public sealed class ObjectTypeDef
{
    public required string Token { get; init; }
    public string Description { get; init; } = "";
    /// <summary>Properties in plain (output) shape, sorted by name.</summary>
    public ImmutableArray<Property> Properties { get; internal set; } = [];
    /// <summary>Properties in input shape (values wrapped in <see cref="InputType"/>), sorted by name.</summary>
    public ImmutableArray<Property> InputProperties { get; internal set; } = [];
    public string Name => Naming.TokenToName(Token);
}

public sealed record Resource
{
    public required string Token { get; init; }
    public string Description { get; init; } = "";
    public string DeprecationMessage { get; init; } = "";
    public bool IsProvider { get; init; }
    /// <summary>Output properties (<c>properties</c>), sorted by name.</summary>
    public ImmutableArray<Property> Properties { get; init; } = [];
    /// <summary>Input properties (<c>inputProperties</c>), sorted by name.</summary>
    public ImmutableArray<Property> InputProperties { get; init; } = [];
    /// <summary><c>stateInputs</c>, or null when the schema gives none (then <c>Get</c> takes no state).</summary>
    public StateInputs? StateInputs { get; init; }
    /// <summary>Alias types (<c>aliases[].type</c>).</summary>
    public ImmutableArray<string> AliasTypes { get; init; } = [];
    public string Name => IsProvider ? "Provider" : Naming.TokenToName(Token);
}

public sealed record StateInputs(string Description, ImmutableArray<Property> Properties);

public sealed record Property
{
    /// <summary>The wire name (the schema's property key).</summary>
    public required string Name { get; init; }
    public required SType Type { get; init; }
    public string Description { get; init; } = "";
    /// <summary>The schema's <c>default</c>, as JSON (bool, number or string), if any.</summary>
    public JsonElement? Default { get; init; }
    /// <summary><c>defaultInfo.environment</c>: environment variables consulted for the default.</summary>
    public ImmutableArray<string> DefaultEnvironment { get; init; } = [];
    public bool Secret { get; init; }
    public bool ReplaceOnChanges { get; init; }
    public string DeprecationMessage { get; init; } = "";
    /// <summary><c>language.csharp.name</c>: an explicit C# member name.</summary>
    public string? CSharpName { get; init; }

    public bool IsRequired => Type is not OptionalType;
    public bool HasDefault => Default is not null || !DefaultEnvironment.IsEmpty;
}

/// <summary>A bound schema type, in the same shape Pulumi's schema binder produces.</summary>
public abstract record SType
{
    /// <summary>The type without <see cref="OptionalType"/> and <see cref="InputType"/> wrappers at the top.</summary>
    public SType Unwrap() => this switch
    {
        OptionalType o => o.Element.Unwrap(),
        InputType i => i.Element.Unwrap(),
        _ => this,
    };

    /// <summary>The object types the given types reach (through wrappers, arrays, maps and object properties), in order of first use.</summary>
    public static List<ObjectTypeDef> ReachableObjects(IEnumerable<SType> types)
    {
        var found = new List<ObjectTypeDef>();
        void Visit(SType t)
        {
            switch (t)
            {
                case OptionalType o: Visit(o.Element); break;
                case InputType i: Visit(i.Element); break;
                case ArrayType a: Visit(a.Element); break;
                case MapType m: Visit(m.Element); break;
                case ObjectRef r when !found.Contains(r.Def):
                    found.Add(r.Def);
                    foreach (var p in r.Def.Properties) Visit(p.Type);
                    break;
            }
        }
        foreach (var t in types) Visit(t);
        return found;
    }

    /// <summary>The type with every <see cref="InputType"/> removed (Pulumi's <c>codegen.PlainType</c>).</summary>
    public SType Plain() => this switch
    {
        InputType i => i.Element.Plain(),
        OptionalType o => new OptionalType(o.Element.Plain()),
        ArrayType a => new ArrayType(a.Element.Plain()),
        MapType m => new MapType(m.Element.Plain()),
        _ => this,
    };
}

public sealed record PrimitiveType(PrimitiveKind Kind) : SType;

public enum PrimitiveKind { String, Integer, Number, Boolean, Any }

public sealed record ArrayType(SType Element) : SType;

public sealed record MapType(SType Element) : SType;

/// <summary>A reference to an object type, in its plain or its input shape.</summary>
public sealed record ObjectRef(ObjectTypeDef Def, bool InputShape) : SType
{
    public bool Equals(ObjectRef? other) => other is not null && ReferenceEquals(Def, other.Def) && InputShape == other.InputShape;
    public override int GetHashCode() => HashCode.Combine(Def.Token, InputShape);
}

/// <summary>A value that may be an output of another resource (<c>Input&lt;T&gt;</c>).</summary>
public sealed record InputType(SType Element) : SType;

/// <summary>A property that is not required.</summary>
public sealed record OptionalType(SType Element) : SType;

public sealed class SchemaException(string message) : Exception(message);

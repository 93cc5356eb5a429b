using System.Globalization;
using System.Text;
using System.Text.Json;
using Kvm.SdkGen.Schema;

namespace Kvm.SdkGen;

/// <summary>
/// Writes the C# SDK for a package schema in the shape <c>pulumi package gen-sdk --language dotnet</c>
/// emits (pulumi/pulumi-dotnet, <c>pulumi-language-dotnet/codegen/gen.go</c> and <c>templates.go</c>):
/// one file per resource (class, Args, State), <c>Inputs/</c>, <c>Outputs/</c>, <c>Provider.cs</c>,
/// <c>Config/Config.cs</c>, <c>Utilities.cs</c>, the csproj and the package metadata files.
/// Differences from Pulumi's output are deliberate and listed in <c>sdk/README.md</c>.
/// </summary>
public sealed class CSharpGenerator
{
    public const string Tool = "Kvm.SdkGen";

    private readonly PackageSchema _pkg;
    private readonly string _namespace;
    private readonly string _packageNamespaceName;
    private readonly Dictionary<ObjectTypeDef, TypeUsage> _usage = new(ReferenceEqualityComparer.Instance);

    private sealed class TypeUsage
    {
        public bool Input;
        public bool State;
        public bool Output;
    }

    public CSharpGenerator(PackageSchema pkg)
    {
        _pkg = pkg;
        _packageNamespaceName = NamespaceName(pkg.Name);
        _namespace = pkg.CSharp.RootNamespace + "." + _packageNamespaceName;
        ScanUsage();
    }

    /// <summary>The C# namespace of the SDK (<c>Pulumi.Kvm</c>).</summary>
    public string Namespace => _namespace;

    /// <summary>The assembly and csproj name (<c>Pulumi.Kvm</c>).</summary>
    public string AssemblyName => _namespace;

    private string NamespaceName(string name)
    {
        if (_pkg.CSharp.Namespaces.TryGetValue(name, out var ns)) return ns;
        return string.Join(".", name.Split('/').Select(part => string.Concat(part.Split('-').Select(Naming.Title))));
    }

    /// <summary>Every generated file, by path relative to the SDK directory (forward slashes).</summary>
    public SortedDictionary<string, byte[]> Generate()
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        void Add(string path, string text) => files.Add(path, Encoding.UTF8.GetBytes(text));

        Add("README.md", _pkg.Description.Length > 0 && !_pkg.Description.EndsWith('\n') ? _pkg.Description + "\n" : _pkg.Description);
        Add("Utilities.cs", GenUtilities());
        if (!_pkg.Config.IsEmpty) Add("Config/Config.cs", GenConfig());
        Add("Provider.cs", GenResourceFile(_pkg.Provider));
        foreach (var r in _pkg.Resources) Add(r.Name + ".cs", GenResourceFile(r));
        foreach (var (_, def) in _pkg.Types)
        {
            if (!_usage.TryGetValue(def, out var u)) continue;
            if (u.Input) Add($"Inputs/{def.Name}Args.cs", GenTypeFile(def, input: true, state: false));
            if (u.State) Add($"Inputs/{def.Name}GetArgs.cs", GenTypeFile(def, input: true, state: true));
            if (u.Output) Add($"Outputs/{def.Name}.cs", GenTypeFile(def, input: false, state: false));
        }

        var version = _pkg.Version;
        if (version is not null && _pkg.CSharp.RespectSchemaVersion) Add("version.txt", version);
        else version = null;
        Add(AssemblyName + ".csproj", GenProjectFile(version));
        Add("pulumi-plugin.json", GenPluginJson(version));
        files.Add("logo.png", Logo.Png());
        return files;
    }

    // ---------------------------------------------------------------- type usage

    private void ScanUsage()
    {
        void Visit(IEnumerable<Property> props, Action<TypeUsage> mark)
        {
            var seen = new HashSet<ObjectTypeDef>(ReferenceEqualityComparer.Instance);
            void VisitType(SType t, bool inputShape)
            {
                switch (t)
                {
                    case OptionalType o: VisitType(o.Element, inputShape); break;
                    case InputType i: VisitType(i.Element, inputShape); break;
                    case ArrayType a: VisitType(a.Element, inputShape); break;
                    case MapType m: VisitType(m.Element, inputShape); break;
                    case ObjectRef r:
                        if (!seen.Add(r.Def)) break;
                        if (!_usage.TryGetValue(r.Def, out var u)) _usage[r.Def] = u = new TypeUsage();
                        mark(u);
                        foreach (var p in r.InputShape ? r.Def.InputProperties : r.Def.Properties) VisitType(p.Type, r.InputShape);
                        break;
                }
            }
            foreach (var p in props) VisitType(p.Type, false);
        }
        foreach (var r in _pkg.Resources.Prepend(_pkg.Provider))
        {
            Visit(r.Properties, u => u.Output = true);
            Visit(r.InputProperties, u => u.Input = true);
            if (r.StateInputs is { } s) Visit(s.Properties, u => { u.Input = true; u.State = true; });
        }
    }

    // ---------------------------------------------------------------- types and names

    private static string TypeName(ObjectTypeDef def, bool state, bool args) =>
        state ? def.Name + "GetArgs" : args ? def.Name + "Args" : def.Name;

    /// <summary>Pulumi's <c>typeString</c>.</summary>
    internal static string TypeString(SType t, string qualifier, bool input, bool state, bool requireInitializers)
    {
        switch (t)
        {
            case OptionalType o:
                var elem = TypeString(o.Element, qualifier, input, state, requireInitializers);
                return IgnoreOptional(o, requireInitializers) ? elem : elem + "?";
            case InputType i:
                var inputType = "Input";
                var e = i.Element;
                if (e is ArrayType a) { inputType = "InputList"; e = a.Element.Plain(); }
                else if (e is MapType m) { inputType = "InputMap"; e = m.Element.Plain(); }
                return $"{inputType}<{TypeString(e, qualifier, input, state, requireInitializers)}>";
            case ArrayType arr:
                return $"{(requireInitializers ? "List" : "ImmutableArray")}<{TypeString(arr.Element, qualifier, input, state, false)}>";
            case MapType map:
                return $"{(requireInitializers ? "Dictionary" : "ImmutableDictionary")}<string, {TypeString(map.Element, qualifier, input, state, false)}>";
            case ObjectRef r:
                return (qualifier.Length > 0 ? qualifier + "." : "") + TypeName(r.Def, state, r.InputShape);
            case PrimitiveType p:
                return p.Kind switch
                {
                    PrimitiveKind.Boolean => "bool",
                    PrimitiveKind.Integer => "int",
                    PrimitiveKind.Number => "double",
                    PrimitiveKind.String => "string",
                    _ => "object",
                };
            default:
                throw new InvalidOperationException($"unexpected type {t}");
        }
    }

    private static bool IgnoreOptional(OptionalType t, bool requireInitializers) => t.Element switch
    {
        InputType { Element: ArrayType or MapType } => true,
        ArrayType => !requireInitializers,
        _ => false,
    };

    private static bool IsValueType(SType t) => t switch
    {
        OptionalType o => IsValueType(o.Element),
        PrimitiveType { Kind: PrimitiveKind.Boolean or PrimitiveKind.Integer or PrimitiveKind.Number } => true,
        _ => false,
    };

    private static bool IsInputType(SType t) => (t is OptionalType o ? o.Element : t) is InputType;

    private static SType RequiredType(Property p) => p.Type is OptionalType o ? o.Element : p.Type;

    // ---------------------------------------------------------------- files

    private static void Header(CodeWriter w, IEnumerable<string> usings)
    {
        w.Line($"// *** WARNING: this file was generated by {Tool}. ***");
        w.Line("// *** Do not edit by hand unless you're certain you know what you are doing! ***");
        w.Line();
        var any = false;
        foreach (var u in usings)
        {
            w.Line($"using {u};");
            any = true;
        }
        if (any) w.Line();
    }

    private IEnumerable<string> PulumiImports()
    {
        yield return "System";
        yield return "System.Collections.Generic";
        yield return "System.Collections.Immutable";
        yield return "System.Threading.Tasks";
        yield return "Pulumi.Serialization";
        if (_pkg.CSharp.RootNamespace != "Pulumi") yield return "Pulumi";
    }

    private static void Obsolete(CodeWriter w, string message)
    {
        if (message.Length > 0) w.Line($"[Obsolete(@\"{message.Replace("\"", "\"\"")}\")]");
    }

    private string GenTypeFile(ObjectTypeDef def, bool input, bool state)
    {
        var w = new CodeWriter();
        Header(w, PulumiImports());
        var qualifier = input ? "Inputs" : "Outputs";
        w.Line($"namespace {_namespace}.{qualifier}");
        w.OpenBrace();
        var pt = new PlainType
        {
            Name = TypeName(def, state, input),
            Comment = def.Description,
            Qualifier = qualifier,
            Properties = input ? def.InputProperties : def.Properties,
            Args = input,
            State = state,
        };
        if (input)
        {
            pt.BaseClass = "ResourceArgs";
            GenInputType(w, pt);
        }
        else
        {
            GenOutputType(w, pt);
        }
        w.CloseBrace();
        return w.ToString();
    }

    private sealed class PlainType
    {
        public required string Name;
        public string Comment = "";
        public string BaseClass = "";
        public required string Qualifier;
        public required IReadOnlyList<Property> Properties;
        public Resource? Resource;
        public bool Args;
        public bool State;
    }

    private void GenInputType(CodeWriter w, PlainType pt)
    {
        var names = Naming.MemberNames(pt.Properties, pt.Name, Naming.ArgsMembers);
        w.Line();
        DocComments.Write(w, pt.Comment);
        w.Line($"public sealed class {pt.Name}{(pt.BaseClass.Length > 0 ? " : global::Pulumi." + pt.BaseClass : "")}");
        w.OpenBrace();
        foreach (var p in pt.Properties)
        {
            GenInputProperty(w, pt, p, names[p.Name]);
            w.Line();
        }
        w.Line($"public {pt.Name}()");
        w.OpenBrace();
        foreach (var p in pt.Properties)
        {
            if (!p.HasDefault) continue;
            var value = DefaultValue(p, pt.Name);
            if (p.Default is null)
            {
                // Only environment variables: Pulumi assigns the nullable lookup directly, which does
                // not compile warning-free (string? to Input<string>) or at all (bool? to Input<bool>).
                // Set the property only when a variable is set instead.
                var local = Naming.Identifier(char.ToLowerInvariant(names[p.Name][0]) + names[p.Name][1..]) + "Env";
                var type = TypeString(RequiredType(p), pt.Qualifier, true, pt.State, false);
                w.Line($"{names[p.Name]} = {value} is {{ }} {local} ? {local} : ({type}?)null;");
            }
            else
            {
                w.Line($"{names[p.Name]} = {value};");
            }
        }
        w.CloseBrace();
        w.Line($"public static new {pt.Name} Empty => new {pt.Name}();");
        w.CloseBrace();
    }

    private void GenInputProperty(CodeWriter w, PlainType pt, Property prop, string propertyName)
    {
        var propertyType = TypeString(prop.Type, pt.Qualifier, true, pt.State, false);
        var attributeArgs = prop.IsRequired ? ", required: true" : "";
        if (pt.Resource is { IsProvider: true } && prop.Type.Unwrap() is not PrimitiveType { Kind: PrimitiveKind.String })
            attributeArgs += ", json: true";
        var attribute = $"[Input(\"{prop.Name}\"{attributeArgs})]";

        var unwrapped = prop.Type.Unwrap();
        var collection = unwrapped is ArrayType or MapType;
        if (collection || prop.Secret)
        {
            var field = Naming.FieldName(prop.Name);
            var requireInitializers = !pt.Args || !IsInputType(prop.Type);
            var fieldType = TypeString(RequiredType(prop), pt.Qualifier, true, pt.State, requireInitializers);
            w.Line(attribute);
            w.Line($"private {fieldType}? {field};");
            if (prop.Description.Length > 0)
            {
                w.Line();
                DocComments.Write(w, prop.Description);
            }
            Obsolete(w, prop.DeprecationMessage);
            if (collection)
            {
                w.Line($"public {fieldType} {propertyName}");
                w.OpenBrace();
                w.Line($"get => {field} ?? ({field} = new {fieldType}());");
            }
            else
            {
                w.Line($"public {fieldType}? {propertyName}");
                w.OpenBrace();
                w.Line($"get => {field};");
            }
            if (prop.Secret && IsInputType(prop.Type))
            {
                w.Line("set");
                w.OpenBrace();
                switch (unwrapped)
                {
                    case ArrayType a:
                        w.Line($"var emptySecret = Output.CreateSecret(ImmutableArray.Create<{TypeString(a.Element.Plain(), pt.Qualifier, true, pt.State, false)}>());");
                        w.Line($"{field} = Output.All(value, emptySecret).Apply(v => v[0]);");
                        break;
                    case MapType m:
                        w.Line($"var emptySecret = Output.CreateSecret(ImmutableDictionary.Create<string, {TypeString(m.Element.Plain(), pt.Qualifier, true, pt.State, false)}>());");
                        w.Line($"{field} = Output.All(value, emptySecret).Apply(v => v[0]);");
                        break;
                    default:
                        w.Line("var emptySecret = Output.CreateSecret(0);");
                        w.Line($"{field} = Output.Tuple<{fieldType}?, int>(value, emptySecret).Apply(t => t.Item1);");
                        break;
                }
                w.CloseBrace();
            }
            else
            {
                w.Line($"set => {field} = value;");
            }
            w.CloseBrace();
        }
        else
        {
            var initializer = prop.IsRequired && !IsValueType(prop.Type) ? " = null!;" : "";
            DocComments.Write(w, prop.Description);
            w.Line(attribute);
            w.Line($"public {propertyType} {propertyName} {{ get; set; }}{initializer}");
        }
    }

    private static void GenOutputType(CodeWriter w, PlainType pt)
    {
        var names = Naming.MemberNames(pt.Properties, pt.Name, Naming.ObjectMembers);
        w.Line();
        DocComments.Write(w, pt.Comment);
        w.Line("[OutputType]");
        w.Line($"public sealed class {pt.Name}");
        w.OpenBrace();
        foreach (var p in pt.Properties)
        {
            DocComments.Write(w, p.Description);
            w.Line($"public readonly {TypeString(p.Type, pt.Qualifier, false, false, false)} {names[p.Name]};");
        }
        if (pt.Properties.Count > 0) w.Line();
        w.Line("[OutputConstructor]");
        w.Write($"private {pt.Name}(");
        w.Push();
        for (var i = 0; i < pt.Properties.Count; i++)
        {
            var p = pt.Properties[i];
            var terminator = i != pt.Properties.Count - 1 ? ",\n" : "";
            if (pt.Properties.Count > 1) w.Write("\n");
            w.Write($"{TypeString(p.Type, pt.Qualifier, false, false, false)} {Naming.ParameterName(p.Name)}{terminator}");
        }
        w.Pop();
        w.Write(")\n");
        w.OpenBrace();
        foreach (var p in pt.Properties)
        {
            var param = Naming.ParameterName(p.Name);
            var field = names[p.Name];
            w.Line($"{(field == param ? "this." + field : field)} = {param};");
        }
        w.CloseBrace();
        w.CloseBrace();
    }

    private string DefaultValue(Property p, string owner)
    {
        var type = p.Type.Unwrap();
        var where = $"{owner}.{p.Name}";
        var value = "";
        if (p.Default is { } d)
        {
            value = type switch
            {
                PrimitiveType { Kind: PrimitiveKind.Boolean } when d.ValueKind is JsonValueKind.True or JsonValueKind.False
                    => d.ValueKind == JsonValueKind.True ? "true" : "false",
                PrimitiveType { Kind: PrimitiveKind.Integer } when d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var i)
                    => i.ToString(CultureInfo.InvariantCulture),
                PrimitiveType { Kind: PrimitiveKind.Number } when d.ValueKind == JsonValueKind.Number
                    => FormatDouble(d.GetDouble()),
                PrimitiveType { Kind: PrimitiveKind.String } when d.ValueKind == JsonValueKind.String
                    => CSharpString(d.GetString()!),
                _ => throw new SchemaException($"{where}: the default {d.GetRawText()} does not fit the property's type"),
            };
        }
        if (!p.DefaultEnvironment.IsEmpty)
        {
            var getType = type switch
            {
                PrimitiveType { Kind: PrimitiveKind.Boolean } => "Boolean",
                PrimitiveType { Kind: PrimitiveKind.Integer } => "Int32",
                PrimitiveType { Kind: PrimitiveKind.Number } => "Double",
                _ => "",
            };
            var getEnv = $"Utilities.GetEnv{getType}({string.Join(", ", p.DefaultEnvironment.Select(CSharpString))})";
            value = value.Length > 0 ? $"{getEnv} ?? {value}" : getEnv;
        }
        return value;
    }

    internal static string FormatDouble(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('E') ? d.ToString("F0", CultureInfo.InvariantCulture) : s;
    }

    /// <summary>A C# string literal for <paramref name="s"/>.</summary>
    internal static string CSharpString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    // ---------------------------------------------------------------- resources

    private string GenResourceFile(Resource r)
    {
        var w = new CodeWriter();
        Header(w, PulumiImports());
        GenResource(w, r);
        return w.ToString();
    }

    private void GenResource(CodeWriter w, Resource r)
    {
        var className = r.Name;
        var names = Naming.MemberNames(r.Properties, className, Naming.ResourceMembers);
        w.Line($"namespace {_namespace}");
        w.OpenBrace();
        DocComments.Write(w, r.Description);
        var baseType = r.IsProvider ? "global::Pulumi.ProviderResource" : "global::Pulumi.CustomResource";
        const string optionsType = "CustomResourceOptions";
        Obsolete(w, r.DeprecationMessage);
        w.Line($"[{_packageNamespaceName}ResourceType(\"{r.Token}\")]");
        w.Line($"public partial class {className} : {baseType}");
        w.OpenBrace();

        var secretProps = new List<string>();
        foreach (var prop in r.Properties)
        {
            var propertyType = TypeString(prop.Type, "Outputs", false, false, false);
            // Provider inputs come back from the engine as strings.
            if (r.IsProvider && prop.Type.Unwrap() is not PrimitiveType)
                propertyType = prop.IsRequired ? "string" : "string?";
            if (prop.Secret) secretProps.Add(prop.Name);
            DocComments.Write(w, prop.Description);
            w.Line($"[Output(\"{prop.Name}\")]");
            w.Line($"public Output<{propertyType}> {names[prop.Name]} {{ get; private set; }} = null!;");
            w.Line();
        }
        if (r.Properties.Length > 0) w.Line();

        var argsClassName = className + "Args";
        var argsType = argsClassName;
        var argsDefault = "";
        if (r.InputProperties.All(p => !p.IsRequired))
        {
            argsDefault = " = null";
            argsType += "?";
        }
        var token = r.IsProvider ? _pkg.Name : r.Token;

        w.Line("/// <summary>");
        w.Line($"/// Create a {className} resource with the given unique name, arguments, and options.");
        w.Line("/// </summary>");
        w.Line("///");
        w.Line("/// <param name=\"name\">The unique name of the resource</param>");
        w.Line("/// <param name=\"args\">The arguments used to populate this resource's properties</param>");
        w.Line("/// <param name=\"options\">A bag of options that control this resource's behavior</param>");
        w.Line($"public {className}(string name, {argsType} args{argsDefault}, {optionsType}? options = null)");
        w.Line($"    : base(\"{token}\", name, args ?? new {argsClassName}(), MakeResourceOptions(options, \"\"))");
        w.OpenBrace();
        w.CloseBrace();

        if (!r.IsProvider)
        {
            var (stateParam, stateRef) = r.StateInputs is not null ? ($"{className}State? state = null, ", "state") : ("", "null");
            w.Line();
            w.Line($"private {className}(string name, Input<string> id, {stateParam}{optionsType}? options = null)");
            w.Line($"    : base(\"{token}\", name, {stateRef}, MakeResourceOptions(options, id))");
            w.OpenBrace();
            w.CloseBrace();
        }

        w.Line();
        w.Line($"private static {optionsType} MakeResourceOptions({optionsType}? options, Input<string>? id)");
        w.OpenBrace();
        w.Line($"var defaultOptions = new {optionsType}");
        w.OpenBrace();
        w.Line("Version = Utilities.Version,");
        if (_pkg.PluginDownloadUrl.Length > 0) w.Line($"PluginDownloadURL = {CSharpString(_pkg.PluginDownloadUrl)},");
        if (!r.AliasTypes.IsEmpty)
        {
            w.Line("Aliases =");
            w.OpenBrace();
            foreach (var a in r.AliasTypes) w.Line($"new global::Pulumi.Alias {{ Type = {CSharpString(a)} }},");
            w.CloseBrace(",");
        }
        if (secretProps.Count > 0)
        {
            w.Line("AdditionalSecretOutputs =");
            w.OpenBrace();
            foreach (var s in secretProps) w.Line($"{CSharpString(s)},");
            w.CloseBrace(",");
        }
        var replaceOnChanges = ReplaceOnChangesPaths(r);
        if (replaceOnChanges.Count > 0)
        {
            w.Line("ReplaceOnChanges =");
            w.OpenBrace();
            foreach (var s in replaceOnChanges) w.Line($"{CSharpString(s)},");
            w.CloseBrace(",");
        }
        w.CloseBrace(";");
        w.Line($"var merged = {optionsType}.Merge(defaultOptions, options);");
        w.Line("// Override the ID if one was specified for consistency with other language SDKs.");
        w.Line("merged.Id = id ?? merged.Id;");
        w.Line("return merged;");
        w.CloseBrace();

        if (!r.IsProvider)
        {
            w.Line("/// <summary>");
            w.Line($"/// Get an existing {className} resource's state with the given name, ID, and optional extra");
            w.Line("/// properties used to qualify the lookup.");
            w.Line("/// </summary>");
            w.Line("///");
            w.Line("/// <param name=\"name\">The unique name of the resulting resource.</param>");
            w.Line("/// <param name=\"id\">The unique provider ID of the resource to lookup.</param>");
            var (stateParam, stateRef) = ("", "");
            if (r.StateInputs is not null)
            {
                (stateParam, stateRef) = ($"{className}State? state = null, ", "state, ");
                w.Line("/// <param name=\"state\">Any extra arguments used during the lookup.</param>");
            }
            w.Line("/// <param name=\"options\">A bag of options that control this resource's behavior</param>");
            w.Line($"public static {className} Get(string name, Input<string> id, {stateParam}{optionsType}? options = null)");
            w.OpenBrace();
            w.Line($"return new {className}(name, id, {stateRef}options);");
            w.CloseBrace();
        }
        w.CloseBrace();

        GenInputType(w, new PlainType
        {
            Name = argsClassName,
            BaseClass = "ResourceArgs",
            Qualifier = "Inputs",
            Properties = r.InputProperties,
            Resource = r,
            Args = true,
        });
        if (r.StateInputs is { } state)
        {
            GenInputType(w, new PlainType
            {
                Name = className + "State",
                BaseClass = "ResourceArgs",
                Qualifier = "Inputs",
                Properties = state.Properties,
                Resource = r,
                Args = true,
                State = true,
            });
        }
        w.CloseBrace();
    }

    /// <summary>
    /// Pulumi's <c>Resource.ReplaceOnChanges</c>: the paths of output properties marked
    /// <c>replaceOnChanges</c>, looking into object types (<c>a.b</c>) and through arrays and maps (<c>a[*].b</c>).
    /// </summary>
    internal static List<string> ReplaceOnChangesPaths(Resource r)
    {
        var result = new List<string>();
        foreach (var p in r.Properties)
        {
            if (p.ReplaceOnChanges)
            {
                result.Add(p.Name);
                continue;
            }
            var stack = new HashSet<ObjectTypeDef>(ReferenceEqualityComparer.Instance);
            foreach (var path in ChildPaths(p.Type, stack)) result.Add(Join(p, path));
        }
        return result;

        static string Join(Property p, string rest) => p.Name + (IsCollection(p.Type) ? "[*]" : "") + "." + rest;
        static bool IsCollection(SType t) => t.Unwrap() is ArrayType or MapType;

        static IEnumerable<string> ChildPaths(SType t, HashSet<ObjectTypeDef> stack)
        {
            switch (t)
            {
                case OptionalType o: return ChildPaths(o.Element, stack);
                case InputType i: return ChildPaths(i.Element, stack);
                case ArrayType a: return ChildPaths(a.Element, stack);
                case MapType m: return ChildPaths(m.Element, stack);
                case ObjectRef r:
                    var list = new List<string>();
                    foreach (var p in r.Def.Properties)
                    {
                        if (p.ReplaceOnChanges)
                        {
                            list.Add(p.Name);
                        }
                        else if (p.Type.Unwrap() is ObjectRef or ArrayType or MapType && stack.Add(r.Def))
                        {
                            foreach (var path in ChildPaths(p.Type, stack)) list.Add(Join(p, path));
                            stack.Remove(r.Def);
                        }
                    }
                    return list;
                default:
                    return [];
            }
        }
    }

    // ---------------------------------------------------------------- config

    private (string Type, string Getter) ConfigProperty(SType t)
    {
        t = t.Unwrap();
        var propertyType = TypeString(t, "Types", false, false, false);
        var nullable = "?";
        string getter;
        switch (t)
        {
            case PrimitiveType { Kind: PrimitiveKind.String }: getter = "Get"; break;
            case PrimitiveType { Kind: PrimitiveKind.Boolean }: getter = "GetBoolean"; break;
            case PrimitiveType { Kind: PrimitiveKind.Integer }: getter = "GetInt32"; break;
            case PrimitiveType { Kind: PrimitiveKind.Number }: getter = "GetDouble"; break;
            default:
                getter = $"GetObject<{propertyType}>";
                if (t is ArrayType) nullable = "";
                break;
        }
        return (propertyType + nullable, getter);
    }

    private string GenConfig()
    {
        var w = new CodeWriter();
        Header(w, ["System", "System.Collections.Immutable"]);
        w.Line($"namespace {_namespace}");
        w.OpenBrace();
        w.Line("public static class Config");
        w.OpenBrace();
        w.Write("[global::System.Diagnostics.CodeAnalysis.SuppressMessage(\"Microsoft.Design\", \"IDE1006\", Justification = \n");
        w.Write("\"Double underscore prefix used to avoid conflicts with variable names.\")]\n");
        w.Line("private sealed class __Value<T>");
        w.OpenBrace();
        w.Line("private readonly Func<T> _getter;");
        w.Line("private T _value = default!;");
        w.Line("private bool _set;");
        w.Line();
        w.Line("public __Value(Func<T> getter)");
        w.OpenBrace();
        w.Line("_getter = getter;");
        w.CloseBrace();
        w.Line();
        w.Line("public T Get() => _set ? _value : _getter();");
        w.Line();
        w.Line("public void Set(T value)");
        w.OpenBrace();
        w.Line("_value = value;");
        w.Line("_set = true;");
        w.CloseBrace();
        w.CloseBrace();
        w.Line();
        w.Line($"private static readonly global::Pulumi.Config __config = new global::Pulumi.Config({CSharpString(_pkg.Name)});");
        w.Line();

        var usedTypes = SType.ReachableObjects(_pkg.Config.Select(p => p.Type));
        var names = Naming.MemberNames(_pkg.Config, "Config", [.. Naming.ObjectMembers, "Types"]);
        foreach (var p in _pkg.Config)
        {
            var (propertyType, getter) = ConfigProperty(p.Type);
            var initializer = $"__config.{getter}({CSharpString(p.Name)})";
            if (p.HasDefault) initializer += " ?? " + DefaultValue(p, "config");
            var field = Naming.FieldName(p.Name);
            w.Line($"private static readonly __Value<{propertyType}> {field} = new __Value<{propertyType}>(() => {initializer});");
            DocComments.Write(w, p.Description);
            w.Line($"public static {propertyType} {names[p.Name]}");
            w.OpenBrace();
            w.Line($"get => {field}.Get();");
            w.Line($"set => {field}.Set(value);");
            w.CloseBrace();
            w.Line();
        }
        if (usedTypes.Count > 0)
        {
            w.Line("public static class Types");
            w.OpenBrace();
            foreach (var def in usedTypes)
            {
                w.Line();
                var typeNames = Naming.MemberNames(def.Properties, def.Name, Naming.ObjectMembers);
                w.Line($"public class {def.Name}");
                w.OpenBrace();
                foreach (var prop in def.Properties)
                {
                    var typ = TypeString(prop.Type, "Types", false, false, false);
                    var init = !prop.IsRequired && !IsValueType(prop.Type) && prop.Type.Unwrap() is not ArrayType ? " = null!;" : "";
                    DocComments.Write(w, prop.Description);
                    w.Line($"public {typ} {typeNames[prop.Name]} {{ get; set; }}{init}");
                }
                w.CloseBrace();
            }
            w.CloseBrace();
        }
        w.CloseBrace();
        w.CloseBrace();
        return w.ToString();
    }

    // ---------------------------------------------------------------- utilities and metadata

    private string GenUtilities()
    {
        var ns = _namespace;
        var downloadLine = _pkg.PluginDownloadUrl.Length > 0
            ? $"\n            dst.PluginDownloadURL = src?.PluginDownloadURL ?? {CSharpString(_pkg.PluginDownloadUrl)};"
            : "";
        return $$"""
            // *** WARNING: this file was generated by {{Tool}}. ***
            // *** Do not edit by hand unless you're certain you know what you are doing! ***

            namespace {{ns}}
            {
                static class Utilities
                {
                    public static string? GetEnv(params string[] names)
                    {
                        foreach (var n in names)
                        {
                            var value = global::System.Environment.GetEnvironmentVariable(n);
                            if (value != null)
                            {
                                return value;
                            }
                        }
                        return null;
                    }

                    static string[] trueValues = { "1", "t", "T", "true", "TRUE", "True" };
                    static string[] falseValues = { "0", "f", "F", "false", "FALSE", "False" };
                    public static bool? GetEnvBoolean(params string[] names)
                    {
                        var s = GetEnv(names);
                        if (s != null)
                        {
                            if (global::System.Array.IndexOf(trueValues, s) != -1)
                            {
                                return true;
                            }
                            if (global::System.Array.IndexOf(falseValues, s) != -1)
                            {
                                return false;
                            }
                        }
                        return null;
                    }

                    public static int? GetEnvInt32(params string[] names) => int.TryParse(GetEnv(names), out int v) ? (int?)v : null;

                    public static double? GetEnvDouble(params string[] names) => double.TryParse(GetEnv(names), out double v) ? (double?)v : null;

                    [global::System.Obsolete("Please use WithDefaults instead")]
                    public static global::Pulumi.InvokeOptions WithVersion(this global::Pulumi.InvokeOptions? options)
                    {
                        var dst = options ?? new global::Pulumi.InvokeOptions{};
                        dst.Version = options?.Version ?? Version;
                        return dst;
                    }

                    public static global::Pulumi.InvokeOptions WithDefaults(this global::Pulumi.InvokeOptions? src)
                    {
                        var dst = src ?? new global::Pulumi.InvokeOptions{};
                        dst.Version = src?.Version ?? Version;{{downloadLine}}
                        return dst;
                    }

                    public static global::Pulumi.InvokeOutputOptions WithDefaults(this global::Pulumi.InvokeOutputOptions? src)
                    {
                        var dst = src ?? new global::Pulumi.InvokeOutputOptions{};
                        dst.Version = src?.Version ?? Version;{{downloadLine}}
                        return dst;
                    }

                    private readonly static string version;
                    public static string Version => version;

                    static Utilities()
                    {
                        var assembly = global::System.Reflection.IntrospectionExtensions.GetTypeInfo(typeof(Utilities)).Assembly;
                        using var stream = assembly.GetManifestResourceStream("{{ns}}.version.txt");
                        using var reader = new global::System.IO.StreamReader(stream ?? throw new global::System.NotSupportedException("Missing embedded version.txt file"));
                        version = reader.ReadToEnd().Trim();
                        var parts = version.Split("\n");
                        if (parts.Length == 2)
                        {
                            // The first part is the provider name.
                            version = parts[1].Trim();
                        }
                    }
                }

                internal sealed class {{_packageNamespaceName}}ResourceTypeAttribute : global::Pulumi.ResourceTypeAttribute
                {
                    public {{_packageNamespaceName}}ResourceTypeAttribute(string type) : base(type, Utilities.Version)
                    {
                    }
                }
            }

            """;
    }

    private string GenProjectFile(string? version)
    {
        static string X(string s) => System.Security.SecurityElement.Escape(s);
        var publisher = _pkg.Publisher is { Length: > 0 } p ? p : "Pulumi Corp.";
        var refs = new List<KeyValuePair<string, string>>(_pkg.CSharp.PackageReferences);
        if (!refs.Any(r => r.Key == "Pulumi")) refs.Add(new("Pulumi", "[3.76.1.0,4)"));
        refs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var sb = new StringBuilder();
        sb.Append($"""
            <Project Sdk="Microsoft.NET.Sdk">

              <PropertyGroup>
                <GeneratePackageOnBuild>true</GeneratePackageOnBuild>
                <Authors>{X(publisher)}</Authors>
                <Company>{X(publisher)}</Company>
                <Description>{X(_pkg.Description)}</Description>
                <PackageLicenseExpression>{X(_pkg.License)}</PackageLicenseExpression>
                <PackageProjectUrl>{X(_pkg.Homepage)}</PackageProjectUrl>
                <RepositoryUrl>{X(_pkg.Repository)}</RepositoryUrl>
                <PackageIcon>logo.png</PackageIcon>

            """);
        if (version is not null) sb.Append($"    <Version>{X(version)}</Version>\n");
        sb.Append("""

                <TargetFramework>net6.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>

              <PropertyGroup>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <NoWarn>1701;1702;1591</NoWarn>
                <PackageReadmeFile>README.md</PackageReadmeFile>
              </PropertyGroup>

              <PropertyGroup>
                <AllowedOutputExtensionsInPackageBuildOutputFolder>$(AllowedOutputExtensionsInPackageBuildOutputFolder);.pdb</AllowedOutputExtensionsInPackageBuildOutputFolder>
                <EmbedUntrackedSources>true</EmbedUntrackedSources>
                <PublishRepositoryUrl>true</PublishRepositoryUrl>
              </PropertyGroup>

              <PropertyGroup Condition="'$(GITHUB_ACTIONS)' == 'true'">
                <ContinuousIntegrationBuild>true</ContinuousIntegrationBuild>
              </PropertyGroup>

              <ItemGroup>
                <PackageReference Include="Microsoft.SourceLink.GitHub" Version="1.0.0" PrivateAssets="All" />
              </ItemGroup>

              <ItemGroup>
                <EmbeddedResource Include="version.txt" />
                <None Include="version.txt" Pack="True" PackagePath="content" />
              </ItemGroup>

              <ItemGroup>
                <EmbeddedResource Include="pulumi-plugin.json" />
                <None Include="pulumi-plugin.json" Pack="True" PackagePath="content" />
              </ItemGroup>

              <ItemGroup>

            """);
        foreach (var (id, ver) in refs)
        {
            var exclude = id.StartsWith("Pulumi.", StringComparison.Ordinal) ? " ExcludeAssets=\"contentFiles\"" : "";
            sb.Append($"    <PackageReference Include=\"{X(id)}\" Version=\"{X(ver)}\"{exclude} />\n");
        }
        sb.Append("""
              </ItemGroup>

              <ItemGroup>
              </ItemGroup>

              <ItemGroup>
                <None Include="logo.png">
                  <Pack>True</Pack>
                  <PackagePath></PackagePath>
                </None>
                <None Include="README.md">
                  <Pack>True</Pack>
                  <PackagePath></PackagePath>
                </None>
              </ItemGroup>

            </Project>

            """);
        return sb.ToString();
    }

    private string GenPluginJson(string? version)
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"resource\": true,\n");
        sb.Append($"  \"name\": {JsonSerializer.Serialize(_pkg.Name)}");
        if (version is not null) sb.Append($",\n  \"version\": {JsonSerializer.Serialize(version)}");
        if (_pkg.PluginDownloadUrl.Length > 0) sb.Append($",\n  \"server\": {JsonSerializer.Serialize(_pkg.PluginDownloadUrl)}");
        sb.Append("\n}\n");
        return sb.ToString();
    }
}

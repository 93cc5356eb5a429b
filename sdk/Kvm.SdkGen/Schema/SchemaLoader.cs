using System.Collections.Immutable;
using System.Text.Json;

namespace Kvm.SdkGen.Schema;

/// <summary>
/// Reads schema.json and binds it the way Pulumi's schema binder does: input-shaped properties
/// are wrapped in <see cref="InputType"/> (unless <c>plain</c>), optional ones in
/// <see cref="OptionalType"/>, properties sorted by name.
/// </summary>
public static class SchemaLoader
{
    private static readonly HashSet<string> KnownTopLevel = new(StringComparer.Ordinal)
    {
        "name", "displayName", "version", "description", "keywords", "homepage", "license", "attribution",
        "repository", "logoUrl", "pluginDownloadURL", "publisher", "namespace", "meta", "language", "config",
        "provider", "resources", "types", "functions", "allowedPackageNames",
    };

    public static PackageSchema Load(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new SchemaException("the schema is not a JSON object");
        foreach (var p in root.EnumerateObject())
            if (!KnownTopLevel.Contains(p.Name))
                throw new SchemaException($"unsupported top-level schema key \"{p.Name}\"");

        var name = Str(root, "name") ?? throw new SchemaException("the schema has no \"name\"");
        if (root.TryGetProperty("functions", out var functions) && functions.EnumerateObject().Any())
            throw new SchemaException("functions are not supported by Kvm.SdkGen (the schema declares " +
                string.Join(", ", functions.EnumerateObject().Select(f => f.Name)) + ")");

        var moduleFormat = root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("moduleFormat", out var mf)
            ? mf.GetString() ?? "(.*)" : "(.*)";
        var moduleRegex = new System.Text.RegularExpressions.Regex("^" + moduleFormat + "$");

        // Object types: declare first (they may refer to each other), bind second.
        var defs = new SortedDictionary<string, ObjectTypeDef>(StringComparer.Ordinal);
        var typeSpecs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.TryGetProperty("types", out var types))
        {
            foreach (var t in types.EnumerateObject())
            {
                CheckToken(t.Name, name, moduleRegex);
                if (t.Value.TryGetProperty("enum", out _))
                    throw new SchemaException($"type {t.Name}: enum types are not supported by Kvm.SdkGen");
                if (Str(t.Value, "type") is { } kind && kind != "object")
                    throw new SchemaException($"type {t.Name}: only object types are supported (got \"{kind}\")");
                defs[t.Name] = new ObjectTypeDef { Token = t.Name, Description = Str(t.Value, "description") ?? "" };
                typeSpecs[t.Name] = t.Value.Clone();
            }
        }
        var binder = new Binder(defs);
        foreach (var (token, spec) in typeSpecs)
        {
            var required = RequiredSet(spec, "required");
            var props = spec.TryGetProperty("properties", out var p) ? p : default;
            defs[token].Properties = binder.BindProperties(token, props, required, inputShape: false);
            defs[token].InputProperties = binder.BindProperties(token, props, required, inputShape: true);
        }

        // language.csharp
        var csharp = new CSharpInfo();
        if (root.TryGetProperty("language", out var lang) && lang.TryGetProperty("csharp", out var cs))
        {
            var refs = new List<KeyValuePair<string, string>>();
            if (cs.TryGetProperty("packageReferences", out var pr))
                foreach (var r in pr.EnumerateObject()) refs.Add(new(r.Name, r.Value.GetString() ?? ""));
            var ns = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            if (cs.TryGetProperty("namespaces", out var nss))
                foreach (var n in nss.EnumerateObject()) ns[n.Name] = n.Value.GetString() ?? "";
            csharp = new CSharpInfo
            {
                RootNamespace = Str(cs, "rootNamespace") ?? "Pulumi",
                PackageReferences = [.. refs.OrderBy(r => r.Key, StringComparer.Ordinal)],
                Namespaces = ns.ToImmutable(),
                RespectSchemaVersion = cs.TryGetProperty("respectSchemaVersion", out var rsv) && rsv.ValueKind == JsonValueKind.True,
            };
        }

        // config
        var config = ImmutableArray<Property>.Empty;
        if (root.TryGetProperty("config", out var cfg))
        {
            var required = RequiredSet(cfg, "required");
            config = binder.BindProperties("config", cfg.TryGetProperty("variables", out var v) ? v : default, required, inputShape: false);
        }

        // provider
        var providerSpec = root.TryGetProperty("provider", out var ps) ? ps : default;
        var provider = BindResource(binder, "pulumi:providers:" + name, providerSpec, isProvider: true);

        // resources
        var resources = new List<Resource>();
        if (root.TryGetProperty("resources", out var res))
            foreach (var r in res.EnumerateObject())
            {
                CheckToken(r.Name, name, moduleRegex);
                resources.Add(BindResource(binder, r.Name, r.Value, isProvider: false));
            }

        return new PackageSchema
        {
            Name = name,
            DisplayName = Str(root, "displayName"),
            Version = Str(root, "version"),
            Description = Str(root, "description") ?? "",
            Keywords = root.TryGetProperty("keywords", out var kw) ? [.. kw.EnumerateArray().Select(k => k.GetString() ?? "")] : [],
            License = Str(root, "license") ?? "",
            Publisher = Str(root, "publisher"),
            Homepage = Str(root, "homepage") ?? "",
            Repository = Str(root, "repository") ?? "",
            PluginDownloadUrl = Str(root, "pluginDownloadURL") ?? "",
            CSharp = csharp,
            Config = config,
            Provider = provider,
            Resources = [.. resources.OrderBy(r => r.Token, StringComparer.Ordinal)],
            Types = defs.ToImmutableSortedDictionary(StringComparer.Ordinal),
        };
    }

    private static Resource BindResource(Binder binder, string token, JsonElement spec, bool isProvider)
    {
        if (spec.ValueKind == JsonValueKind.Undefined)
            return new Resource { Token = token, IsProvider = isProvider };
        if (spec.TryGetProperty("isComponent", out var ic) && ic.ValueKind == JsonValueKind.True)
            throw new SchemaException($"resource {token}: component resources are not supported by Kvm.SdkGen");
        if (spec.TryGetProperty("methods", out var m) && m.EnumerateObject().Any())
            throw new SchemaException($"resource {token}: methods are not supported by Kvm.SdkGen");
        var properties = binder.BindProperties(token, spec.TryGetProperty("properties", out var p) ? p : default,
            RequiredSet(spec, "required"), inputShape: false);
        var inputs = binder.BindProperties(token, spec.TryGetProperty("inputProperties", out var ip) ? ip : default,
            RequiredSet(spec, "requiredInputs"), inputShape: true);
        StateInputs? state = null;
        if (!isProvider && spec.TryGetProperty("stateInputs", out var si))
        {
            state = new StateInputs(Str(si, "description") ?? "",
                binder.BindProperties(token + " stateInputs", si.TryGetProperty("properties", out var sp) ? sp : default,
                    RequiredSet(si, "required"), inputShape: true));
        }
        foreach (var reserved in new[] { "id", "urn" })
            if (!isProvider && properties.Any(x => x.Name == reserved))
                throw new SchemaException($"resource {token}: \"{reserved}\" is a reserved property name");
        var aliases = ImmutableArray<string>.Empty;
        if (spec.TryGetProperty("aliases", out var al))
            aliases = [.. al.EnumerateArray().Select(a => Str(a, "type") ?? throw new SchemaException($"resource {token}: only aliases with a \"type\" are supported"))];
        return new Resource
        {
            Token = token,
            IsProvider = isProvider,
            Description = Str(spec, "description") ?? "",
            DeprecationMessage = Str(spec, "deprecationMessage") ?? "",
            Properties = properties,
            InputProperties = inputs,
            StateInputs = state,
            AliasTypes = aliases,
        };
    }

    private static void CheckToken(string token, string package, System.Text.RegularExpressions.Regex moduleFormat)
    {
        var parts = token.Split(':');
        if (parts.Length != 3 || parts[0] != package)
            throw new SchemaException($"malformed token \"{token}\" (expected {package}:<module>:<Name>)");
        var match = moduleFormat.Match(parts[1]);
        var module = match.Success && match.Groups.Count > 1 ? match.Groups[1].Value : parts[1];
        if (!module.StartsWith("index", StringComparison.Ordinal))
            throw new SchemaException($"token \"{token}\": modules other than \"index\" are not supported by Kvm.SdkGen");
        if (parts[2].Length == 0 || !char.IsLetter(parts[2][0]))
            throw new SchemaException($"token \"{token}\": the member name must start with a letter");
    }

    private static HashSet<string> RequiredSet(JsonElement spec, string key)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty(key, out var r))
            foreach (var n in r.EnumerateArray()) set.Add(n.GetString() ?? "");
        return set;
    }

    internal static string? Str(JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private sealed class Binder(SortedDictionary<string, ObjectTypeDef> defs)
    {
        public ImmutableArray<Property> BindProperties(string owner, JsonElement props, HashSet<string> required, bool inputShape)
        {
            if (props.ValueKind == JsonValueKind.Undefined) return [];
            foreach (var r in required)
                if (!props.TryGetProperty(r, out _))
                    throw new SchemaException($"{owner}: required property \"{r}\" is not declared");
            var list = new List<Property>();
            foreach (var p in props.EnumerateObject())
                list.Add(BindProperty(owner, p.Name, p.Value, required.Contains(p.Name), inputShape));
            return [.. list.OrderBy(p => p.Name, StringComparer.Ordinal)];
        }

        private Property BindProperty(string owner, string name, JsonElement spec, bool required, bool inputShape)
        {
            var where = $"{owner}.{name}";
            if (spec.TryGetProperty("const", out _))
                throw new SchemaException($"{where}: const values are not supported by Kvm.SdkGen");
            var type = BindType(where, spec, inputShape);
            if (!required) type = new OptionalType(type);
            JsonElement? dflt = null;
            if (spec.TryGetProperty("default", out var d))
            {
                if (d.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
                    throw new SchemaException($"{where}: only string, number and boolean defaults are supported");
                dflt = d.Clone();
            }
            var env = ImmutableArray<string>.Empty;
            if (spec.TryGetProperty("defaultInfo", out var di) && di.TryGetProperty("environment", out var envs))
                env = [.. envs.EnumerateArray().Select(e => e.GetString() ?? "")];
            string? csName = null;
            if (spec.TryGetProperty("language", out var lang) && lang.TryGetProperty("csharp", out var cs))
                csName = Str(cs, "name");
            return new Property
            {
                Name = name,
                Type = type,
                Description = Str(spec, "description") ?? "",
                Default = dflt,
                DefaultEnvironment = env,
                Secret = spec.TryGetProperty("secret", out var s) && s.ValueKind == JsonValueKind.True,
                ReplaceOnChanges = spec.TryGetProperty("replaceOnChanges", out var roc) && roc.ValueKind == JsonValueKind.True,
                DeprecationMessage = Str(spec, "deprecationMessage") ?? "",
                CSharpName = csName,
            };
        }

        private SType BindType(string where, JsonElement spec, bool inputShape)
        {
            var plain = spec.TryGetProperty("plain", out var pl) && pl.ValueKind == JsonValueKind.True;
            if (spec.TryGetProperty("oneOf", out _))
                throw new SchemaException($"{where}: union types (oneOf) are not supported by Kvm.SdkGen");
            SType core;
            if (Str(spec, "$ref") is { } reference)
            {
                core = ResolveRef(where, reference, inputShape);
            }
            else
            {
                var kind = Str(spec, "type") ?? throw new SchemaException($"{where}: no \"type\" and no \"$ref\"");
                core = kind switch
                {
                    "string" => new PrimitiveType(PrimitiveKind.String),
                    "integer" => new PrimitiveType(PrimitiveKind.Integer),
                    "number" => new PrimitiveType(PrimitiveKind.Number),
                    "boolean" => new PrimitiveType(PrimitiveKind.Boolean),
                    "array" => new ArrayType(BindType(where + "[]", spec.TryGetProperty("items", out var items) ? items
                        : throw new SchemaException($"{where}: an array without \"items\""), inputShape)),
                    "object" => new MapType(BindType(where + "{}", spec.TryGetProperty("additionalProperties", out var ap) ? ap
                        : throw new SchemaException($"{where}: an inline object without \"additionalProperties\" (declare a type in \"types\" and use $ref)"), inputShape)),
                    _ => throw new SchemaException($"{where}: unsupported type \"{kind}\""),
                };
            }
            return inputShape && !plain ? new InputType(core) : core;
        }

        private SType ResolveRef(string where, string reference, bool inputShape)
        {
            const string local = "#/types/";
            if (reference == "pulumi.json#/Any") return new PrimitiveType(PrimitiveKind.Any);
            if (!reference.StartsWith(local, StringComparison.Ordinal))
                throw new SchemaException($"{where}: unsupported reference \"{reference}\" (only #/types/... and pulumi.json#/Any)");
            var token = Uri.UnescapeDataString(reference[local.Length..]);
            if (!defs.TryGetValue(token, out var def))
                throw new SchemaException($"{where}: reference to undeclared type \"{token}\"");
            return new ObjectRef(def, inputShape);
        }
    }
}

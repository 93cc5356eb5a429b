using System.Text;
using System.Text.Json;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Rpc;

/// <summary>
/// The Pulumi package schema, derived from the resources' Args/State records: what
/// `pulumi-resource-kvm schema` prints, GetSchema returns and the SDK generator reads.
/// </summary>
internal static class SchemaBuilder
{
    public static string Build(IEnumerable<IResource> resources)
    {
        var list = resources.ToList();
        var types = new SortedDictionary<string, ObjectShape>(StringComparer.Ordinal);
        foreach (var r in list)
        {
            Collect(r.InputShape, types);
            Collect(r.OutputShape, types);
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", PluginPackage.Name);
            w.WriteString("displayName", "KVM");
            w.WriteString("version", PluginPackage.Version);
            w.WriteString("description", "Manage KVM hypervisor hosts: Linux bridges, bridge VLAN filtering, libvirt networks and libvirt domains.");
            w.WriteStartArray("keywords");
            foreach (var k in new[] { "pulumi", "kvm", "libvirt", "bridge", "vlan", "category/infrastructure", "kind/native" }) w.WriteStringValue(k);
            w.WriteEndArray();
            w.WriteString("license", "Apache-2.0");
            w.WriteString("publisher", "kvm provider authors");
            w.WriteString("homepage", PluginPackage.RepositoryUrl);
            w.WriteString("repository", PluginPackage.RepositoryUrl);
            w.WriteString("pluginDownloadURL", PluginPackage.PluginDownloadUrl);

            w.WriteStartObject("meta");
            w.WriteString("moduleFormat", "(.*)");
            w.WriteEndObject();

            w.WriteStartObject("language");
            w.WriteStartObject("csharp");
            w.WriteString("rootNamespace", "Pulumi");
            w.WriteStartObject("packageReferences");
            w.WriteString("Pulumi", "3.*");
            w.WriteEndObject();
            w.WriteBoolean("respectSchemaVersion", true);
            w.WriteEndObject();
            w.WriteEndObject();

            var config = ObjectShape.Of<ProviderConfig>();
            w.WriteStartObject("config");
            w.WriteStartObject("variables");
            WriteProperties(w, config.Inputs, inputs: true);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("provider");
            w.WriteString("description", ProviderConfig.Description);
            w.WriteStartObject("inputProperties");
            WriteProperties(w, config.Inputs, inputs: true);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("resources");
            foreach (var r in list)
            {
                w.WriteStartObject(r.Token);
                w.WriteString("description", r.Description);
                w.WriteStartObject("properties");
                WriteProperties(w, r.OutputShape.Properties, inputs: false);
                w.WriteEndObject();
                WriteRequired(w, "required", r.OutputShape.Properties.Where(p => p.Required));
                w.WriteStartObject("inputProperties");
                WriteProperties(w, r.InputShape.Inputs, inputs: true);
                w.WriteEndObject();
                WriteRequired(w, "requiredInputs", r.InputShape.Inputs.Where(p => p.Required));
                w.WriteStartObject("stateInputs");
                w.WriteString("description", $"Input properties used for looking up and filtering {r.Token.Split(':')[^1]} resources.");
                w.WriteString("type", "object");
                w.WriteStartObject("properties");
                WriteProperties(w, r.OutputShape.Properties, inputs: false);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartObject("types");
            foreach (var (token, shape) in types)
            {
                w.WriteStartObject(token);
                w.WriteString("description", shape.Description);
                w.WriteString("type", "object");
                w.WriteStartObject("properties");
                WriteProperties(w, shape.Properties, inputs: false);
                w.WriteEndObject();
                WriteRequired(w, "required", shape.Properties.Where(p => p.Required));
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartObject("functions");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Collect(ObjectShape shape, SortedDictionary<string, ObjectShape> into)
    {
        foreach (var p in shape.Properties)
        {
            var t = p.Type;
            while (t is ArrayShape or MapShape) t = t is ArrayShape a ? a.Item : ((MapShape)t).Value;
            if (t is ObjectTypeShape o && o.Object.Token is { } token && into.TryAdd(token, o.Object))
                Collect(o.Object, into);
        }
    }

    private static void WriteRequired(Utf8JsonWriter w, string name, IEnumerable<PropertyShape> props)
    {
        var names = props.Select(p => p.Name).ToList();
        if (names.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var n in names) w.WriteStringValue(n);
        w.WriteEndArray();
    }

    private static void WriteProperties(Utf8JsonWriter w, IEnumerable<PropertyShape> props, bool inputs)
    {
        foreach (var p in props)
        {
            w.WriteStartObject(p.Name);
            WriteType(w, p.Type);
            w.WriteString("description", Describe(p));
            if (inputs && p.Default is { } d)
            {
                switch (d)
                {
                    case bool b: w.WriteBoolean("default", b); break;
                    case int i: w.WriteNumber("default", i); break;
                    case double x: w.WriteNumber("default", x); break;
                    case string s: w.WriteString("default", s); break;
                }
            }
            if (p.Secret) w.WriteBoolean("secret", true);
            if (p.ReplaceOnChanges) w.WriteBoolean("replaceOnChanges", true);
            w.WriteEndObject();
        }
    }

    /// <summary>The description, with the rules the binder enforces spelled out so the docs carry them.</summary>
    private static string Describe(PropertyShape p)
    {
        var extra = new List<string>();
        if (!double.IsNaN(p.Min) && !double.IsNaN(p.Max)) extra.Add($"Range {p.Min}-{p.Max}.");
        if (!p.OneOf.IsEmpty) extra.Add($"One of {string.Join(", ", p.OneOf.Select(v => $"`{v}`"))}.");
        if (p.ReplaceOnChanges) extra.Add("Changing it replaces the resource.");
        return extra.Count == 0 ? p.Description : $"{p.Description} {string.Join(" ", extra)}";
    }

    private static void WriteType(Utf8JsonWriter w, ValueShape type)
    {
        switch (type)
        {
            case ScalarShape s:
                w.WriteString("type", s.Kind switch
                {
                    ScalarKind.String => "string",
                    ScalarKind.Boolean => "boolean",
                    ScalarKind.Integer => "integer",
                    _ => "number",
                });
                break;
            case ArrayShape a:
                w.WriteString("type", "array");
                w.WriteStartObject("items");
                WriteType(w, a.Item);
                w.WriteEndObject();
                break;
            case MapShape m:
                w.WriteString("type", "object");
                w.WriteStartObject("additionalProperties");
                WriteType(w, m.Value);
                w.WriteEndObject();
                break;
            case ObjectTypeShape o:
                w.WriteString("$ref", $"#/types/{o.Object.Token}");
                break;
        }
    }
}

using Kvm.SdkGen;
using Kvm.SdkGen.Schema;

namespace Kvm.Sdk.Tests;

/// <summary>What the generator refuses instead of silently dropping, and its naming rules.</summary>
public class SchemaLoaderTests
{
    private const string Head = """
        "name": "t", "version": "1.0.0",
        "language": { "csharp": { "rootNamespace": "Pulumi", "respectSchemaVersion": true } },
        """;

    private static string Schema(string body) => "{" + Head + body + "}";

    [Theory]
    [InlineData("\"functions\": { \"t:index:getX\": {} }", "functions")]
    [InlineData("\"types\": { \"t:index:Mode\": { \"type\": \"string\", \"enum\": [{ \"value\": \"a\" }] } }", "enum")]
    [InlineData("\"resources\": { \"t:index:R\": { \"inputProperties\": { \"a\": { \"oneOf\": [{ \"type\": \"string\" }, { \"type\": \"integer\" }] } } } }", "oneOf")]
    [InlineData("\"resources\": { \"t:index:R\": { \"inputProperties\": { \"a\": { \"type\": \"string\", \"const\": \"x\" } } } }", "const")]
    [InlineData("\"resources\": { \"t:net:R\": {} }", "modules")]
    [InlineData("\"resources\": { \"t:index:R\": { \"properties\": { \"id\": { \"type\": \"string\" } } } }", "reserved")]
    [InlineData("\"resources\": { \"t:index:R\": { \"inputProperties\": { \"a\": { \"$ref\": \"#/types/t:index:Nope\" } } } }", "undeclared")]
    [InlineData("\"resources\": { \"t:index:R\": { \"inputProperties\": { \"a\": { \"type\": \"string\" } }, \"requiredInputs\": [\"b\"] } }", "not declared")]
    [InlineData("\"resources\": { \"t:index:R\": { \"isComponent\": true } }", "component")]
    [InlineData("\"resources\": { \"t:index:R\": { \"inputProperties\": { \"a\": { \"$ref\": \"/aws/v6.0.0/schema.json#/types/aws:x:Y\" } } } }", "unsupported reference")]
    [InlineData("\"resources\": { \"t:index:R\": { \"inputProperties\": { \"a\": { \"type\": \"integer\", \"default\": \"x\" } } } }", "does not fit")]
    [InlineData("\"unknownKey\": 1", "unsupported top-level")]
    public void Unsupported_schema_features_are_errors_not_omissions(string body, string expected)
    {
        var e = Assert.Throws<SchemaException>(() => Generator.Run(Schema(body)));
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Input_properties_are_input_wrapped_and_optional_unless_required()
    {
        var pkg = SchemaLoader.Load(File.ReadAllText(Sample.SchemaPath));
        var domain = pkg.Resources.Single(r => r.Name == "Domain");
        var vcpu = domain.InputProperties.Single(p => p.Name == "vcpu");
        Assert.Equal(new InputType(new PrimitiveType(PrimitiveKind.Integer)), vcpu.Type);
        var disks = domain.InputProperties.Single(p => p.Name == "disks");
        var list = Assert.IsType<InputType>(Assert.IsType<OptionalType>(disks.Type).Element);
        var items = Assert.IsType<InputType>(Assert.IsType<ArrayType>(list.Element).Element);
        Assert.True(Assert.IsType<ObjectRef>(items.Element).InputShape);
        var outputDisks = domain.Properties.Single(p => p.Name == "disks");
        Assert.False(Assert.IsType<ObjectRef>(Assert.IsType<ArrayType>(Assert.IsType<OptionalType>(outputDisks.Type).Element).Element).InputShape);
        Assert.Equal(domain.InputProperties.Select(p => p.Name).Order(StringComparer.Ordinal), domain.InputProperties.Select(p => p.Name));
    }

    [Theory]
    [InlineData("vlanFiltering", "VlanFiltering")]
    [InlineData("mtu", "Mtu")]
    [InlineData("default", "Default")]
    [InlineData("foo-bar", "FooBar")]
    [InlineData("$schema", "Schema")]
    [InlineData("8021q", "_8021q")]
    public void Property_names_are_title_cased_identifiers(string wire, string member) => Assert.Equal(member, Naming.PropertyName(wire));

    [Theory]
    [InlineData("readonly", "@readonly")]
    [InlineData("default", "@default")]
    [InlineData("vlanFiltering", "vlanFiltering")]
    [InlineData("foo-bar", "fooBar")]
    public void Parameter_names_escape_keywords(string wire, string parameter) => Assert.Equal(parameter, Naming.ParameterName(wire));

    [Fact]
    public void Member_names_avoid_the_class_inherited_members_and_each_other()
    {
        Property P(string name, string? cs = null) => new() { Name = name, Type = new PrimitiveType(PrimitiveKind.String), CSharpName = cs };
        var names = CSharpGenerator.MemberNames([P("bridge"), P("id"), P("fooBar"), P("FooBar"), P("x", cs: "Renamed")], "Bridge", ["Id", "Urn"]);
        Assert.Equal("BridgeValue", names["bridge"]);
        Assert.Equal("IdValue", names["id"]);
        Assert.Equal("FooBar", names["fooBar"]);
        Assert.Equal("FooBarValue", names["FooBar"]);
        Assert.Equal("Renamed", names["x"]);
    }

    [Fact]
    public void Writing_replaces_stale_generated_files_and_keeps_build_output()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kvm-sdkgen-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "obj"));
            Directory.CreateDirectory(Path.Combine(dir, "Inputs"));
            File.WriteAllText(Path.Combine(dir, "obj", "project.assets.json"), "{}");
            File.WriteAllText(Path.Combine(dir, "Inputs", "GoneArgs.cs"), "stale");
            File.WriteAllText(Path.Combine(dir, "README.md"), "old");
            var changed = OutputTree.Write(dir, Sample.Generated.Sdk, OutputTree.SdkOwns);
            Assert.Contains("Inputs/GoneArgs.cs", changed);
            Assert.Contains("README.md", changed);
            Assert.False(File.Exists(Path.Combine(dir, "Inputs", "GoneArgs.cs")));
            Assert.True(File.Exists(Path.Combine(dir, "obj", "project.assets.json")));
            Assert.Empty(OutputTree.Diff(dir, Sample.Generated.Sdk, OutputTree.SdkOwns));
            Assert.Empty(OutputTree.Write(dir, Sample.Generated.Sdk, OutputTree.SdkOwns));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

using System.Text;
using Kvm.SdkGen;
using Kvm.SdkGen.Schema;

namespace Kvm.Sdk.Tests;

/// <summary>
/// Every resource, input and output of the schema is described, and the docs pages show each of
/// them with its description; every resource says how it is imported.
/// </summary>
public class DocsTests
{
    public static TheoryData<string> Schemas() => new() { "schema.json", "sample" };

    private static (PackageSchema Pkg, Generated Generated) Load(string which)
    {
        var json = File.ReadAllText(which == "sample" ? Sample.SchemaPath : RepoPaths.At("schema.json"));
        return (SchemaLoader.Load(json), Generator.Run(json));
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Every_resource_input_output_and_config_variable_has_a_description(string which)
    {
        var (pkg, _) = Load(which);
        var missing = new List<string>();
        foreach (var r in pkg.Resources)
        {
            if (string.IsNullOrWhiteSpace(ImportSpec.Split(r.Description).Text)) missing.Add(r.Token);
            missing.AddRange(r.InputProperties.Where(p => string.IsNullOrWhiteSpace(p.Description)).Select(p => $"{r.Token} input {p.Name}"));
            missing.AddRange(r.Properties.Where(p => string.IsNullOrWhiteSpace(p.Description)).Select(p => $"{r.Token} output {p.Name}"));
        }
        foreach (var t in pkg.Types.Values)
        {
            if (string.IsNullOrWhiteSpace(t.Description)) missing.Add(t.Token);
            missing.AddRange(t.Properties.Where(p => string.IsNullOrWhiteSpace(p.Description)).Select(p => $"{t.Token}.{p.Name}"));
        }
        missing.AddRange(pkg.Config.Where(p => string.IsNullOrWhiteSpace(p.Description)).Select(p => $"config {p.Name}"));
        missing.AddRange(pkg.Provider.InputProperties.Where(p => string.IsNullOrWhiteSpace(p.Description)).Select(p => $"provider input {p.Name}"));
        Assert.True(missing.Count == 0, "described nowhere in the schema:\n  " + string.Join("\n  ", missing));
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Every_resource_states_its_import_id_in_its_description(string which)
    {
        var (pkg, _) = Load(which);
        foreach (var r in pkg.Resources)
        {
            var (_, import) = ImportSpec.Split(r.Description);
            Assert.True(import is not null,
                $"{r.Token}: end its description with a paragraph like\n  Import: `pulumi import {r.Token} <name> <id>` (id: <what the id is>)");
            Assert.Equal(r.Token, import.Token);
            Assert.NotEmpty(import.IdDescription);
        }
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Resource_pages_show_every_input_output_nested_type_and_the_import(string which)
    {
        var (pkg, generated) = Load(which);
        foreach (var r in pkg.Resources)
        {
            var path = DocsGenerator.PagePath(r);
            Assert.True(generated.Docs.ContainsKey(path), $"no page {path}");
            var page = Encoding.UTF8.GetString(generated.Docs[path]);
            var sections = Sections(page);
            Assert.Contains(ImportSpec.Split(r.Description).Text.Split("\n\n")[0].Trim(), page);
            foreach (var p in r.InputProperties) AssertRow(sections["Inputs"], p, $"{r.Token} input");
            foreach (var p in r.Properties) AssertRow(sections["Outputs"], p, $"{r.Token} output");
            foreach (var t in DocsGenerator.NestedTypes(r))
            {
                Assert.Contains($"### {t.Name}\n", sections["Nested types"]);
                foreach (var p in t.Properties) AssertRow(sections["Nested types"], p, t.Token);
            }
            var import = ImportSpec.Split(r.Description).Import!;
            Assert.Contains($"```sh\n{import.Command}\n```", sections["Import"]);
            Assert.Contains("```csharp\n", sections["Example"]);
        }
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Index_and_installation_pages_list_resources_and_configuration(string which)
    {
        var (pkg, generated) = Load(which);
        var index = Encoding.UTF8.GetString(generated.Docs[DocsGenerator.IndexPage]);
        Assert.StartsWith("---\ntitle: ", index);
        Assert.Contains("\nlayout: package\n---\n\n" + DocsGenerator.Marker, index);
        foreach (var r in pkg.Resources) Assert.Contains($"[{r.Name}]({DocsGenerator.PagePath(r)})", index);
        Assert.Contains($"({DocsGenerator.InstallationPage})", index);
        var installation = Encoding.UTF8.GetString(generated.Docs[DocsGenerator.InstallationPage]);
        Assert.StartsWith("---\ntitle: ", installation);
        Assert.Contains("## Installation\n", installation);
        foreach (var p in pkg.Config)
        {
            Assert.Contains($"`{pkg.Name}:{p.Name}`", installation);
            Assert.Contains(DocsGenerator.DescriptionCell(p), installation);
        }
    }

    [Fact]
    public void The_installation_page_installs_the_plugin_from_the_schemas_download_location()
    {
        var (pkg, generated) = Load("schema.json");
        var installation = Encoding.UTF8.GetString(generated.Docs[DocsGenerator.InstallationPage]);
        Assert.Contains($"dotnet add package Pulumi.Kvm --version {pkg.Version}", installation);
        Assert.Contains($"pulumi plugin install resource kvm {pkg.Version} --server {pkg.PluginDownloadUrl}", installation);
    }

    [Fact]
    public void Sample_pages_render_types_defaults_secrets_and_replacements()
    {
        var bridge = Sample.Doc("resources/bridge.md");
        Assert.Contains("| **Mtu** (`mtu`) | integer | no | `1500` | no | update | The MTU. |", bridge);
        Assert.Contains("| **Name** (`name`) | string | yes |  | no | replaces the resource | The interface name. Changing it replaces the resource. |", bridge);
        Assert.Contains("| **Ports** (`ports`) | list of string | no |", bridge);
        Assert.Contains("The id is the bridge name.\n\n```sh\npulumi import sample:index:Bridge br0 br0\n```", bridge);
        Assert.DoesNotContain("Import: `pulumi import", bridge.Split("## Example")[0]);
        var domain = Sample.Doc("resources/domain.md");
        Assert.Contains("| **Password** (`password`) | string | no |  | yes |", domain);
        Assert.Contains("| **Interfaces** (`interfaces`) | list of [Interface](#interface) | yes |", domain);
        Assert.Contains("| **Type** (`type`) | string | yes |  | no | replaces the resource |", domain);
        Assert.Contains("### Vlan\n", domain);
        Assert.Contains("| **Metadata** (`metadata`) | map of string |", domain);
        var provider = Sample.Doc(DocsGenerator.InstallationPage);
        Assert.Contains("| `sample:netns` | `Netns` | string | no | env `SAMPLE_NETNS`, `KVM_NETNS` | no | The network namespace. |", provider);
    }

    [Theory]
    [InlineData("A bridge.\n\nImport: `pulumi import kvm:index:Bridge br0 br0` (id: the bridge name)", "A bridge.", "kvm:index:Bridge", "br0", "br0", "the bridge name")]
    [InlineData("Filter.\n\nImport: `pulumi import kvm:index:VlanFilter f br0/eth0` (id: `<bridge>/<port>`).\n", "Filter.", "kvm:index:VlanFilter", "f", "br0/eth0", "`<bridge>/<port>`")]
    [InlineData("Import: `pulumi import kvm:index:X x some id`", "", "kvm:index:X", "x", "some id", "")]
    public void Import_paragraphs_are_parsed(string description, string text, string token, string name, string id, string what)
    {
        var (rest, import) = ImportSpec.Split(description);
        Assert.Equal(text, rest);
        Assert.NotNull(import);
        Assert.Equal((token, name, id, what), (import.Token, import.Name, import.Id, import.IdDescription));
    }

    [Theory]
    [InlineData("A bridge.")]
    [InlineData("Import: the bridge name.")]
    [InlineData("Import: `pulumi import kvm:index:Bridge br0 br0` (id: the name)\n\nMore text after it.")]
    public void Descriptions_without_a_final_import_paragraph_have_none(string description) =>
        Assert.Null(ImportSpec.Split(description).Import);

    private static void AssertRow(string section, Property p, string owner)
    {
        Assert.True(section.Contains($"(`{p.Name}`) |", StringComparison.Ordinal), $"{owner} {p.Name}: no row");
        Assert.True(section.Contains(DocsGenerator.DescriptionCell(p) + " |", StringComparison.Ordinal), $"{owner} {p.Name}: description not shown");
    }

    private static Dictionary<string, string> Sections(string page)
    {
        var result = new Dictionary<string, string>();
        foreach (var part in page.Split("\n## ").Skip(1))
        {
            var nl = part.IndexOf('\n');
            result[part[..nl]] = part[(nl + 1)..];
        }
        foreach (var name in new[] { "Example", "Inputs", "Outputs", "Nested types", "Import" }) result.TryAdd(name, "");
        return result;
    }
}

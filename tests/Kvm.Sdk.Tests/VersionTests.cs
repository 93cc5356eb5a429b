using System.Text.Json;
using System.Xml.Linq;

namespace Kvm.Sdk.Tests;

/// <summary>
/// One version, set in VERSION, is the one every shipped piece carries: the schema (which the binary
/// writes from the same build property), the SDK's version.txt, pulumi-plugin.json and package
/// version, and the Pulumi.Kvm version the examples ask for. The running binary's GetPluginInfo and
/// the archive names are checked against the same file by Kvm.Lifecycle.Tests' InstalledPluginTests.
/// </summary>
public sealed class VersionTests
{
    private static readonly string Version = File.ReadAllText(RepoPaths.At("VERSION")).Trim();

    [Fact]
    public void VERSION_is_one_semantic_version()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", Version);
    }

    [Fact]
    public void Schema_and_generated_SDK_carry_VERSION()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepoPaths.At("schema.json")));
        using var plugin = JsonDocument.Parse(File.ReadAllText(RepoPaths.At("sdk", "dotnet", "pulumi-plugin.json")));
        var csproj = XDocument.Load(RepoPaths.At("sdk", "dotnet", "Pulumi.Kvm.csproj"));

        Assert.Equal(Version, schema.RootElement.GetProperty("version").GetString());
        Assert.Equal(Version, File.ReadAllText(RepoPaths.At("sdk", "dotnet", "version.txt")).Trim());
        Assert.Equal(Version, plugin.RootElement.GetProperty("version").GetString());
        Assert.Equal(Version, csproj.Descendants("Version").Single().Value);
    }

    [Fact]
    public void The_SDK_installs_the_plugin_from_the_schemas_download_location()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepoPaths.At("schema.json")));
        using var plugin = JsonDocument.Parse(File.ReadAllText(RepoPaths.At("sdk", "dotnet", "pulumi-plugin.json")));
        var url = schema.RootElement.GetProperty("pluginDownloadURL").GetString();

        Assert.StartsWith("github://api.github.com/", url);
        Assert.True(plugin.RootElement.GetProperty("resource").GetBoolean());
        Assert.Equal("kvm", plugin.RootElement.GetProperty("name").GetString());
        Assert.Equal(url, plugin.RootElement.GetProperty("server").GetString());
        var resources = Directory.GetFiles(RepoPaths.At("sdk", "dotnet"), "*.cs").Where(f => File.ReadAllText(f).Contains("MakeResourceOptions(", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(resources);
        Assert.All(resources, f => Assert.Contains($"PluginDownloadURL = \"{url}\",", File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Fact]
    public void Examples_ask_for_the_Pulumi_Kvm_package_of_VERSION()
    {
        var references = Directory.GetFiles(RepoPaths.At("examples"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(p => XDocument.Load(p).Descendants("PackageReference").Where(r => (string?)r.Attribute("Include") == "Pulumi.Kvm")
                .Select(r => (Project: Path.GetFileName(p), Version: (string?)r.Attribute("Version"))))
            .ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(r.Version == Version, $"{r.Project} asks for Pulumi.Kvm {r.Version}, VERSION is {Version}"));
    }
}

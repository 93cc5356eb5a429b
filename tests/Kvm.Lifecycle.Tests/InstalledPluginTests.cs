using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The release archive (`make dist-archive`, which `make test` runs) as a user gets it: installed into
/// a plugin cache laid out as the engine's ($PULUMI_HOME/plugins/resource-kvm-vVERSION/), found there
/// the way the engine looks a plugin up, and driven through a whole lifecycle.
/// </summary>
public sealed class InstalledPluginTests : IDisposable
{
    private readonly DirectoryInfo _pulumiHome = Directory.CreateTempSubdirectory("kvm-pulumi-home-");

    public void Dispose() => _pulumiHome.Delete(recursive: true);

    [Fact]
    public async Task The_release_archive_installed_in_a_plugin_cache_runs_a_bridge_lifecycle()
    {
        var version = RepoPaths.Version;
        var archive = RepoPaths.ReleaseArchive("linux-amd64");
        Assert.True(File.Exists(archive), $"{archive} does not exist: run `make dist-archive` (`make test` does)");

        var cache = new PluginCache(_pulumiHome.FullName);
        var dir = cache.Install("resource", "kvm", version, archive);
        Assert.Equal(Path.Combine(_pulumiHome.FullName, "plugins", $"resource-kvm-v{version}"), dir);
        Assert.False(File.Exists(dir + ".partial"));
        // The executable at the archive's root, named as the engine runs it; nothing a language runtime would act on.
        Assert.Equal(["README.md", "pulumi-resource-kvm"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var binary = cache.Resolve("resource", "kvm", version);
        Assert.True(OperatingSystem.IsLinux() && File.GetUnixFileMode(binary).HasFlag(UnixFileMode.UserExecute), $"{binary} is not executable");

        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "vp0", "type", "veth", "peer", "name", "vp0-peer");
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""", binary: binary);

        // The process the engine talks to is the cached binary, and it says it is the release's version.
        Assert.Equal(binary, new FileInfo($"/proc/{stack.Provider.Pid}/exe").LinkTarget);
        Assert.Equal(version, (await stack.Provider.Client.GetPluginInfoAsync(new Empty())).Version);
        using var schema = JsonDocument.Parse((await stack.Provider.Client.GetSchemaAsync(new GetSchemaRequest())).Schema);
        using var committed = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "schema.json")));
        Assert.Equal(version, schema.RootElement.GetProperty("version").GetString());
        Assert.Equal(committed.RootElement.GetProperty("pluginDownloadURL").GetString(), schema.RootElement.GetProperty("pluginDownloadURL").GetString());

        var br = Res("kvm:index:Bridge", "br", """{"name": "br-cached", "mtu": 1400, "ports": ["vp0"], "stp": false}""");
        var preview = (await stack.PreviewAsync(br)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["br"].Op);
        Assert.Null(ns.Link("br-cached"));

        (await stack.UpAsync(br)).EnsureOk();
        Assert.Equal(1400, ns.Link("br-cached")!.Value.GetProperty("mtu").GetInt32());
        Assert.Equal("br-cached", ns.MasterOf("vp0"));

        var resized = Res("kvm:index:Bridge", "br", """{"name": "br-cached", "mtu": 1500, "ports": ["vp0"], "stp": false}""");
        Assert.Equal(StepOp.Update, (await stack.UpAsync(resized)).EnsureOk()["br"].Op);
        Assert.Equal(1500, ns.Link("br-cached")!.Value.GetProperty("mtu").GetInt32());
        Assert.Equal(StepOp.Same, (await stack.RefreshAsync()).EnsureOk()["br"].Op);
        Assert.All((await stack.UpAsync(resized)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        (await stack.DestroyAsync()).EnsureOk();
        Assert.Null(ns.Link("br-cached"));
        Assert.Null(ns.MasterOf("vp0"));
        Assert.True(File.Exists(dir + ".lastused"), "the engine records the plugin's use beside its folder");
    }
}

using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using System.Xml.Linq;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;
using static Kvm.Lifecycle.Tests.RoundTrip.RoundTripOutcome;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>
/// `discover` on one host that holds every network and guest of libvirt's tests that libvirtd accepts
/// (each renamed after its file, since several share a name): it reads all of them, writes an import
/// file and a C# program that compiles against the SDK, every object imports, and the program of the
/// imported inputs shows no changes.
/// </summary>
public sealed class DiscoverAllTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("kvm-discover-all-");
    private readonly LabNamespace _ns = LabNamespace.Create("kvmda");

    [Fact]
    public async Task Discover_on_a_host_holding_all_of_libvirts_test_objects_imports_them_all_with_no_changes()
    {
        var networks = Usable(LibvirtTestXml.Networks, RoundTripExpectations.Networks).Select(Renamed).ToList();
        var guests = Usable(LibvirtTestXml.Guests, RoundTripExpectations.Guests).Select(Renamed).ToList();
        // The networks guests name, where no test network has that name: a bare isolated one each, as a real host would have.
        var names = networks.Select(n => n.Element("name")!.Value).ToHashSet(StringComparer.Ordinal);
        var referenced = guests.SelectMany(g => g.Descendants("interface")).Where(i => (string?)i.Attribute("type") == "network")
            .Select(i => (string?)i.Element("source")?.Attribute("network")).OfType<string>().Distinct().Where(n => !names.Contains(n));
        var node = Path.Combine(_work.FullName, "all.node.xml");
        File.WriteAllText(node, LibvirtTestXml.Node([.. networks.Concat(guests).Select(x => x.ToString()),
            .. referenced.Select(n => new XElement("network", new XElement("name", n)).ToString())]));
        var uri = $"test://{node}";

        var import = Discover(uri, "import");
        var csharp = Discover(uri, "csharp");
        Assert.True(import.ExitCode == 0, $"discover (import) said {import.ExitCode}:\n{import.StdErr}");
        Assert.True(csharp.ExitCode == 0, $"discover (csharp) said {csharp.ExitCode}:\n{csharp.StdErr}");
        var entries = JsonDocument.Parse(import.Output).RootElement.GetProperty("resources").EnumerateArray()
            .Select(r => (Type: r.GetProperty("type").GetString()!, Name: r.GetProperty("name").GetString()!, Id: r.GetProperty("id").GetString()!)).ToList();
        foreach (var e in entries) Assert.Contains($"(\"{e.Name}\",", csharp.Output);
        var sdk = DiscoverTests.Sdk.Value;
        Assert.True(sdk.Image is not null, sdk.Report());
        var compiled = Kvm.Sdk.Tests.Roslyn.Compile("DiscoveredLibvirtTests", [("Program.cs", csharp.Output)],
            [Kvm.Sdk.Tests.Roslyn.PulumiReference, MetadataReference.CreateFromImage(sdk.Image!)], OutputKind.ConsoleApplication, LanguageVersion.Latest);
        Assert.True(compiled.Problems.IsEmpty, compiled.Report());

        await using var stack = await Stack.StartAsync(RoundTrip.Config(node, _work.FullName, _ns.Name));
        var failed = new List<string>();
        foreach (var e in entries)
        {
            var step = await stack.ImportAsync(e.Type, e.Name, e.Id);
            if (!step.Ok) failed.Add($"{e.Type} {e.Id}: {StepRenderer.Render(step)}");
        }
        Assert.True(failed.Count == 0, string.Join("\n", failed));
        // Every object is there (a domain's id is its UUID, so they are found by the name they import with).
        var imported = stack.State.Select(s => (s.Type, Name: s.Inputs.Fields["name"].StringValue)).ToHashSet();
        var missing = networks.Select(x => ("kvm:index:LibvirtNetwork", x)).Concat(guests.Select(x => ("kvm:index:Domain", x)))
            .Select(w => (Type: w.Item1, Name: w.x.Element("name")!.Value)).Where(w => !imported.Contains(w)).ToList();
        Assert.True(missing.Count == 0, $"discover left out: {string.Join(", ", missing)}\n{import.StdErr}");
        var program = stack.State.Select(s => Res(s.Type, s.Name, Props.ToJson(s.Inputs))).ToArray();
        var preview = (await stack.PreviewAsync(program)).EnsureOk();
        Assert.True(preview.Steps.All(s => s.Op == StepOp.Same), StepRenderer.Render(preview));
    }

    /// <summary>The files whose objects a real host can hold: the test driver loads them and libvirtd accepts them.</summary>
    private static IEnumerable<LibvirtTestFile> Usable(IReadOnlyList<LibvirtTestFile> files, IReadOnlyDictionary<string, string> expected) =>
        files.Where(f => !expected.TryGetValue(f.Name, out var kind) || kind is not (DriverRefuses or LibvirtdRefuses or ImportFails));

    /// <summary>
    /// The object named after its file (several files share a name) with a UUID of its own made from that
    /// name (several share one too; and one the test driver generated would change at each opening of the host).
    /// </summary>
    private static XElement Renamed(LibvirtTestFile file)
    {
        var root = XElement.Parse(file.Xml);
        root.Element("name")!.Value = Path.GetFileNameWithoutExtension(file.Name);
        root.Element("uuid")?.Remove();
        var uuid = new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(file.Name)));
        root.Element("name")!.AddAfterSelf(new XElement("uuid", uuid.ToString("D")));
        return root;
    }

    private DiscoverRun Discover(string uri, string format) =>
        DiscoverRun.Of(uri, _ns.Name, format, Path.Combine(_work.FullName, $"discover-{format}.out"));

    public void Dispose()
    {
        _ns.Dispose();
        _work.Delete(recursive: true);
    }
}

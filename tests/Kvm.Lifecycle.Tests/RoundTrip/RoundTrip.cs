using System.Text.Json;
using System.Xml.Linq;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>What became of one of libvirt's test files: a short, stable word and the detail.</summary>
public sealed record RoundTripOutcome(string File, string Kind, string Detail)
{
    public const string Identical = "identical";
    public const string DriverRefuses = "test driver refuses it";
    public const string ImportFails = "import fails";
    public const string LibvirtdRefuses = "import fails, and libvirtd refuses it too";
    public const string ImportChanges = "imported inputs show changes";
    public const string RecreateFails = "re-create fails";
    public const string Differs = "re-created differently";

    public override string ToString() => Detail.Length == 0 ? $"{File}: {Kind}" : $"{File}: {Kind}: {Detail}";
}

/// <summary>
/// One file's round trip, as a user would do it: libvirt's test driver holds the object (a host of
/// its own, loaded from a node file); the plugin imports it; the imported inputs are declared and
/// must show no changes; then they create the object on an empty test host, and the two objects'
/// XML, as libvirt formats it, are compared.
/// </summary>
public static class RoundTrip
{
    /// <param name="netns">A lab namespace of the test's own: whatever the provider asks the kernel, it asks there.</param>
    public static async Task<RoundTripOutcome> RunAsync(string type, string xmlOutput, LibvirtTestFile file, string workDir, string netns)
    {
        // A guest's host has the libvirt networks its NICs name (a bare isolated network each), as a real one would.
        var root = XElement.Parse(file.Xml);
        string[] networks = [.. root.Descendants("interface").Where(i => (string?)i.Attribute("type") == "network")
            .Select(i => (string?)i.Element("source")?.Attribute("network")).OfType<string>().Distinct()
            .Select(n => new XElement("network", new XElement("name", n)).ToString())];
        var node = Path.Combine(workDir, Path.ChangeExtension(file.Name, ".node.xml"));
        File.WriteAllText(node, LibvirtTestXml.Node([file.Xml, .. networks]));
        var empty = Path.Combine(workDir, Path.ChangeExtension(file.Name, ".empty.xml"));
        File.WriteAllText(empty, LibvirtTestXml.Node(networks));
        var name = root.Element("name")?.Value ?? "";

        var load = Shell.Run("virsh", ["-c", $"test://{node}", "list", "--all"], stdin: null, timeout: TimeSpan.FromMinutes(1));
        if (load.ExitCode != 0) return new(file.Name, RoundTripOutcome.DriverRefuses, FirstLine(load.StdErr.Replace("error: failed to connect to the hypervisor", "")));

        string inputs;
        XElement original;
        await using (var host = await Stack.StartAsync(Config(node, workDir, netns)))
        {
            var import = await host.ImportAsync(type, "it", name);
            if (!import.Ok) return new(file.Name, RoundTripOutcome.ImportFails, Why(import["it"]));
            inputs = Props.ToJson(import["it"].Inputs);
            original = XElement.Parse(host["it"].Output(xmlOutput)?.StringValue ?? "<none/>");
            var again = await host.UpAsync(Res(type, "it", inputs));
            if (!again.Ok) return new(file.Name, RoundTripOutcome.ImportChanges, Why(again["it"]));
            if (again["it"].Op != StepOp.Same)
                return new(file.Name, RoundTripOutcome.ImportChanges, string.Join(", ", again["it"].Diff?.Diffs ?? []));
        }

        await using var fresh = await Stack.StartAsync(Config(empty, workDir, netns));
        var created = await fresh.UpAsync(Res(type, "it", inputs));
        if (!created.Ok) return new(file.Name, RoundTripOutcome.RecreateFails, Why(created["it"]));
        var copy = XElement.Parse(fresh["it"].Output(xmlOutput)?.StringValue ?? "<none/>");
        var differences = XmlDifference.All(original, copy);
        return differences.Count > 0
            ? new(file.Name, RoundTripOutcome.Differs, string.Join("; ", differences))
            : new(file.Name, RoundTripOutcome.Identical, "");
    }

    // Hooks (should a guest ever need the qemu hook) go to the test's folder, never /etc/libvirt/hooks.
    internal static string Config(string node, string workDir, string netns) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["uri"] = $"test://{node}",
        ["netns"] = netns,
        ["libvirtHooksDir"] = Path.Combine(workDir, "hooks"),
    });

    /// <summary>A failed step's reason: Check's failures when it refused, else the error's first line.</summary>
    private static string Why(Step step) => step.Failures.Count > 0
        ? FirstLine(string.Join("; ", step.Failures.Select(f => $"{f.Property}: {f.Reason}")))
        : FirstLine(step.Error ?? "failed");

    private static string FirstLine(string text)
    {
        var line = text.Trim().Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}

using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// A guest with a NIC the typed inputs cannot describe (vhost-user, as libvirt's formatdomain shows it), on
/// libvirt's test driver loaded from a node file: import and discover read it (they used to fail on its
/// source mode), keep its NICs as XML in devicesXml, and say so, instead of dropping them silently.
/// </summary>
public sealed class UnmanagedDevicesTests : IDisposable
{
    private const string Domain = "kvm:index:Domain";
    private const string Warning = "its typed inputs cannot describe <interface type='vhostuser'> #2 (52:54:00:3b:83:1a), so the guest's NICs are kept as libvirt XML in `devicesXml` instead";

    private const string Node = """
        <node>
          <domain type="test">
            <name>vhost</name>
            <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
            <memory unit="KiB">262144</memory>
            <os><type arch="i686">hvm</type></os>
            <devices>
              <interface type="network">
                <mac address="52:54:00:00:00:01"/>
                <source network="default"/>
              </interface>
              <interface type="vhostuser">
                <mac address="52:54:00:3b:83:1a"/>
                <source type="unix" path="/tmp/vhost1.sock" mode="server"/>
                <model type="virtio"/>
              </interface>
            </devices>
          </domain>
        </node>
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kvm-unmanaged-");

    public UnmanagedDevicesTests() => File.WriteAllText(NodeFile, Node);

    private string NodeFile => Path.Combine(_dir.FullName, "node.xml");

    private string Uri => "test://" + NodeFile;

    [Fact]
    public async Task Import_keeps_the_nics_as_xml_warns_naming_the_one_it_cannot_type_and_shows_no_changes()
    {
        using var ns = LabNamespace.Create("kvmum");
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["uri"] = Uri,
            ["netns"] = ns.Name,
            ["libvirtHooksDir"] = Path.Combine(_dir.FullName, "hooks"),
        }));

        var import = await stack.ImportAsync(Domain, "v", "vhost");

        Assert.True(import.Ok, StepRenderer.Render(import));
        var warning = Assert.Single(stack.Engine.Logs, l => l.Message.Contains(Warning, StringComparison.Ordinal));
        Assert.Equal(LogSeverity.Warning, warning.Severity);
        Assert.Equal(stack.Urn(Domain, "v"), warning.Urn);
        Assert.StartsWith("domain vhost: `interfaces` is left unset", warning.Message, StringComparison.Ordinal);
        var inputs = Props.ToJson(import["v"].Inputs);
        Assert.DoesNotContain("\"interfaces\"", inputs, StringComparison.Ordinal);
        var devices = import["v"].Inputs!.Fields["devicesXml"].ListValue.Values.Select(v => v.StringValue).ToList();
        Assert.Contains(devices, d => d.StartsWith("<interface type=\"vhostuser\">", StringComparison.Ordinal) && d.Contains("mode=\"server\"", StringComparison.Ordinal));
        Assert.Contains(devices, d => d.StartsWith("<interface type=\"network\">", StringComparison.Ordinal));

        var again = (await stack.UpAsync(Res(Domain, "v", inputs))).EnsureOk();
        Assert.All(again.Steps, s => Assert.Equal(StepOp.Same, s.Op));
    }

    [Fact]
    public void Discover_lists_the_guest_and_says_on_stderr_what_its_inputs_leave_unmanaged()
    {
        using var ns = LabNamespace.Create("kvmum");
        var output = Path.Combine(_dir.FullName, "import.json");

        var run = Shell.Run(RepoPaths.ProviderBinary, ["discover", "--uri", Uri, "--netns", ns.Name, "--out", output],
            stdin: null, timeout: TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains($"discover: warning: domain vhost: `interfaces` is left unset", run.StdErr, StringComparison.Ordinal);
        Assert.Contains(Warning, run.StdErr, StringComparison.Ordinal);
        var entries = JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("resources").EnumerateArray()
            .Select(r => $"{r.GetProperty("type").GetString()} {r.GetProperty("id").GetString()}");
        Assert.Equal([$"{Domain} 4dea22b3-1d52-d8f3-2516-782e98ab3fa0"], entries); // a domain's id is its UUID
    }

    public void Dispose() => _dir.Delete(recursive: true);
}

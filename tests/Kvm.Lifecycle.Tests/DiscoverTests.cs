using System.Text.Json;
using System.Text.RegularExpressions;
using Kvm.Engine;
using Kvm.Lab;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>One entry of Pulumi's bulk import file.</summary>
public sealed record ImportEntry(string Type, string Name, string Id);

/// <summary>What one run of `pulumi-resource-kvm discover` did.</summary>
public sealed record DiscoverRun(int ExitCode, string Output, string StdErr)
{
    /// <summary>The plugin binary's `discover` against a host, its output written to <paramref name="outFile"/>.</summary>
    public static DiscoverRun Of(string uri, string netns, string format, string outFile)
    {
        var r = Shell.Run(RepoPaths.ProviderBinary, ["discover", "--uri", uri, "--netns", netns, "--format", format, "--out", outFile],
            stdin: null, timeout: TimeSpan.FromMinutes(2));
        return new DiscoverRun(r.ExitCode, File.Exists(outFile) ? File.ReadAllText(outFile) : "", r.StdErr);
    }
}

/// <summary>
/// A lab host (a namespace of its own with a private libvirtd) set up the way a user's host is:
/// everything by hand with ip and virsh, before the provider ever saw it. Then the real plugin
/// binary's `discover` runs against it twice (import file, C# program), between two snapshots.
/// </summary>
public sealed class HandMadeHost : IDisposable
{
    public const string Bridge = "kvm:index:Bridge";
    public const string Network = "kvm:index:LibvirtNetwork";
    public const string Domain = "kvm:index:Domain";

    public PrivateLibvirtd Libvirt { get; }
    public LabNamespace Ns => Libvirt.Namespace;
    public HostSnapshot Before { get; }
    public HostSnapshot After { get; }
    public DiscoverRun Import { get; }
    public DiscoverRun CSharp { get; }
    public IReadOnlyList<ImportEntry> Entries { get; }

    public HandMadeHost()
    {
        Libvirt = PrivateLibvirtd.Start();
        try
        {
            Populate();
            // Settle first (a new guest's tap, a bridge taking its ports' carrier): the snapshots
            // around discover must only differ by what discover did.
            var before = HostSnapshot.Take(Ns, Libvirt);
            Poll.Until(() =>
            {
                var again = HostSnapshot.Take(Ns, Libvirt);
                var same = before.Differences(again).Length == 0;
                before = again;
                return same;
            }, TimeSpan.FromMinutes(1), "the hand-made host to settle");
            Before = before;
            Import = Discover("import");
            CSharp = Discover("csharp");
            After = HostSnapshot.Take(Ns, Libvirt);
            Entries = Import.ExitCode != 0 ? [] : [.. JsonDocument.Parse(Import.Output).RootElement.GetProperty("resources").EnumerateArray()
                .Select(r => new ImportEntry(r.GetProperty("type").GetString()!, r.GetProperty("name").GetString()!, r.GetProperty("id").GetString()!))];
        }
        catch
        {
            Libvirt.Dispose();
            throw;
        }
    }

    private void Ip(params string[] args) => Ns.Ip(args);

    private void Veth(string port, string? bridge, bool up = true)
    {
        Ip("link", "add", port, "type", "veth", "peer", "name", port + "x");
        if (bridge is not null) Ip("link", "set", port, "master", bridge);
        if (up)
        {
            Ip("link", "set", port, "up");
            Ip("link", "set", port + "x", "up");
        }
    }

    private void Populate()
    {
        // Bridges, by hand. "lan": no STP, MTU 1400 (set by the user, so the kernel keeps it), one port.
        Ip("link", "add", "lan", "type", "bridge", "stp_state", "0", "forward_delay", "0");
        Ip("link", "set", "lan", "mtu", "1400");
        Veth("lan-p0", "lan");
        Ip("link", "set", "lan", "up");
        // The host's own address and default route on it, as every KVM guide sets them up.
        Ip("addr", "add", "192.168.40.90/24", "dev", "lan");
        Ip("route", "add", "default", "via", "192.168.40.1", "dev", "lan");
        // "br-stp": STP on, a long MAC ageing time, left down with a port whose cable is out.
        Ip("link", "add", "br-stp", "type", "bridge", "stp_state", "1", "ageing_time", "60000");
        Veth("stp-p0", "br-stp", up: false);
        // "br-ports": two ports, no multicast snooping; the running guest's tap joins it too.
        Ip("link", "add", "br-ports", "type", "bridge", "mcast_snooping", "0");
        Veth("pa", "br-ports");
        Veth("pb", "br-ports");
        // pb reflects frames back (hairpin) and has an STP cost of its own; pa keeps a new port's defaults.
        Ip("link", "set", "pb", "type", "bridge_slave", "hairpin", "on", "cost", "150");
        Ip("link", "set", "br-ports", "up");
        // A veth pair in no bridge: not something to manage.
        Veth("loose0", null, up: false);

        // libvirt networks, by hand: isolated with DHCP (autostarted), NAT, bridge mode on the
        // existing bridge "lan" (the same name as that bridge), and one defined but not running.
        foreach (var xml in new[]
        {
            """
            <network><name>hand-iso</name><bridge name='virbr-iso' stp='off'/>
              <dns><host ip='10.88.0.11'><hostname>web</hostname></host></dns>
              <ip address='10.88.0.1' netmask='255.255.255.0'><dhcp><range start='10.88.0.100' end='10.88.0.200'/>
                <host mac='52:54:00:88:00:01' name='web' ip='10.88.0.11'/></dhcp></ip>
              <portgroup name='office' default='yes'/></network>
            """,
            "<network><name>hand-nat</name><forward mode='nat'/><bridge name='virbr-nat' stp='off'/><ip address='10.89.0.1' prefix='24'/></network>",
            "<network><name>lan</name><forward mode='bridge'/><bridge name='lan'/></network>",
            "<network><name>hand-off</name><bridge name='virbr-off' stp='off'/><ip address='10.90.0.1' prefix='24'/></network>",
        })
            Libvirt.VirshXml("net-define", xml);
        foreach (var net in new[] { "hand-iso", "hand-nat", "lan" }) Libvirt.Virsh("net-start", net);
        Libvirt.Virsh("net-autostart", "hand-iso");

        // Domains, by hand: "web 1" (a name with a space) only defined, with a disk, a serial
        // port and a VNC console with a password; "db" running (a diskless TCG guest idling in
        // its firmware). Each has a NIC on a bridge and one on a network.
        var image = Path.Combine(Libvirt.Mounts.StateDir, "web.img");
        Shell.Check("qemu-img", "create", "-q", "-f", "raw", image, "1M");
        Libvirt.VirshXml("define", Guest("web 1",
            NetworkLab.BridgeNic("lan", "52:54:00:aa:00:01") + NetworkLab.NetworkNic("hand-iso", "52:54:00:88:00:01") +
            $"<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{image}'/><target dev='vda' bus='virtio'/></disk>" +
            "<serial type='pty'/><graphics type='vnc' autoport='yes' listen='127.0.0.1' passwd='s3cret'/>"));
        Libvirt.VirshXml("define", Guest("db",
            NetworkLab.BridgeNic("br-ports", "52:54:00:aa:00:03") +
            "<interface type='network'><source network='hand-nat'/><mac address='52:54:00:aa:00:04'/><model type='e1000e'/><rom enabled='no'/></interface>"));
        Libvirt.Virsh("start", "db");
    }

    private static string Guest(string name, string interfacesXml) => NetworkLab.GuestXml(name, interfacesXml);

    private DiscoverRun Discover(string format) =>
        DiscoverRun.Of(Libvirt.Uri, Ns.Name, format, Path.Combine(Libvirt.Mounts.StateDir, $"discover-{format}.out"));

    /// <summary>Provider configuration for this host (hooks, if any, stay in the private libvirt's folder).</summary>
    public string ProviderConfig => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["uri"] = Libvirt.Uri,
        ["netns"] = Ns.Name,
        ["libvirtHooksDir"] = Libvirt.HooksDir,
    });

    public void Dispose() => Libvirt.Dispose();
}

/// <summary>
/// `pulumi-resource-kvm discover` against a host made by hand (issue 7): it lists what a user
/// would adopt and says what it left out; it changes nothing; every resource it lists imports
/// through the engine with an empty diff; and the C# program it writes compiles against the SDK.
/// </summary>
public sealed partial class DiscoverTests(HandMadeHost host) : IClassFixture<HandMadeHost>
{
    [Fact]
    public void The_import_file_lists_the_hand_made_bridges_networks_and_domains_under_unique_valid_names()
    {
        Assert.True(host.Import.ExitCode == 0, $"discover failed ({host.Import.ExitCode}): {host.Import.StdErr}");
        Assert.Equal(
        [
            new(HandMadeHost.Bridge, "br-ports", "br-ports"),
            new(HandMadeHost.Bridge, "br-stp", "br-stp"),
            new(HandMadeHost.Bridge, "lan", "lan"),
            new(HandMadeHost.Network, "hand-iso", "hand-iso"),
            new(HandMadeHost.Network, "hand-nat", "hand-nat"),
            new(HandMadeHost.Network, "hand-off", "hand-off"),
            new(HandMadeHost.Network, "lan-network", "lan"),
            new(HandMadeHost.Domain, "db", DomainUuid("db")),
            new(HandMadeHost.Domain, "web-1", DomainUuid("web 1")),
        ], host.Entries);
        Assert.Equal(host.Entries.Count, host.Entries.Select(e => e.Name).Distinct().Count());
        Assert.All(host.Entries, e => Assert.Matches(LogicalName(), e.Name));
    }

    private string DomainUuid(string name) => host.Libvirt.Virsh("domuuid", name).Trim();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex LogicalName();

    [Fact]
    public void Stderr_says_what_was_left_out_and_why()
    {
        var lines = host.Import.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string Why(string what) => Assert.Single(lines, l => l.StartsWith($"discover: left out {what}: ", StringComparison.Ordinal));
        Assert.Contains("loopback", Why("lo"));
        Assert.Contains("libvirt network hand-iso creates and owns", Why("virbr-iso"));
        Assert.Contains("libvirt network hand-nat creates and owns", Why("virbr-nat"));
        Assert.Contains("in no bridge", Why("loose0"));
        var taps = host.Ns.Links().EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Where(n => n.StartsWith("vnet", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, taps.Count); // db's two NICs
        Assert.All(taps, tap => Assert.Contains("a guest's tap", Why(tap)));
        // ports are declared by their bridges, not left out
        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"left out (lan-p0|stp-p0|pa|pb):"));
        Assert.Contains("discover: found 9 resources: 3 Bridge, 4 LibvirtNetwork, 2 Domain", lines);
    }

    [Fact]
    public void Discover_changes_nothing_on_the_host()
    {
        Assert.Equal(0, host.Import.ExitCode);
        Assert.Equal(0, host.CSharp.ExitCode);
        Assert.Contains("ip link lan", host.Before.Entries.Keys);
        Assert.Contains("ip link vnet0", host.Before.Entries.Keys);
        Assert.Contains("domain db xml", host.Before.Entries.Keys);
        Assert.Contains("network hand-off inactive xml", host.Before.Entries.Keys);
        Assert.Equal("", host.Before.Differences(host.After));
    }

    [Fact]
    public async Task Every_resource_found_imports_through_the_engine_with_an_empty_diff_and_the_first_preview_shows_no_changes()
    {
        Assert.NotEmpty(host.Entries);
        await using var stack = await Stack.StartAsync(host.ProviderConfig);
        foreach (var e in host.Entries)
        {
            // Read(id, no properties) -> inputs; Check accepts them; Diff(Read state, checked inputs)
            var import = await stack.ImportAsync(e.Type, e.Name, e.Id);
            Assert.True(import.Ok, StepRenderer.Render(import));
            var step = import[e.Name];
            Assert.NotEmpty(step.Inputs!.Fields);
            Assert.Equal(DiffResponse.Types.DiffChanges.DiffNone, step.Diff!.Changes);
        }

        // the program that declares exactly what was imported: preview shows nothing to do
        var program = stack.State.Select(s => Res(s.Type, s.Name, Props.ToJson(s.Inputs))).ToArray();
        var preview = (await stack.PreviewAsync(program)).EnsureOk();
        Assert.True(preview.Steps.All(s => s.Op == StepOp.Same), StepRenderer.Render(preview));
        Assert.Equal("", host.Before.Differences(HostSnapshot.Take(host.Ns, host.Libvirt)));
    }

    [Fact]
    public void The_csharp_program_declares_the_same_resources_with_references_and_compiles_against_the_sdk()
    {
        Assert.True(host.CSharp.ExitCode == 0, host.CSharp.StdErr);
        var program = host.CSharp.Output;
        foreach (var e in host.Entries)
            Assert.Contains($"new Kvm.{e.Type.Split(':')[^1]}(\"{e.Name}\",", program);
        // references instead of repeated names: NICs name their bridge and network resources
        Assert.Contains("Bridge = brPorts.Name,", program);
        Assert.Contains("Network = handNat.Name,", program);
        Assert.Contains("Network = handIso.Name,", program);
        Assert.Contains("Name = lan.Name,", program); // the bridge-mode network's bridge
        // port options: only what differs from a new port's defaults
        Assert.Contains("PortOptions =", program);
        Assert.Contains("Hairpin = true,", program);
        Assert.Contains("Cost = 150,", program);
        Assert.DoesNotContain("Learning =", program);
        Assert.Contains("Addresses = new string[] { \"192.168.40.90/24\" },", program);
        Assert.Contains("Gateway = \"192.168.40.1\",", program);
        // the console password is not written into the source
        Assert.DoesNotContain("s3cret", program);
        Assert.Contains("config.RequireSecret(", program);

        var sdk = Sdk.Value;
        Assert.True(sdk.Image is not null, sdk.Report());
        var compiled = Kvm.Sdk.Tests.Roslyn.Compile("DiscoveredHost", [("Program.cs", program)],
            [Kvm.Sdk.Tests.Roslyn.PulumiReference, MetadataReference.CreateFromImage(sdk.Image!)], OutputKind.ConsoleApplication, LanguageVersion.Latest);
        Assert.True(compiled.Problems.IsEmpty, $"{compiled.Report()}\n{program}");
    }

    /// <summary>The committed SDK (sdk/dotnet), compiled in memory the way its csproj would.</summary>
    internal static readonly Lazy<Kvm.Sdk.Tests.Roslyn.Result> Sdk = new(() =>
    {
        var dir = Path.Combine(RepoPaths.Root, "sdk", "dotnet");
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(dir, f)));
        return Kvm.Sdk.Tests.Roslyn.CompileSdk("Pulumi.Kvm", files);
    });
}

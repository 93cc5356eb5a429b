using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using Kvm.Engine.Fuzzing;
using Kvm.Lab;

namespace Kvm.Lifecycle.Tests.Hardening;

/// <summary>
/// Malformed requests, as a careless or hostile client sends them, to the real plugin over gRPC,
/// against a lab host (a namespace of its own and a private libvirtd). Seeded and bounded: for each
/// resource, the same 1,000 requests every run, over Check, Create, Update, Diff, Read and Delete.
/// Every answer must be a deliberate status (never UNKNOWN) with a message, no answer may contain a
/// value that arrived secret, nothing refused may change the host, and the plugin answers at the end.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 20261205;
    private const int RequestsPerResource = 1000;

    private static readonly (string Token, string Valid)[] Resources =
    [
        ("kvm:index:Bridge", """{"name": "fz0", "stp": false, "mtu": 1500, "ports": ["fzp0"], "macAddress": "52:54:00:fa:00:01", "portOptions": [{"port": "fzp0", "hairpin": true, "cost": 100, "priority": 7}], "addresses": ["10.98.0.1/24", "fd98::1/64"], "routes": [{"destination": "10.97.0.0/24", "via": "10.98.0.254", "metric": 10}]}"""),
        ("kvm:index:VlanFilter", """{"bridge": "fz0", "port": "fzp0", "vlans": [{"vid": 10, "pvid": true, "untagged": true}, {"range": "20-29"}]}"""),
        ("kvm:index:LibvirtNetwork", """{"name": "fz", "bridge": {"name": "virbr-fz", "stp": false}, "ips": [{"address": "10.99.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.99.0.10", "end": "10.99.0.20"}], "hosts": [{"mac": "52:54:00:fa:00:02", "ip": "10.99.0.11"}]}}], "dns": {"hosts": [{"ip": "10.99.0.11", "hostnames": ["g"]}]}}"""),
        ("kvm:index:Domain", """{"name": "fz", "type": "qemu", "memoryMib": 64, "vcpus": 1, "running": false, "interfaces": [{"type": "network", "network": "fz"}], "graphics": {"type": "vnc", "password": "pw"}}"""),
        ("kvm:index:OvsBridge", """{"name": "fzovs", "datapathType": "netdev", "failMode": "standalone", "mtu": 1500, "otherConfig": {"mac-aging-time": "60", "stp-priority": "32768"}, "externalIds": {"fz-owner": "fuzz"}, "ports": [{"name": "fzacc", "type": "internal", "tag": 10}, {"name": "fztrk", "type": "internal", "vlanMode": "native-untagged", "tag": 5, "trunks": [5, 6]}, {"name": "fzbond", "bond": {"members": ["fzm0", "fzm1"], "lacp": "active", "bondMode": "balance-tcp"}}, {"name": "fzpatch", "type": "patch", "peer": "fzpeer"}]}"""),
    ];

    [Fact]
    public async Task A_thousand_malformed_requests_per_resource_are_refused_deliberately_and_change_nothing()
    {
        using var lv = PrivateLibvirtd.Start();
        using var ovs = OvsSwitch.Start(lv.Namespace);
        var before = HostSnapshot.Take(lv.Namespace, lv);
        var ovsBefore = ovs.Vsctl("show");
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["uri"] = lv.Uri,
            ["netns"] = lv.Namespace.Name,
            ["libvirtHooksDir"] = lv.HooksDir,
            ["ovsdbSocket"] = ovs.DbSocket,
        }));
        var fuzz = new FuzzRun(stack.Provider.Client, Seed);
        foreach (var (token, valid) in Resources)
            await fuzz.RunAsync(token, valid, id: "fz", RequestsPerResource);

        var info = await stack.Provider.Client.GetPluginInfoAsync(new Empty()); // still answers
        Assert.False(string.IsNullOrEmpty(info.Version));
        Assert.DoesNotContain("failed unexpectedly", stack.Provider.Stderr);
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts")).FullName, "fuzz.md"),
            $"# Fuzz run (seed {Seed})\n\nOn a lab host (a namespace, a private libvirtd and Open vSwitch): {fuzz.Report}\n\nhost changes: {before.Differences(HostSnapshot.Take(lv.Namespace, lv)).Length}\n");
        Assert.True(fuzz.Problems.Count == 0, $"{fuzz.Report}\n{string.Join("\n", fuzz.Problems.Take(40))}");
        Assert.Equal("", before.Differences(HostSnapshot.Take(lv.Namespace, lv)));
        Assert.Equal(ovsBefore, ovs.Vsctl("show"));
    }

    /// <summary>
    /// The libvirt resources again, on libvirt's test driver (test:///default, inside the plugin): the
    /// objects the driver starts with are read back unchanged, and no fuzzed object came to exist.
    /// </summary>
    [Fact]
    public async Task On_libvirts_test_driver_the_libvirt_resources_refuse_the_same_way()
    {
        const string network = "kvm:index:LibvirtNetwork", domain = "kvm:index:Domain";
        using var ns = LabNamespace.CreateLab();
        await using var stack = await Stack.StartAsync($$"""{"uri": "test:///default", "netns": "{{ns.Name}}"}""");
        var client = stack.Provider.Client;
        async Task<string> HeldAsync(string type, string id) =>
            Props.ToJson((await client.ReadAsync(new Pulumirpc.ReadRequest { Id = id, Urn = stack.Urn(type, "held"), Type = type, Name = "held" })).Properties);
        async Task<string> HostAsync() => await HeldAsync(network, "default") + "\n" + await HeldAsync(domain, "test")
            + "\nfz: " + await HeldAsync(network, "fz") + " " + await HeldAsync(domain, "fz");
        var before = await HostAsync();
        Assert.Contains("fz: null null", before.Replace("{ }", "null", StringComparison.Ordinal));

        var fuzz = new FuzzRun(client, Seed);
        await fuzz.RunAsync(network, Resources.Single(r => r.Token == network).Valid, id: "fz", RequestsPerResource);
        await fuzz.RunAsync(domain, """{"name": "fz", "type": "test", "memoryMib": 64, "vcpus": 1, "running": false, "interfaces": [{"type": "network", "network": "default"}], "graphics": {"type": "vnc", "password": "pw"}}""",
            id: "fz", RequestsPerResource);

        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts")).FullName, "fuzz-test-driver.md"),
            $"# Fuzz run (seed {Seed}) on libvirt's test driver (test:///default)\n\n{fuzz.Report}\n\nobjects changed or made: {(before == await HostAsync() ? 0 : "some")}\n");
        Assert.True(fuzz.Problems.Count == 0, $"{fuzz.Report}\n{string.Join("\n", fuzz.Problems.Take(40))}");
        Assert.Equal(before, await HostAsync());
    }
}

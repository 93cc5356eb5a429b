using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// OvsBridge over gRPC against Open vSwitch of our own (userspace datapath) in a lab namespace; `ovs-vsctl` only
/// observes and plays the other admin.
/// </summary>
public sealed class OvsBridgeLifecycleTests
{
    internal const string OvsBridge = "kvm:index:OvsBridge";

    internal static Task<Stack> StackFor(OvsSwitch ovs, PrivateLibvirtd? lv = null) =>
        Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["ovsdbSocket"] = ovs.DbSocket,
            ["netns"] = ovs.Namespace.Name,
            ["uri"] = lv?.Uri ?? "test:///default",
        }));

    private static string Get(OvsSwitch ovs, string table, string row, string column) => ovs.Vsctl("get", table, row, column).Trim();

    private static IEnumerable<string> Logs(Stack stack, string prefix) => NetworkLab.Logs(stack, prefix);

    private const string Uplink = """
        {"name": "ovs-up", "datapathType": "netdev", "failMode": "standalone", "mtu": 1400,
         "otherConfig": {"mac-aging-time": "600", "stp-priority": "100"}, "externalIds": {"owner": "pulumi"},
         "ports": [
           {"name": "acc10", "type": "internal", "tag": 10},
           {"name": "trk", "type": "internal", "vlanMode": "trunk", "trunks": [30, 20]},
           {"name": "nat", "type": "internal", "vlanMode": "native-untagged", "tag": 5, "trunks": [5, 6]},
           {"name": "bond0", "bond": {"members": ["eth-a", "eth-b"], "bondMode": "balance-slb", "lacp": "active"}, "trunks": [10, 20]},
           {"name": "to-core", "type": "patch", "peer": "to-up"}
         ]}
        """;

    private const string Core = """{"name": "ovs-core", "datapathType": "netdev", "ports": [{"name": "to-up", "type": "patch", "peer": "to-core"}]}""";

    [Fact]
    public async Task Create_change_drift_import_and_destroy_speak_ovsdb_only()
    {
        using var ovs = OvsSwitch.Start();
        ovs.Namespace.Ip("link", "add", "eth-a", "type", "veth", "peer", "name", "eth-a-peer");
        ovs.Namespace.Ip("link", "add", "eth-b", "type", "veth", "peer", "name", "eth-b-peer");
        await using var stack = await StackFor(ovs);
        var up = Res(OvsBridge, "up", Uplink);
        var core = Res(OvsBridge, "core", Core);

        var preview = (await stack.PreviewAsync(up, core)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["up"].Op);
        Assert.Equal("", ovs.Vsctl("list-br").Trim());   // a preview writes nothing

        (await stack.UpAsync(up, core)).EnsureOk();
        Assert.Equal("netdev", Get(ovs, "bridge", "ovs-up", "datapath_type"));
        Assert.Equal("standalone", Get(ovs, "bridge", "ovs-up", "fail_mode"));
        Assert.Equal("{mac-aging-time=\"600\", stp-priority=\"100\"}", Get(ovs, "bridge", "ovs-up", "other_config"));
        Assert.Equal("{owner=pulumi}", Get(ovs, "bridge", "ovs-up", "external_ids"));
        Assert.Equal("1400", Get(ovs, "interface", "ovs-up", "mtu_request"));
        Assert.Equal(["acc10", "bond0", "nat", "to-core", "trk"], ovs.Vsctl("list-ports", "ovs-up").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("10", Get(ovs, "port", "acc10", "tag"));
        Assert.Equal("[20, 30]", Get(ovs, "port", "trk", "trunks"));
        Assert.Equal("trunk", Get(ovs, "port", "trk", "vlan_mode"));
        Assert.Equal("native-untagged", Get(ovs, "port", "nat", "vlan_mode"));
        Assert.Equal("balance-slb", Get(ovs, "port", "bond0", "bond_mode"));
        Assert.Equal("active", Get(ovs, "port", "bond0", "lacp"));
        Assert.Equal(["eth-a", "eth-b"], ovs.Vsctl("--bare", "--columns=name", "find", "interface", "type=\"\"").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal("{peer=to-up}", Get(ovs, "interface", "to-core", "options"));
        Assert.Equal("patch", Get(ovs, "interface", "to-up", "type"));
        Assert.Matches("^[0-9a-f-]{36}$", stack["up"].Output("uuid")!.StringValue);
        Assert.All((await stack.UpAsync(up, core)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));   // read back exactly

        // One change: a tag, a port gone, a port added, STP on.
        stack.Engine.ClearLogs();
        var changed = Res(OvsBridge, "up", Uplink.Replace("\"tag\": 10}", "\"tag\": 11}").Replace("""{"name": "trk", "type": "internal", "vlanMode": "trunk", "trunks": [30, 20]},""", """{"name": "acc12", "type": "internal", "tag": 12},""").Replace("\"mtu\": 1400,", "\"mtu\": 1400, \"stpEnable\": true,"));
        var plan = (await stack.PreviewAsync(changed, core)).EnsureOk();
        Assert.Equal(StepOp.Update, plan["up"].Op);
        Assert.Equal(["ports", "stpEnable"], plan["up"].Diff!.Diffs);
        var lines = Logs(stack, "kvm:live").ToList();
        Assert.Contains(lines, l => l.StartsWith("kvm:live ports: trk leaves the bridge: its traffic stops; acc10 changes VLAN or bond settings", StringComparison.Ordinal) && l.Contains("acc12 joins", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("kvm:live stpEnable: STP starts on ovs-up", StringComparison.Ordinal));
        var uuid = Get(ovs, "bridge", "ovs-up", "_uuid");
        Assert.Equal(StepOp.Update, (await stack.UpAsync(changed, core)).EnsureOk()["up"].Op);
        Assert.Equal(uuid, Get(ovs, "bridge", "ovs-up", "_uuid"));   // in place
        Assert.Equal("11", Get(ovs, "port", "acc10", "tag"));
        Assert.Equal("12", Get(ovs, "port", "acc12", "tag"));
        Assert.Equal("true", Get(ovs, "bridge", "ovs-up", "stp_enable"));
        Assert.DoesNotContain("trk", ovs.Vsctl("list-ports", "ovs-up"));
        Assert.Equal("", ovs.Vsctl("--bare", "--columns=name", "find", "interface", "name=trk").Trim());   // its interface went with it

        // Drift made by hand shows at refresh, and up puts it back.
        ovs.Vsctl("set", "port", "acc10", "tag=99", "--", "set", "bridge", "ovs-up", "other_config:mac-aging-time=30");
        Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["up"].Op);
        Assert.Equal(99, (int)stack["up"].Output("ports[0].tag")!.NumberValue);
        var drift = (await stack.PreviewAsync(changed, core)).EnsureOk()["up"].Diff!;
        Assert.Equal(["otherConfig", "ports"], drift.Diffs);
        Assert.Equal(["otherConfig[\"mac-aging-time\"]", "ports[0].tag"], drift.DetailedDiff.Keys.Order(StringComparer.Ordinal));   // one key, not the whole map
        (await stack.UpAsync(changed, core)).EnsureOk();
        Assert.Equal("11", Get(ovs, "port", "acc10", "tag"));
        Assert.Equal("{mac-aging-time=\"600\", stp-priority=\"100\"}", Get(ovs, "bridge", "ovs-up", "other_config"));

        // A key added by hand is drift too, of that key alone, and up takes it away again ("exactly these keys").
        ovs.Vsctl("set", "bridge", "ovs-up", "external_ids:added-by=hand");
        Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["up"].Op);
        Assert.Equal(["externalIds[\"added-by\"]"], (await stack.PreviewAsync(changed, core)).EnsureOk()["up"].Diff!.DetailedDiff.Keys);
        (await stack.UpAsync(changed, core)).EnsureOk();
        Assert.Equal("{owner=pulumi}", Get(ovs, "bridge", "ovs-up", "external_ids"));

        // Imported as it is: the program of the imported inputs has no changes.
        stack.Forget("up");
        var imported = await stack.ImportAsync(OvsBridge, "up", "ovs-up");
        Assert.True(imported.Ok, imported["up"].Error);
        var importedDecl = Res(OvsBridge, "up", Props.ToJson(stack["up"].Inputs));
        Assert.All((await stack.PreviewAsync(importedDecl, core)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        (await stack.DestroyAsync()).EnsureOk();
        Assert.Equal("", ovs.Vsctl("list-br").Trim());
        Assert.Equal("", ovs.Vsctl("--bare", "--columns=name", "list", "interface").Trim());
    }

    [Fact]
    public async Task Bad_input_fails_check_naming_the_property()
    {
        using var ovs = OvsSwitch.Start();
        ovs.AddBridge("other");
        ovs.Vsctl("add-port", "other", "taken", "--", "set", "interface", "taken", "type=internal");
        await using var stack = await StackFor(ovs);
        var bad = Res(OvsBridge, "b", """
            {"name": "ovs-bad", "ports": [
              {"name": "mixed", "type": "internal", "tag": 10, "trunks": [20]},
              {"name": "lonely", "bond": {"members": ["eth-x"]}},
              {"name": "taken", "type": "internal"}
            ]}
            """);
        var result = await stack.PreviewAsync(bad);
        var failures = result["b"].Failures.ToDictionary(f => f.Property, f => f.Reason);
        Assert.Equal(["ports[0].trunks", "ports[1].bond.members"], failures.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("port mixed has an access tag (10) and trunks", failures["ports[0].trunks"]);
        Assert.StartsWith("a bond needs at least two members", failures["ports[1].bond.members"]);

        var range = await stack.PreviewAsync(Res(OvsBridge, "b", """{"name": "ovs-bad", "ports": [{"name": "far", "type": "internal", "tag": 5000}]}"""));
        Assert.Equal("ports[0].tag", Assert.Single(range["b"].Failures).Property);

        // The host's rule runs once the inputs are sound: a port already on another bridge.
        var taken = Res(OvsBridge, "b", """{"name": "ovs-bad", "ports": [{"name": "taken", "type": "internal"}]}""");
        var second = await stack.PreviewAsync(taken);
        var failure = Assert.Single(second["b"].Failures);
        Assert.Equal("ports[0].name", failure.Property);
        Assert.Equal("taken is already a port of the Open vSwitch bridge other; a port belongs to one bridge (remove it there first)", failure.Reason);
        Assert.Equal("other", ovs.Vsctl("port-to-br", "taken").Trim());
    }

    [Fact]
    public async Task A_bridge_made_by_hand_is_never_adopted_and_ovsdb_refusals_keep_its_words()
    {
        using var ovs = OvsSwitch.Start();
        ovs.AddBridge("ovs-hand");
        await using var stack = await StackFor(ovs);
        var result = await stack.UpAsync(Res(OvsBridge, "h", """{"name": "ovs-hand"}"""));
        Assert.Equal(StepOp.Failed, result["h"].Op);
        Assert.Contains("an Open vSwitch bridge named \"ovs-hand\" already exists", result["h"].Error);
        Assert.Contains("pulumi import kvm:index:OvsBridge <resource-name> ovs-hand", result["h"].Error);

        // An interface name Open vSwitch already holds under another port: OVSDB's own refusal.
        ovs.Vsctl("add-port", "ovs-hand", "b1", "--", "set", "interface", "b1", "type=internal");
        var clash = await stack.UpAsync(Res(OvsBridge, "n", """{"name": "ovs-new", "ports": [{"name": "bond9", "bond": {"members": ["b1", "b2"]}}]}"""));
        Assert.Equal(StepOp.Failed, clash["n"].Op);
        Assert.Contains("b1 is already an interface of port b1 on the Open vSwitch bridge ovs-hand", clash["n"].Failures.Single().Reason);
    }

    [Fact]
    public async Task Discover_lists_bridges_made_by_hand_and_their_import_has_an_empty_diff()
    {
        using var ovs = OvsSwitch.Start();
        foreach (var veth in new[] { "eth-a", "eth-b", "eth-c" })
            ovs.Namespace.Ip("link", "add", veth, "type", "veth", "peer", "name", veth + "x");
        ovs.AddBridge("ovsbr0");
        ovs.AddBridge("ovsbr1");
        ovs.Vsctl("set", "bridge", "ovsbr0", "fail_mode=secure", "stp_enable=true", "other_config:mac-aging-time=120", "external_ids:site=lab");
        ovs.Vsctl("add-port", "ovsbr0", "eth-c", "trunks=10,20");
        ovs.Vsctl("add-port", "ovsbr0", "int10", "tag=10", "--", "set", "interface", "int10", "type=internal");
        ovs.Vsctl("add-bond", "ovsbr0", "bond0", "eth-a", "eth-b", "lacp=active", "bond_mode=balance-tcp", "vlan_mode=native-untagged", "tag=5", "trunks=5,6");
        ovs.Vsctl("add-port", "ovsbr0", "p0", "--", "set", "interface", "p0", "type=patch", "options:peer=p1");
        ovs.Vsctl("add-port", "ovsbr1", "p1", "--", "set", "interface", "p1", "type=patch", "options:peer=p0");
        // A guest's port as libvirt adds it.
        ovs.Vsctl("add-port", "ovsbr0", "vnet7", "tag=42", "--", "set", "interface", "vnet7", "type=internal",
            "external_ids:attached-mac=\"52:54:00:6d:1e:07\"", "external_ids:vm-id=0b6a2d3e-5f4c-4e7a-9d1b-8c2f3e4a5b6c");
        // The host's side: an address and the default route on the bridge's own internal port, a management
        // address and a static route on int10.
        ovs.Namespace.Ip("link", "set", "ovsbr0", "up");
        ovs.Namespace.Ip("addr", "add", "192.168.90.2/24", "dev", "ovsbr0");
        ovs.Namespace.Ip("route", "add", "default", "via", "192.168.90.1", "dev", "ovsbr0");
        ovs.Namespace.Ip("link", "set", "int10", "up");
        ovs.Namespace.Ip("addr", "add", "10.10.0.2/24", "dev", "int10");
        ovs.Namespace.Ip("route", "add", "10.77.0.0/16", "via", "10.10.0.1", "dev", "int10");
        var before = ovs.Vsctl("show");

        var outFile = Path.Combine(ovs.Mounts.StateDir, "import.json");
        var run = Shell.Run(RepoPaths.ProviderBinary, ["discover", "--uri", "test:///default", "--netns", ovs.Namespace.Name, "--ovsdb-socket", ovs.DbSocket, "--out", outFile],
            stdin: null, timeout: TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal(before, ovs.Vsctl("show"));   // only read
        var entries = JsonDocument.Parse(File.ReadAllText(outFile)).RootElement.GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("type").GetString() == OvsBridge)
            .Select(r => (Name: r.GetProperty("name").GetString()!, Id: r.GetProperty("id").GetString()!)).ToList();
        Assert.Equal([("ovsbr0", "ovsbr0"), ("ovsbr1", "ovsbr1")], entries);
        Assert.Contains("vnet7: a guest's port on the Open vSwitch bridge ovsbr0: it belongs to its domain", run.StdErr);
        Assert.DoesNotContain("int10: a guest", run.StdErr);

        await using var stack = await StackFor(ovs);
        foreach (var (name, id) in entries)
        {
            var imported = await stack.ImportAsync(OvsBridge, name, id);
            Assert.True(imported.Ok, imported[name].Error);
        }
        var inputs = Props.ToJson(stack["ovsbr0"].Inputs);
        Assert.Contains("\"bondMode\": \"balance-tcp\"", inputs);
        Assert.Contains("\"gateway\": \"192.168.90.1\"", inputs);
        Assert.Contains("\"10.10.0.2/24\"", inputs);
        Assert.DoesNotContain("vnet7", inputs);
        Assert.Equal(["vnet7"], stack["ovsbr0"].Output("guestPorts")!.ListValue.Values.Select(v => v.StringValue));
        var program = entries.Select(e => Res(OvsBridge, e.Name, Props.ToJson(stack[e.Name].Inputs))).ToArray();
        var preview = (await stack.PreviewAsync(program)).EnsureOk();
        Assert.All(preview.Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.All(preview.Steps.Where(s => s.Diff is not null), s => Assert.Equal(Pulumirpc.DiffResponse.Types.DiffChanges.DiffNone, s.Diff!.Changes));

        // The C# program of the same host declares both bridges with the SDK's types.
        var csharp = Shell.Run(RepoPaths.ProviderBinary, ["discover", "--uri", "test:///default", "--netns", ovs.Namespace.Name, "--ovsdb-socket", ovs.DbSocket, "--format", "csharp"],
            stdin: null, timeout: TimeSpan.FromMinutes(2));
        Assert.Contains("new Kvm.OvsBridge(\"ovsbr0\"", csharp.StdOut);
        Assert.Contains("new Kvm.Inputs.OvsBondArgs", csharp.StdOut);
        Assert.Contains("OtherConfig = { [\"mac-aging-time\"] = \"120\" },", csharp.StdOut);
        Assert.Contains("ExternalIds = { [\"site\"] = \"lab\" },", csharp.StdOut);
        Assert.Contains("Gateway = \"192.168.90.1\",", csharp.StdOut);
        Assert.Contains("new Kvm.Inputs.BridgeRouteArgs", csharp.StdOut);
        var sdk = DiscoverTests.Sdk.Value;
        Assert.True(sdk.Image is not null, sdk.Report());
        var compiled = Kvm.Sdk.Tests.Roslyn.Compile("DiscoveredSwitch", [("Program.cs", csharp.StdOut)],
            [Kvm.Sdk.Tests.Roslyn.PulumiReference, Microsoft.CodeAnalysis.MetadataReference.CreateFromImage(sdk.Image!)],
            Microsoft.CodeAnalysis.OutputKind.ConsoleApplication, Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
        Assert.True(compiled.Problems.IsEmpty, $"{compiled.Report()}\n{csharp.StdOut}");

        // Destroy refuses a bridge with a guest's port unless forced.
        var destroy = await stack.DestroyAsync();
        Assert.Equal(StepOp.Failed, destroy["ovsbr0"].Op);
        Assert.Contains("carries guests' ports (vnet7)", destroy["ovsbr0"].Error);
        Assert.Contains("ovsbr0", ovs.Vsctl("list-br"));
    }

    /// <summary>A tiny TCG guest on <paramref name="nic"/>.</summary>
    private static string Guest(string name, string nic)
    {
        var boot = KernelVm.Boot;
        return $$"""
            {"name": "{{name}}", "type": "qemu", "memoryMib": 128, "vcpus": 1, "machine": "q35",
             "kernel": "{{boot.Kernel}}", "initrd": "{{boot.Initrd}}", "kernelCmdline": "console=ttyS0 quiet panic=-1 kvmlab.idle",
             "onPoweroff": "destroy", "onReboot": "destroy", "onCrash": "destroy", "shutdownTimeoutSeconds": 1,
             "interfaces": [{{nic}}]}
            """;
    }

    [Fact]
    public async Task One_program_declares_the_switch_a_network_on_it_and_guests_whose_ports_a_change_of_the_switch_never_touches()
    {
        using var ns = LabNamespace.CreateLab();
        using var ovs = OvsSwitch.Start(ns);
        using var lv = PrivateLibvirtd.Start(ns);
        ns.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1x");
        await using var stack = await StackFor(ovs, lv);
        static ResourceDecl Switch(string ports) => Res(OvsBridge, "sw", $$"""{"name": "ovsbr0", "datapathType": "netdev", "ports": [{{ports}}]}""");
        const string Uplink = """{"name": "eth1", "vlanMode": "trunk", "trunks": [10, 20]}""";
        // The network and the guest name the switch by its output, so the engine makes the switch first.
        var network = Res(NetworkLab.NetworkType, "net", """
            {"name": "lab-ovs", "forward": {"mode": "bridge"}, "bridge": {"name": "${sw.name}"}, "virtualPort": {"type": "openvswitch"},
             "portGroups": [{"name": "v10", "isDefault": true, "vlan": {"tags": [{"id": 10}]}}, {"name": "v20", "vlan": {"tags": [{"id": 20}]}}]}
            """);
        var onNetwork = Res(DomainLifecycleTests.Domain, "g1", Guest("ovs-g1", """{"type": "network", "network": "${net.name}", "portGroup": "v20", "model": "virtio", "bootRom": false}"""));
        var onBridge = Res(DomainLifecycleTests.Domain, "g2", Guest("ovs-g2", """{"type": "bridge", "bridge": "${sw.name}", "virtualPort": "openvswitch", "vlan": {"tags": [10]}, "model": "virtio", "bootRom": false}"""));

        (await stack.UpAsync(Switch(Uplink), network, onNetwork, onBridge)).EnsureOk();
        var tap1 = stack["g1"].Output("interfaces[0].targetDevice")!.StringValue;
        var tap2 = stack["g2"].Output("interfaces[0].targetDevice")!.StringValue;
        Assert.Equal("20", Get(ovs, "port", tap1, "tag"));
        Assert.Equal("10", Get(ovs, "port", tap2, "tag"));
        Assert.Equal("ovsbr0", ovs.Vsctl("port-to-br", tap1).Trim());

        // The guests' ports show in guestPorts, never in ports, and a change of ports leaves them as libvirt made them.
        (await stack.RefreshAsync()).EnsureOk();
        Assert.Equal([tap1, tap2], stack["sw"].Output("guestPorts")!.ListValue.Values.Select(v => v.StringValue).Order(StringComparer.Ordinal));
        var before = (Get(ovs, "port", tap1, "_uuid"), Get(ovs, "port", tap2, "_uuid"));
        var changed = (await stack.UpAsync(Switch("""{"name": "eth1", "vlanMode": "trunk", "trunks": [10, 20, 30]}, {"name": "mgmt", "type": "internal", "tag": 30}"""), network, onNetwork, onBridge)).EnsureOk();
        Assert.Equal(StepOp.Update, changed["sw"].Op);
        Assert.Equal("[10, 20, 30]", Get(ovs, "port", "eth1", "trunks"));
        Assert.Equal(before, (Get(ovs, "port", tap1, "_uuid"), Get(ovs, "port", tap2, "_uuid")));
        (await stack.UpAsync(Switch(""), network, onNetwork, onBridge)).EnsureOk();   // every declared port gone
        Assert.Equal([tap1, tap2], ovs.Vsctl("list-ports", "ovsbr0").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

        (await stack.DestroyAsync()).EnsureOk();   // guests first, then the network, then the switch
        Assert.Equal("", ovs.Vsctl("list-br").Trim());
    }
}

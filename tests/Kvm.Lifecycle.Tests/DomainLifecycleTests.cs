using Grpc.Core;
using Kvm.Engine;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The Domain through the real plugin against libvirt's test driver (test:///default, in the plugin's
/// own process: each stack starts with the driver's canned host, a running domain "test" and a network
/// "default"). The QEMU driver's behaviour is covered by DomainLabTests.
/// </summary>
public sealed class DomainLifecycleTests
{
    public const string Domain = "kvm:index:Domain";

    private static Task<Stack> TestDriverStack() => Stack.StartAsync("""{"uri": "test:///default"}""");

    private static string Guest(string name, int memory = 256, string more = "") => $$"""
        {"name": "{{name}}", "type": "test", "memoryMib": {{memory}}, "maxMemoryMib": 512, "vcpus": 1, "maxVcpus": 2,
         "interfaces": [{"type": "network", "network": "default"}]{{more}}}
        """;

    private static IEnumerable<string> Messages(Stack stack, string prefix) =>
        stack.Engine.Logs.Select(l => l.Message).Where(m => m.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task Preview_up_live_update_restart_change_import_destroy()
    {
        await using var stack = await TestDriverStack();
        var guest = Res(Domain, "g", Guest("t1"));

        // preview: a create is planned; what libvirt will generate is unknown
        var preview = (await stack.PreviewAsync(guest)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["g"].Op);
        Assert.True(Props.IsUnknown(preview["g"].Outputs!.Fields["uuid"]));
        Assert.True(Props.IsUnknown(Props.Get(preview["g"].Outputs, "interfaces[0].macAddress")));
        Assert.Equal("running", Props.Get(preview["g"].Outputs, "state")!.StringValue);

        // up: defined and running; the id is the UUID; the MAC libvirt generated is reported
        var up = (await stack.UpAsync(guest)).EnsureOk();
        Assert.Equal(StepOp.Create, up["g"].Op);
        Assert.True(Guid.TryParse(up["g"].Id, out _));
        Assert.Equal(up["g"].Id, stack["g"].Output("uuid")!.StringValue);
        Assert.Equal("running", stack["g"].Output("state")!.StringValue);
        Assert.StartsWith("52:54:00:", stack["g"].Output("interfaces[0].macAddress")!.StringValue);
        var domainId = stack["g"].Output("domainId")!.NumberValue;

        // generated values never show as changes
        Assert.All((await stack.UpAsync(guest)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.All((await stack.RefreshAsync()).Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.All((await stack.UpAsync(guest)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // memory within the maximum: live, said so at preview, applied without a restart
        stack.Engine.ClearLogs();
        var smaller = Res(Domain, "g", Guest("t1", memory: 200));
        var livePreview = (await stack.PreviewAsync(smaller)).EnsureOk();
        Assert.Equal(StepOp.Update, livePreview["g"].Op);
        Assert.Equal(["memoryMib"], livePreview["g"].Diff!.Diffs);
        Assert.Equal(["kvm:live memoryMib: applied to the running guest"], Messages(stack, "kvm:"));
        (await stack.UpAsync(smaller)).EnsureOk();
        Assert.Equal(200, stack["g"].Output("memoryMib")!.NumberValue);
        Assert.Equal(domainId, stack["g"].Output("domainId")!.NumberValue);

        // a change that needs a restart, under restartPolicy never: written and reported, not forced
        stack.Engine.ClearLogs();
        var withCpu = Res(Domain, "g", Guest("t1", memory: 200, more: """, "onReboot": "destroy" """));
        (await stack.PreviewAsync(withCpu)).EnsureOk();
        var restartLine = Assert.Single(Messages(stack, "kvm:restart"));
        Assert.Equal("kvm:restart onReboot: written to the persistent config; takes effect when t1 restarts (restartPolicy never: it is not restarted now)", restartLine);
        Assert.Equal(LogSeverity.Warning, stack.Engine.Logs.Single(l => l.Message == restartLine).Severity);
        Assert.Equal(stack.Urn(Domain, "g"), stack.Engine.Logs.Single(l => l.Message == restartLine).Urn);
        (await stack.UpAsync(withCpu)).EnsureOk();
        Assert.Equal(domainId, stack["g"].Output("domainId")!.NumberValue);
        Assert.Equal("destroy", stack["g"].Output("onReboot")!.StringValue);

        // a rename replaces, and says so
        stack.Engine.ClearLogs();
        var renamed = Res(Domain, "g", Guest("t2", memory: 200));
        var replace = (await stack.PreviewAsync(renamed)).EnsureOk();
        Assert.Equal(StepOp.Replace, replace["g"].Op);
        Assert.True(replace["g"].Diff!.DeleteBeforeReplace);
        Assert.StartsWith("kvm:replace name:", Assert.Single(Messages(stack, "kvm:replace")));

        // import of the driver's own domain (a disk, a NIC with its MAC) gives an empty diff
        var import = await stack.ImportAsync(Domain, "canned", "test");
        Assert.True(import.Ok, StepRenderer.Render(import));
        Assert.Equal("6695eb01-f6a4-8304-79aa-97f2502e193f", import["canned"].Id);
        var imported = Res(Domain, "canned", Props.ToJson(import["canned"].Inputs));
        var afterImport = (await stack.UpAsync(withCpu, imported)).EnsureOk();
        Assert.All(afterImport.Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // destroy removes both; a destroy of what is already gone is fine
        var saved = stack["g"];
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Empty(stack.State);
        await stack.Provider.Client.DeleteAsync(new DeleteRequest { Id = saved.Id, Urn = saved.Urn, Type = Domain, Properties = saved.Outputs });
        Assert.Contains(stack.Engine.Logs, l => l.Message.Contains("already gone"));
        var refreshGone = await stack.Provider.Client.ReadAsync(new ReadRequest { Id = saved.Id, Urn = saved.Urn, Type = Domain, Properties = saved.Outputs, Inputs = saved.Inputs });
        Assert.Equal("", refreshGone.Id);
    }

    [Fact]
    public async Task A_name_already_defined_is_never_adopted_and_the_error_says_how_to_import()
    {
        await using var stack = await TestDriverStack();
        var result = await stack.UpAsync(Res(Domain, "x", Guest("test")));
        Assert.Equal(StepOp.Failed, result["x"].Op);
        Assert.Equal(StatusCode.AlreadyExists, result["x"].ErrorCode);
        Assert.Contains("pulumi import kvm:index:Domain <resource-name> test", result["x"].Error);
        Assert.Empty(stack.State);
    }

    [Fact]
    public async Task Import_by_name_or_uuid_and_an_unknown_id_is_not_found()
    {
        await using var stack = await TestDriverStack();
        var byName = await stack.ImportAsync(Domain, "a", "test");
        Assert.True(byName.Ok, StepRenderer.Render(byName));
        stack.Forget("a");
        var byUuid = await stack.ImportAsync(Domain, "b", "6695eb01-f6a4-8304-79aa-97f2502e193f");
        Assert.True(byUuid.Ok, StepRenderer.Render(byUuid));
        Assert.Equal(Props.ToJson(byName["a"].Inputs), Props.ToJson(byUuid["b"].Inputs));
        Assert.False((await stack.ImportAsync(Domain, "c", "no-such-domain")).Ok);
    }

    [Fact]
    public async Task A_stopped_guest_is_started_and_stopped_as_running_says()
    {
        await using var stack = await TestDriverStack();
        (await stack.UpAsync(Res(Domain, "g", Guest("t3", more: """, "running": false, "autostart": true"""))) ).EnsureOk();
        Assert.Equal("shutoff", stack["g"].Output("state")!.StringValue);
        Assert.True(stack["g"].Output("autostart")!.BoolValue);
        Assert.Null(stack["g"].Output("domainId"));

        stack.Engine.ClearLogs();
        var start = Res(Domain, "g", Guest("t3", more: """, "autostart": true"""));
        (await stack.PreviewAsync(start)).EnsureOk();
        Assert.Contains("kvm:live running: t3 will be started", Messages(stack, "kvm:"));
        (await stack.UpAsync(start)).EnsureOk();
        Assert.Equal("running", stack["g"].Output("state")!.StringValue);

        stack.Engine.ClearLogs();
        var stop = Res(Domain, "g", Guest("t3", more: """, "running": false, "shutdownTimeoutSeconds": 0"""));
        (await stack.PreviewAsync(stop)).EnsureOk();
        Assert.Contains("kvm:restart running: t3 will be shut down (powered off at once)", Messages(stack, "kvm:"));
        (await stack.UpAsync(stop)).EnsureOk();
        Assert.Equal("shutoff", stack["g"].Output("state")!.StringValue);
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task Malformed_inputs_come_back_as_check_failures_with_the_property()
    {
        await using var stack = await TestDriverStack();
        var cases = new (string Json, string Property, string Reason)[]
        {
            ("""{"name": "a", "memoryMib": 1024, "maxMemoryMib": 512, "vcpus": 1}""", "memoryMib", "within the maximum"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 4, "maxVcpus": 2}""", "vcpus", "within the maximum"),
            ("""{"name": "a/b", "memoryMib": 64, "vcpus": 1}""", "name", "'/'"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "uuid": "nope"}""", "uuid", "not a UUID"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "type": "xen"}""", "type", "must be one of"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "restartPolicy": "sometimes"}""", "restartPolicy", "must be one of"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "default", "macAddress": "01:00:5e:00:00:01"}]}""", "interfaces[0].macAddress", "unicast"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "default", "macAddress": "52:54:00:zz:00:01"}]}""", "interfaces[0].macAddress", "not a MAC address"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "default", "macAddress": "52:54:00:00:00:01"}, {"type": "network", "network": "default", "macAddress": "52:54:00:00:00:01"}]}""", "interfaces[1].macAddress", "also the MAC"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "default", "vlan": {"tags": [4096]}}]}""", "interfaces[0].vlan.tags[0]", "between 0 and 4095"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "bridge", "bridge": "br0", "vlan": {"tags": [4095]}}]}""", "interfaces[0].vlan.tags", "1-4094"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "default", "vlan": {"tags": [10, 20], "nativeTag": 30}}]}""", "interfaces[0].vlan.nativeTag", "not one of the tags"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "default", "vlan": {"tags": [10, 20], "trunk": false}}]}""", "interfaces[0].vlan.trunk", "trunk"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "no-such-net"}]}""", "interfaces[0].network", "no libvirt network named \"no-such-net\""),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "bridge"}]}""", "interfaces[0].bridge", "needs the bridge"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "bridge", "bridge": "br0", "network": "default"}]}""", "interfaces[0].network", "only applies to interfaces of type network"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "network", "network": "default", "targetDevice": "vnet7"}]}""", "interfaces[0].targetDevice", "reserves"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "disks": [{"targetDev": "vda"}]}""", "disks[0].file", "image file or a block device"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "initrd": "/boot/initrd"}""", "initrd", "needs a kernel"),
            ("""{"name": "a", "memoryMib": 64, "vcpus": 1, "serials": [{"type": "file"}]}""", "serials[0].path", "needs a path"),
            ("""{"name": "a", "memoryMib": 64}""", "vcpus", "missing required property"),
        };
        foreach (var (json, property, reason) in cases)
        {
            var result = await stack.UpAsync(Res(Domain, "a", json));
            var failure = Assert.Single(result["a"].Failures, f => f.Property == property);
            Assert.Contains(reason, failure.Reason);
        }
        Assert.Empty(stack.State);
    }

    [Fact]
    public async Task A_bridge_declared_by_the_same_program_passes_check_before_it_exists()
    {
        await using var stack = await TestDriverStack();
        var guest = Res(Domain, "g", """{"name": "a", "type": "test", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "bridge", "bridge": "br-decl-x"}]}""");
        var alone = await stack.PreviewAsync(guest);
        Assert.Contains(alone["g"].Failures, f => f.Property == "interfaces[0].bridge" && f.Reason.Contains("declares no kvm:index:Bridge"));

        var withBridge = await stack.PreviewAsync(Res("kvm:index:Bridge", "br", """{"name": "br-decl-x"}"""), guest);
        Assert.True(withBridge.Ok, StepRenderer.Render(withBridge));
        Assert.Equal(StepOp.Create, withBridge["g"].Op);
    }
}

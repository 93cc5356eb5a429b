using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Hardening;

/// <summary>
/// The plugin killed (SIGKILL, as an OOM kill or a lost CI runner does it) in the middle of a batch of
/// Creates the engine sent in parallel. What it left on the host must be recoverable: every object
/// that exists can be imported by its name (nothing unreadable, nothing half-made that import refuses),
/// and `pulumi up` of the same program over the imported state brings every object to its declared
/// settings without an ALREADY_EXISTS or a duplicate; a second `up` changes nothing.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const string Bridge = "kvm:index:Bridge";
    private const string Network = "kvm:index:LibvirtNetwork";
    private const string Domain = "kvm:index:Domain";

    private static string Config(PrivateLibvirtd lv) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["uri"] = lv.Uri,
        ["netns"] = lv.Namespace.Name,
        ["libvirtHooksDir"] = lv.HooksDir,
    });

    /// <summary>Four bridges with ports, three NAT networks and three running guests: no dependencies, so the engine creates them all at once.</summary>
    private static ResourceDecl[] Program()
    {
        var boot = KernelVm.Boot;
        var bridges = Enumerable.Range(0, 4).Select(i => Res(Bridge, $"br{i}",
            $$"""{"name": "brc{{i}}", "stp": false, "forwardDelay": 0, "mtu": 1400, "ports": ["cp{{i}}"], "macAddress": "52:54:00:cc:00:0{{i}}"}"""));
        var networks = Enumerable.Range(0, 3).Select(i => Res(Network, $"net{i}",
            $$$"""
            {"name": "netc{{{i}}}", "forward": {"mode": "nat"}, "bridge": {"name": "virbr-c{{{i}}}", "stp": false},
             "ips": [{"address": "10.77.{{{i}}}.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.77.{{{i}}}.10", "end": "10.77.{{{i}}}.20"}]}}]}
            """));
        var guests = Enumerable.Range(0, 3).Select(i => Res(Domain, $"g{i}",
            $$"""
            {"name": "gc{{i}}", "type": "qemu", "memoryMib": 128, "vcpus": 1, "machine": "q35",
             "kernel": "{{boot.Kernel}}", "initrd": "{{boot.Initrd}}", "kernelCmdline": "console=ttyS0 quiet panic=-1 kvmlab.idle",
             "onPoweroff": "destroy", "onReboot": "destroy", "onCrash": "destroy", "shutdownTimeoutSeconds": 1,
             "interfaces": [{"type": "bridge", "bridge": "br-lab", "model": "virtio", "bootRom": false, "macAddress": "52:54:00:cd:00:0{{i}}"}]}
            """));
        return [.. bridges, .. networks, .. guests];
    }

    [Fact]
    public async Task Import_recovers_every_object_a_plugin_killed_mid_batch_left_and_up_completes_them()
    {
        using var lv = PrivateLibvirtd.Start();
        lv.Namespace.Ip("link", "add", "br-lab", "type", "bridge");
        lv.Namespace.Ip("link", "set", "br-lab", "up");
        for (var i = 0; i < 4; i++) lv.Namespace.Ip("link", "add", $"cp{i}", "type", "veth", "peer", "name", $"cp{i}x");
        var program = Program();

        // The first run: Check everything, send every Create at once, and kill the plugin when the first answer arrives.
        int answered, total = program.Length;
        await using (var first = await Stack.StartAsync(Config(lv)))
        {
            var client = first.Provider.Client;
            var creates = new List<Task>();
            foreach (var decl in program)
            {
                var urn = first.Urn(decl.Type, decl.Name);
                var check = await client.CheckAsync(new CheckRequest { Urn = urn, Name = decl.Name, Type = decl.Type, Olds = new(), News = Props.Parse(decl.InputsJson) });
                Assert.Empty(check.Failures);
                creates.Add(client.CreateAsync(new CreateRequest { Urn = urn, Name = decl.Name, Type = decl.Type, Properties = check.Inputs, Timeout = 300 }).ResponseAsync);
            }
            await Task.WhenAny(creates);
            using (var plugin = Process.GetProcessById(first.Provider.Pid)) plugin.Kill(); // SIGKILL: no cleanup of any kind
            answered = creates.Count(t => t.IsCompletedSuccessfully);
            foreach (var t in creates)
            {
                try { await t; }
                catch (RpcException) { } // the unanswered ones end with the connection: that is the point
            }
        }
        Assert.True(answered < total, $"all {total} Creates had answered before the kill: the test did not kill the plugin mid-batch");

        // A new plugin: import what the host has, by name, as `pulumi import` does.
        await using var second = await Stack.StartAsync(Config(lv));
        var imported = new List<string>();
        var absent = new List<string>();
        foreach (var decl in program)
        {
            var id = JsonDocument.Parse(decl.InputsJson).RootElement.GetProperty("name").GetString()!;
            var result = await second.ImportAsync(decl.Type, decl.Name, id);
            var step = Assert.Single(result.Steps);
            if (step.Op == StepOp.Failed && step.Error is { } error && error.EndsWith("does not exist", StringComparison.Ordinal))
            {
                absent.Add(decl.Name);
                continue;
            }
            Assert.True(result.Ok, $"import of {decl.Name} ({id}) after the kill: {StepRenderer.Render(result)}");
            imported.Add(decl.Name);
        }
        Assert.NotEmpty(imported); // the first answer at least was an object made

        // `pulumi up` of the same program over the imported state: what is missing is created, the rest brought to the program.
        var up = (await second.UpAsync(program)).EnsureOk();
        var updated = up.Steps.Where(s => s.Op == StepOp.Update).Select(s => s.Name).ToList();
        Assert.DoesNotContain(up.Steps, s => s.Op == StepOp.Replace); // a recovered guest is never made again
        Assert.All(up.Steps.Where(s => s.Op == StepOp.Create), s => Assert.Contains(s.Name, absent));
        var again = (await second.UpAsync(program)).EnsureOk();
        Assert.True(again.Steps.All(s => s.Op == StepOp.Same), "a second up changed something: " + StepRenderer.Render(again));

        // What a user checks on the host: every guest runs, every bridge holds its port, every network is active.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("running", lv.Virsh("domstate", $"gc{i}").Trim());
            Assert.Contains($"netc{i}", lv.Virsh("net-list", "--name").Split('\n', StringSplitOptions.TrimEntries)); // active
        }
        for (var i = 0; i < 4; i++)
            Assert.Equal($"brc{i}", lv.Namespace.MasterOf($"cp{i}"));
        Assert.Equal(3, lv.Virsh("list", "--all", "--name").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // no duplicate guests

        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts")).FullName, "crash.md"),
            $"# Plugin killed mid-batch\n\n{total} Creates sent at once, {answered} answered before SIGKILL; " +
            $"then {imported.Count} objects imported by name ({string.Join(", ", imported)}), {absent.Count} never made ({string.Join(", ", absent)}); " +
            $"`up` of the program then updated {updated.Count} ({string.Join(", ", updated)}), replaced none and created the rest; a second `up` changed nothing.\n");
        (await second.DestroyAsync()).EnsureOk();
    }
}

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using static Kvm.Engine.Decl;

namespace Kvm.VmTests;

/// <summary>
/// `kvm-vm-tests --reboot apply|refresh|destroy DIR`: one stack's commands across boots of the kernel VM
/// (tests/Kvm.Lifecycle.Tests/RebootTests drives the boots). DIR is the share that survives a boot: persistDir
/// and the systemd unit folder live there, and so does the stack's state between the engine's commands, as
/// Pulumi keeps it in its backend. The host is the VM's own network namespace, as on a real KVM host.
/// </summary>
public static class RebootStack
{
    public const string Marker = "KVMREBOOT ";

    // hostRoot, an empty folder: no network manager claims the VM's links, whatever the machine's own /etc holds.
    private static string Config(string dir) =>
        $$"""{"persistDir": "{{dir}}/persist", "systemdUnitDir": "{{dir}}/units", "hostRoot": "{{dir}}/hostroot"}""";

    /// <summary>Two bridges, the uplink eth0 taken over by br0 with the host's address and gateway, and three VLAN tables.</summary>
    public static ResourceDecl[] Program =>
    [
        Res("kvm:index:Bridge", "uplink", """
            {"name": "br0", "forceDestroy": true, "stp": false, "forwardDelay": 0, "vlanFiltering": true, "ports": ["eth0"],
             "addresses": ["192.168.77.90/24"], "gateway": "192.168.77.1"}
            """),
        Res("kvm:index:Bridge", "guests", """
            {"name": "br1", "forceDestroy": true, "mtu": 1400, "vlanFiltering": true, "ports": ["eth1", "eth2"],
             "portOptions": [{"port": "eth2", "isolated": true}],
             "addresses": ["10.20.0.1/24", "fd00:20::1/64"], "routes": [{"destination": "10.30.0.0/16", "via": "10.20.0.2"}]}
            """),
        Res("kvm:index:VlanFilter", "uplink-trunk", """{"bridge": "br0", "port": "eth0", "trunk": {"vids": [10, 20], "native": 1}}"""),
        Res("kvm:index:VlanFilter", "eth1-access", """{"bridge": "br1", "port": "eth1", "access": 10}"""),
        Res("kvm:index:VlanFilter", "eth2-trunk", """{"bridge": "br1", "port": "eth2", "trunk": {"vids": [10, 30], "ranges": ["100-102"], "native": 5}}"""),
    ];

    public static async Task<int> RunAsync(string phase, string dir)
    {
        await using var stack = await Stack.StartAsync(Config(dir));
        var stateFile = Path.Combine(dir, "stack-state");
        if (phase != "apply") stack.LoadState(Load(stateFile));
        RunResult result = phase switch
        {
            "apply" => await stack.UpAsync(Program),
            "refresh" => await stack.RefreshAsync(),
            "up" => await stack.UpAsync(Program),
            "destroy" => await stack.DestroyAsync(),
            _ => throw new ArgumentException($"unknown phase {phase}"),
        };
        Save(stateFile, stack.State);
        foreach (var step in result.Steps)
        {
            // An output that changed, by name (a refresh's only possible difference after a reboot: a link's new ifindex).
            var changed = step.Outputs is null || step.OldOutputs is null ? "" : string.Join(",", step.Outputs.Fields.Keys.Union(step.OldOutputs.Fields.Keys)
                .Where(k => !Equals(step.Outputs.Fields.GetValueOrDefault(k), step.OldOutputs.Fields.GetValueOrDefault(k))).Order(StringComparer.Ordinal));
            Console.WriteLine($"{Marker}{phase} {step.Name} {step.Op} [{changed}]{(step.Error is { } e ? " " + e.ReplaceLineEndings(" | ") : "")}");
            if (step.Op == StepOp.Refresh) Console.WriteLine($"  inputs read: {step.Inputs}\n  outputs read: {step.Outputs}\n  outputs before: {step.OldOutputs}");
        }
        Console.WriteLine(StepRenderer.Render(result));
        Console.WriteLine($"{Marker}{phase} {(result.Ok ? "ok" : "failed")}");
        return result.Ok ? 0 : 1;
    }

    // The state as the engine would keep it: one line per resource, its Structs in protobuf's binary form.
    private static void Save(string path, IEnumerable<ResourceState> state) =>
        File.WriteAllLines(path, state.Select(r => string.Join('\t', r.Type, r.Name, r.Urn, r.Id, r.Provider,
            Convert.ToBase64String(r.Inputs.ToByteArray()), Convert.ToBase64String(r.Outputs.ToByteArray()))));

    private static IEnumerable<ResourceState> Load(string path) => File.ReadAllLines(path)
        .Select(l => l.Split('\t'))
        .Select(f => new ResourceState(f[0], f[1], f[2], f[3], Struct.Parser.ParseFrom(Convert.FromBase64String(f[5])), Struct.Parser.ParseFrom(Convert.FromBase64String(f[6])))
        {
            Provider = f[4],
        })
        .ToList();
}

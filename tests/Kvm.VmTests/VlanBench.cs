using System.Diagnostics;
using System.Globalization;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.VmTests;

/// <summary>
/// `kvm-vm-tests --bench vlan`: the measured side of the VLAN bench (issue 4). In its own namespace,
/// a vlan_filtering bridge with <see cref="Ports"/> veth ports, then through the real plugin (its gRPC
/// Create of kvm:index:VlanFilter, the code `pulumi up` runs) a 4,094-VLAN trunk (vids 1-4094) on every
/// port. Only the Creates are timed; each round is checked with `bridge -j vlan show` and undone by
/// Delete (untimed). Prints one <c>KVMBENCH</c> line the host's bench/Kvm.Bench parses; the baseline
/// (one `bridge vlan add` process per VLAN) is bench/Kvm.Bench/vlan-baseline.sh, in the same VM boot.
/// </summary>
public static class VlanBench
{
    public const int Ports = 8;
    private const string VlanFilter = "kvm:index:VlanFilter";

    public static async Task<int> RunAsync(int rounds = 3)
    {
        using var ns = LabNamespace.Create("kvmbench");
        var ports = Enumerable.Range(0, Ports).Select(i => $"tp{i}").ToList();
        foreach (var p in ports) ns.Ip("link", "add", p, "type", "veth", "peer", "name", p + "x");
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");
        var bridge = await stack.UpAsync(Res("kvm:index:Bridge", "br", $$"""{"name": "brt", "vlanFiltering": true, "ports": [{{string.Join(", ", ports.Select(p => $"\"{p}\""))}}]}"""));
        if (!bridge.Ok) throw new InvalidOperationException(StepRenderer.Render(bridge));

        var client = stack.Provider.Client;
        var times = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var states = new Google.Protobuf.WellKnownTypes.Struct[Ports];
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < Ports; i++)
            {
                var r = await client.CreateAsync(new CreateRequest
                {
                    Urn = stack.Urn(VlanFilter, ports[i]), Type = VlanFilter, Name = ports[i],
                    Properties = Props.Parse($$$"""{"bridge": "brt", "port": "{{{ports[i]}}}", "trunk": {"ranges": ["1-4094"]}}"""),
                });
                states[i] = r.Properties;
            }
            times.Add(sw.Elapsed.TotalMilliseconds);

            foreach (var p in ports)
            {
                var table = BridgeVlanObserver.Table(ns, p);
                if (!table.SequenceEqual(BridgeVlanObserver.Range(1, 4094)))
                    throw new InvalidOperationException($"{p} after round {round}: {table.Count} VLANs, not the 1-4094 trunk");
            }
            for (var i = 0; i < Ports; i++)
                await client.DeleteAsync(new DeleteRequest { Id = $"brt/{ports[i]}", Urn = stack.Urn(VlanFilter, ports[i]), Type = VlanFilter, Properties = states[i] });
            Console.WriteLine($"  round {round + 1}: {Ports} x VlanFilter Create (trunk 1-4094) {times[^1]:F0} ms, tables checked with `bridge -j vlan show`");
        }
        times.Sort();
        var median = times[times.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"KVMBENCH vlan ours ms={median:F1} ports={Ports} vlans_per_port=4094 rounds={rounds} what=plugin-gRPC-Create-of-kvm:index:VlanFilter"));
        return 0;
    }
}

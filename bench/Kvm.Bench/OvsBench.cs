using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;

namespace Kvm.Bench;

/// <summary>
/// An Open vSwitch bridge with 100 VLAN-tagged ports made through the plugin (one Create: one OVSDB transaction,
/// then one wait for ovs-vswitchd) against `ovs-vsctl add-port` once per port, as a script does it (each waits
/// for ovs-vswitchd too, ovs-vsctl's default), on the same lab Open vSwitch (userspace datapath), in the same run.
/// </summary>
public static class OvsBench
{
    private const string OvsBridge = "kvm:index:OvsBridge";
    private const int Ports = 100;

    public static async Task<Comparison> RunAsync()
    {
        using var ovs = OvsSwitch.Start();
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["ovsdbSocket"] = ovs.DbSocket }));
        var client = stack.Provider.Client;
        // ovs-vsctl straight at the lab's socket: no nsenter in the baseline's time.
        string[] Vsctl(params string[] args) => [$"--db=unix:{ovs.DbSocket}", "--timeout=120", .. args];

        // Internal ports: ports that need no interface of their own beforehand, and that ovs-vswitchd really makes.
        string PortsJson(string prefix) => string.Join(", ", Enumerable.Range(1, Ports).Select(i => $$"""{"name": "{{prefix}}{{i}}", "type": "internal", "tag": {{i}}}"""));

        async Task<double> PluginRound(string bridge)
        {
            var sw = Stopwatch.StartNew();
            var r = await client.CreateAsync(new CreateRequest
            {
                Urn = stack.Urn(OvsBridge, bridge), Type = OvsBridge, Name = bridge,
                Properties = Props.Parse($$"""{"name": "{{bridge}}", "datapathType": "netdev", "otherConfig": {"mac-aging-time": "600"}, "externalIds": {"owner": "bench"}, "ports": [{{PortsJson(bridge[..3] + "p")}}]}"""),
            });
            var ms = sw.Elapsed.TotalMilliseconds;
            await client.DeleteAsync(new DeleteRequest { Id = bridge, Urn = stack.Urn(OvsBridge, bridge), Type = OvsBridge, Properties = r.Properties });
            return ms;
        }

        double VsctlRound(string bridge, bool oneProcess)
        {
            Shell.Check("ovs-vsctl", Vsctl("add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev", "other_config:mac-aging-time=600", "external_ids:owner=bench"));
            var prefix = bridge[..3] + "p";
            var sw = Stopwatch.StartNew();
            if (oneProcess)
            {
                Shell.Check("ovs-vsctl", Vsctl([.. Enumerable.Range(1, Ports).SelectMany(i => new[] { "--", "add-port", bridge, $"{prefix}{i}", $"tag={i}", "--", "set", "interface", $"{prefix}{i}", "type=internal" })]));
            }
            else
            {
                for (var i = 1; i <= Ports; i++)
                    Shell.Check("ovs-vsctl", Vsctl("add-port", bridge, $"{prefix}{i}", $"tag={i}", "--", "set", "interface", $"{prefix}{i}", "type=internal"));
            }
            var ms = sw.Elapsed.TotalMilliseconds;
            if (Shell.Check("ovs-vsctl", Vsctl("list-ports", bridge)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length != Ports)
                throw new InvalidOperationException($"ovs-vsctl left {bridge} without its {Ports} ports");
            Shell.Check("ovs-vsctl", Vsctl("del-br", bridge));
            return ms;
        }

        await PluginRound("w0br");
        VsctlRound("v0br", oneProcess: false);
        var ours = new List<double>();
        var theirs = new List<double>();
        var batched = new List<double>();
        for (var round = 1; round <= 3; round++)
        {
            ours.Add(await PluginRound($"a{round}br"));
            theirs.Add(VsctlRound($"b{round}br", oneProcess: false));
            batched.Add(VsctlRound($"c{round}br", oneProcess: true));
        }
        ours.Sort();
        theirs.Sort();
        batched.Sort();
        Console.WriteLine($"  for reference: the same {Ports} ports in one ovs-vsctl process (one transaction, as the plugin) take {batched[1]:F0} ms");
        var c = new Comparison($"OVS bridge with {Ports} VLAN-tagged internal ports (median of 3 rounds)", "plugin Create (one OVSDB transaction)", ours[1],
            "one ovs-vsctl add-port per port", theirs[1], 10);
        Console.WriteLine(c);
        return c;
    }
}

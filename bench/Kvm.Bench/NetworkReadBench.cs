using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Bench;

/// <summary>
/// Refreshing 100 libvirt networks: the plugin's Read over its gRPC interface (one libvirt
/// connection, both definitions and the state of each network) against one
/// `virsh -c URI net-dumpxml NAME` process per network, in the same private libvirtd.
/// </summary>
public static class NetworkReadBench
{
    private const string Type = "kvm:index:LibvirtNetwork";

    public static Comparison Run(int networks = 100, int runs = 5)
    {
        using var lv = PrivateLibvirtd.Start();
        var names = Enumerable.Range(0, networks).Select(i => $"bench{i:D3}").ToList();
        DefineAndStart(lv, names);

        var stack = Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["uri"] = lv.Uri, ["netns"] = lv.Namespace.Name }))
            .GetAwaiter().GetResult();
        try
        {
            foreach (var name in names)
            {
                var import = stack.ImportAsync(Type, name, name).GetAwaiter().GetResult();
                if (!import.Ok) throw new InvalidOperationException(StepRenderer.Render(import));
            }

            void Refresh()
            {
                var r = stack.RefreshAsync().GetAwaiter().GetResult();
                if (r.Steps.Count != networks || !r.Ok) throw new InvalidOperationException(StepRenderer.Render(r));
            }
            void VirshEach()
            {
                foreach (var name in names) lv.Virsh("net-dumpxml", name);
            }

            Refresh();
            VirshEach();
            var (ours, baseline) = Measure.Interleaved(runs, Refresh, VirshEach);
            var comparison = new Comparison($"refresh of {networks} running networks (median of {runs})", "Read through the plugin", ours,
                $"{networks} x `virsh net-dumpxml`", baseline, 10);
            Console.WriteLine(comparison);
            Console.WriteLine($"  per network: Read {ours / networks:F2} ms, virsh {baseline / networks:F2} ms");
            return comparison;
        }
        finally
        {
            stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Networks with an address, DHCP (dnsmasq) and a few static leases, defined and started by one virsh process.</summary>
    private static void DefineAndStart(PrivateLibvirtd lv, IReadOnlyList<string> names)
    {
        var dir = Path.Combine(lv.Mounts.StateDir, "bench-networks");
        Directory.CreateDirectory(dir);
        var commands = new StringBuilder();
        for (var i = 0; i < names.Count; i++)
        {
            var subnet = $"10.{100 + i / 250}.{i % 250}";
            var hosts = string.Concat(Enumerable.Range(1, 4).Select(h => $"<host mac='52:54:00:{i / 250:x2}:{i % 250:x2}:{h:x2}' name='g{h}' ip='{subnet}.{10 + h}'/>"));
            var file = Path.Combine(dir, $"{names[i]}.xml");
            File.WriteAllText(file, $"""
                <network>
                  <name>{names[i]}</name>
                  <bridge name='vbb{i:D3}' stp='off'/>
                  <ip address='{subnet}.1' prefix='24'>
                    <dhcp><range start='{subnet}.100' end='{subnet}.200'/>{hosts}</dhcp>
                  </ip>
                </network>
                """);
            commands.Append($"net-define {file}; net-start {names[i]}; ");
        }
        var sw = Stopwatch.StartNew();
        lv.Virsh(commands.ToString());
        Console.WriteLine($"  defined and started {names.Count} networks in {sw.Elapsed.TotalSeconds:F1} s");
    }
}

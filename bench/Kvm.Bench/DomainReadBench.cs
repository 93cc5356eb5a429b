using System.Diagnostics;
using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;

namespace Kvm.Bench;

/// <summary>
/// `pulumi refresh` of 200 domains: Read through the plugin's RPC (one libvirt connection, five calls per
/// domain, no waiting) against what tools that shell out do, one `virsh dumpxml` process per domain. Both
/// against the same private libvirtd holding 200 defined (not running) guests, interleaved.
/// </summary>
public static class DomainReadBench
{
    private const string Domain = "kvm:index:Domain";

    public static Comparison Run(int domains = 200, int runs = 3)
    {
        using var lv = PrivateLibvirtd.Start();
        var names = Enumerable.Range(0, domains).Select(i => $"bench{i:D3}").ToList();
        var folder = Path.Combine(lv.Mounts.StateDir, "bench-xml");
        Directory.CreateDirectory(folder);
        var commands = new List<string>();
        foreach (var name in names)
        {
            var file = Path.Combine(folder, $"{name}.xml");
            File.WriteAllText(file, LabDomains.Tiny(name, "<interface type='bridge'><source bridge='br-bench'/><model type='virtio'/><rom enabled='no'/></interface>"));
            commands.Add($"define {file}");
        }
        foreach (var chunk in commands.Chunk(50)) lv.Virsh(string.Join(" ; ", chunk));

        var stack = Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["uri"] = lv.Uri, ["netns"] = lv.Namespace.Name }))
            .GetAwaiter().GetResult();
        try
        {
            var uuids = names.ToDictionary(n => n, n => lv.Virsh("domuuid", n).Trim());
            void Refresh()
            {
                foreach (var name in names)
                {
                    var read = stack.Provider.Client.Read(new ReadRequest { Id = uuids[name], Urn = stack.Urn(Domain, name), Type = Domain, Name = name });
                    if (read.Id != uuids[name]) throw new InvalidOperationException($"Read of {name} returned \"{read.Id}\"");
                }
            }
            void VirshEach()
            {
                foreach (var name in names)
                {
                    var psi = new ProcessStartInfo("virsh", ["-q", "-c", lv.Uri, "dumpxml", name]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                    using var p = Process.Start(psi)!;
                    var xml = p.StandardOutput.ReadToEnd();
                    p.WaitForExit();
                    if (p.ExitCode != 0 || !xml.Contains("<domain", StringComparison.Ordinal)) throw new InvalidOperationException($"virsh dumpxml {name} failed");
                }
            }
            Refresh();
            VirshEach();
            var (ours, virsh) = Measure.Interleaved(runs, Refresh, VirshEach);
            var comparison = new Comparison($"refresh of {domains} defined domains (median of {runs})", "Read over the plugin's RPC", ours,
                "one `virsh dumpxml` process per domain", virsh, 10);
            Console.WriteLine(comparison);
            Console.WriteLine($"  per domain: Read {ours / domains:F2} ms, virsh {virsh / domains:F2} ms");
            return comparison;
        }
        finally
        {
            stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}

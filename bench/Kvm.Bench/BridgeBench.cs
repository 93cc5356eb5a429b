using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;

namespace Kvm.Bench;

/// <summary>
/// Bridges through the plugin's RPCs, against `ip` (one process per operation), in throwaway
/// namespaces, in the same run.
/// </summary>
public static class BridgeBench
{
    private const string Bridge = "kvm:index:Bridge";

    /// <summary>
    /// 200 bridges created then deleted the engine's way, <paramref name="parallel"/> operations at
    /// once (null: unbounded, `pulumi up`'s default `--parallel`), against one `ip` process per
    /// bridge; both leave the bridges down (as `ip link add` does).
    /// </summary>
    public static async Task<Comparison> CreateDeleteAsync(int count = 200, int? parallel = null)
    {
        using var ns = LabNamespace.Create("kvmbench");
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");
        var client = stack.Provider.Client;
        var gate = new SemaphoreSlim(parallel ?? count);

        async Task Each(IEnumerable<int> items, Func<int, Task> body) =>
            await Task.WhenAll(items.Select(async i =>
            {
                await gate.WaitAsync();
                try { await body(i); }
                finally { gate.Release(); }
            }));

        async Task<double> ProviderRound(string prefix)
        {
            var sw = Stopwatch.StartNew();
            var states = new Struct[count];
            await Each(Enumerable.Range(0, count), async i =>
            {
                var name = $"{prefix}{i}";
                var r = await client.CreateAsync(new CreateRequest { Urn = stack.Urn(Bridge, name), Type = Bridge, Name = name, Properties = Props.Parse($$"""{"name": "{{name}}", "up": false}""") });
                states[i] = r.Properties;
            });
            var createdAt = sw.Elapsed.TotalMilliseconds;
            await Each(Enumerable.Range(0, count), async i =>
            {
                var name = $"{prefix}{i}";
                await client.DeleteAsync(new DeleteRequest { Id = name, Urn = stack.Urn(Bridge, name), Type = Bridge, Properties = states[i] });
            });
            if (Environment.GetEnvironmentVariable("KVM_BENCH_DETAIL") is not null)
                Console.WriteLine($"  plugin: creates {createdAt:F0} ms, deletes {sw.Elapsed.TotalMilliseconds - createdAt:F0} ms");
            return sw.Elapsed.TotalMilliseconds;
        }

        double IpRound(string prefix)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < count; i++) Shell.Check("ip", "-n", ns.Name, "link", "add", $"{prefix}{i}", "type", "bridge");
            for (var i = 0; i < count; i++) Shell.Check("ip", "-n", ns.Name, "link", "del", $"{prefix}{i}");
            return sw.Elapsed.TotalMilliseconds;
        }

        await ProviderRound("w");
        IpRound("v");
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            ours.Add(await ProviderRound($"p{round}x"));
            theirs.Add(IpRound($"i{round}x"));
        }
        ours.Sort();
        theirs.Sort();
        // The kernel's own floor: every bridge's teardown waits in the kernel (~16 ms here, not CPU), even
        // when all of them go in one request; no user-space tool can delete them faster than this.
        var script = string.Join("\n", Enumerable.Range(0, count).Select(i => $"link add f{i} group 77 type bridge"));
        Shell.Run("ip", ["-n", ns.Name, "-batch", "-"], script, TimeSpan.FromMinutes(2)).EnsureSuccess("ip -batch");
        var floor = Stopwatch.StartNew();
        Shell.Check("ip", "-n", ns.Name, "link", "del", "group", "77");
        Console.WriteLine($"  kernel floor: one `ip link del group` of {count} bridges takes {floor.Elapsed.TotalMilliseconds:F0} ms, so nothing can beat the baseline by more than {theirs[1] / floor.Elapsed.TotalMilliseconds:F1}x on this kernel");
        var width = parallel is { } p ? $"{p} at once" : "all at once, pulumi's default --parallel";
        var c = new Comparison($"create+delete {count} bridges, {width} (median of 3 rounds)", "plugin RPCs", ours[1], "ip link add/del processes", theirs[1], 10);
        Console.WriteLine(c);
        return c;
    }

    /// <summary>Read (refresh) of one bridge in a namespace holding 500 links.</summary>
    public static async Task<double> ReadWith500LinksAsync()
    {
        using var ns = LabNamespace.Create("kvmbench");
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");
        var script = string.Join("\n", Enumerable.Range(0, 249).Select(i => $"link add v{i}a type veth peer name v{i}b"));
        Shell.Run("ip", ["-n", ns.Name, "-batch", "-"], script, TimeSpan.FromMinutes(2)).EnsureSuccess("ip -batch");
        var up = await stack.UpAsync(Decl.Res(Bridge, "br", """{"name": "brread", "ports": ["v0a", "v1a"]}"""));
        up.EnsureOk();
        var links = System.Text.Json.JsonDocument.Parse(ns.Ip("-j", "link", "show")).RootElement.GetArrayLength();
        var r = stack["br"];
        var request = new ReadRequest { Id = r.Id, Urn = r.Urn, Type = Bridge, Properties = r.Outputs, Inputs = r.Inputs };
        for (var i = 0; i < 20; i++) await stack.Provider.Client.ReadAsync(request);
        var times = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var sw = Stopwatch.StartNew();
            await stack.Provider.Client.ReadAsync(request);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var median = times[times.Count / 2];
        Console.WriteLine($"Read of a bridge among {links} links: median {median:F2} ms over 200 Reads (target < 5 ms) {(median < 5 ? "OK" : "NOT MET")}");
        return median;
    }
}

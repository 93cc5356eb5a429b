using System.Diagnostics;
using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Bench;

/// <summary>
/// A remote lab host filled like the discover bench's (<see cref="DiscoverBench.Populate"/>: 50 bridges,
/// 20 networks, 100 domains), and the stack state that `pulumi import` of everything discover found there
/// leaves: through the plugin on the workstation over ssh (<see cref="Remote"/>), and optionally through
/// the local path, a plugin beside the harness reading the same namespace and libvirtd (<see cref="Local"/>).
/// The first import over ssh installs the plugin's agent on the host, so every refresh measured afterwards
/// finds it installed, as a user's second `pulumi` command does. <see cref="Remote"/> runs with the
/// provider's defaults, whose SSH connection outlives each plugin by a minute for the next command
/// (sshControlPersist); <see cref="RemoteFreshLogin"/> with sshControlPersist 0, so every command logs in.
/// </summary>
public sealed record BenchHost(RemoteLabHost Host, int Ports, RefreshTarget Remote, RefreshTarget RemoteFreshLogin, RefreshTarget? Local)
{
    public static async Task<BenchHost> PrepareAsync(RemoteLab lab, RemoteLabHost host, bool withLocal)
    {
        var lv = host.Libvirtd ?? throw new InvalidOperationException($"{host} has no libvirtd: make the lab with libvirt: true");
        var sw = Stopwatch.StartNew();
        var ports = DiscoverBench.Populate(lv);
        var found = DiscoverBench.DiscoverImport(lv, Path.Combine(lv.Mounts.StateDir, "bench-remote-import.json"));
        if (!DiscoverBench.CheckMade($"{host.Alias}: discover", found))
            throw new InvalidOperationException($"discover on {host} did not find what was made");

        var remoteConfig = JsonSerializer.Serialize(new Dictionary<string, string> { ["host"] = host.Alias });
        var workstation = new PluginPlacement(lab.Workstation.Mounts.EnterPrefix, lab.Workstation.Path);
        var remote = new RefreshTarget($"{host.Alias} over ssh", remoteConfig, workstation, await ImportAsync(found, remoteConfig, workstation).ConfigureAwait(false));
        RefreshTarget? local = null;
        if (withLocal)
        {
            var localConfig = JsonSerializer.Serialize(new Dictionary<string, string> { ["uri"] = lv.Uri, ["netns"] = host.Namespace.Name });
            local = new RefreshTarget($"{host.Alias} local path", localConfig, null, await ImportAsync(found, localConfig, null).ConfigureAwait(false));
        }
        Console.WriteLine($"  {host.Alias}: {DiscoverBench.Describe(ports)}; made, discovered and imported in {sw.Elapsed.TotalSeconds:F1} s");
        var freshLogin = remote with
        {
            Label = $"{host.Alias} over ssh, a new login",
            ConfigJson = $$"""{"host": "{{host.Alias}}", "sshControlPersist": 0}""",
        };
        return new BenchHost(host, ports, remote, freshLogin, local);
    }

    /// <summary>`pulumi import` of every resource found, one after the other, by a stack of its own; returns the state it leaves.</summary>
    private static async Task<IReadOnlyList<ResourceState>> ImportAsync(IReadOnlyList<ImportEntry> found, string configJson, PluginPlacement? placement)
    {
        await using var stack = await Stack.StartAsync(configJson, placement: placement).ConfigureAwait(false);
        try
        {
            foreach (var r in found)
            {
                var import = await stack.ImportAsync(r.Type, r.Name, r.Id).ConfigureAwait(false);
                if (!import.Ok) throw new InvalidOperationException($"import of {r.Type} {r.Name} ({configJson}):\n{StepRenderer.Render(import)}");
            }
        }
        catch
        {
            Console.Error.WriteLine($"plugin stderr:\n{stack.Provider.Stderr}");
            throw;
        }
        return stack.State;
    }
}

using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>The plugin on a lab workstation, managing lab hosts over ssh, as a user's laptop or CI runner would.</summary>
internal static class RemoteStacks
{
    /// <summary>Where the plugin runs: the lab's workstation namespace, with its private ~/.ssh.</summary>
    public static PluginPlacement Workstation(RemoteLab lab) => new(lab.Workstation.Mounts.EnterPrefix, lab.Workstation.Path);

    /// <summary>A stack whose default provider manages <paramref name="host"/> (an alias of the workstation's ~/.ssh/config, or a destination).</summary>
    public static Task<Stack> StartAsync(RemoteLab lab, string host, IDictionary<string, string>? more = null, IEnumerable<string>? extraArgs = null) =>
        Stack.StartAsync(Config(host, more), extraArgs: extraArgs, placement: Workstation(lab));

    public static string Config(string host, IDictionary<string, string>? more = null)
    {
        var config = new Dictionary<string, string>(more ?? new Dictionary<string, string>()) { ["host"] = host };
        return JsonSerializer.Serialize(config);
    }

    /// <summary>
    /// What the workstation's own networking looks like (links, addresses, routes), to show that managing
    /// a remote host never touches the machine the plugin runs on.
    /// </summary>
    public static string NetworkingOf(LabNamespace ns)
    {
        // A new link's IPv6 link-local address is "tentative" for a moment (duplicate address detection): wait it out.
        Poll.Until(() => !ns.Ip("-j", "addr", "show").Contains("\"tentative\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            $"the addresses of {ns.Name} to settle");
        return string.Join("\n", HostSnapshot.Take(ns).Entries.Select(e => $"{e.Key}: {e.Value}"))
            + "\naddresses: " + ns.Ip("-j", "addr", "show")
            + "\nroutes: " + ns.Ip("-j", "route", "show", "table", "all");
    }

    /// <summary>The processes of a namespace whose command line starts with <paramref name="prefix"/> (sshd sessions, agents).</summary>
    public static IReadOnlyList<int> Processes(LabNamespace ns, string prefix)
    {
        var pids = Shell.Run("ip", "netns", "pids", ns.Name).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. pids.Select(int.Parse).Where(pid => CommandLine(pid).StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>A process's argv joined by spaces ("" when it is gone).</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The agents the plugin runs on a host: the copies of its binary under ~/.pulumi-kvm/bin.</summary>
    public static IReadOnlyList<string> InstalledAgents(RemoteLabHost host)
    {
        var dir = Path.Combine(host.HomeDir, ".pulumi-kvm", "bin");
        return Directory.Exists(dir) ? [.. Directory.GetFiles(dir).Select(Path.GetFileName).Order()!] : [];
    }
}

using System.Text.RegularExpressions;
using Kvm.Lab;

// The lab tests share two CPUs with TCG guests and daemons: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Kvm.Lab.Tests;

/// <summary>All lab tests run in this collection; its fixture checks, after the last one, that nothing was left behind.</summary>
[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabLeftoversGuard>
{
    public const string Name = "Lab";
}

/// <summary>
/// After the whole collection: no network namespace of this test process remains, and no process
/// of ours runs (kernel VMs named kvmlab-vm-&lt;pid&gt;). Anything found is removed, then reported
/// as a failure of the run.
/// </summary>
public sealed class LabLeftoversGuard : IDisposable
{
    public LabLeftoversGuard() => LabSetup.Ensure();

    public void Dispose()
    {
        var leftovers = Leftovers.Namespaces();
        var vms = Leftovers.KernelVms();
        if (leftovers.Count == 0 && vms.Count == 0) return;
        foreach (var ns in leftovers)
        {
            var pids = Shell.Run("ip", "netns", "pids", ns).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length > 0) Shell.Run("kill", ["-KILL", .. pids], stdin: null, timeout: TimeSpan.FromSeconds(30));
            Shell.Run("ip", "netns", "delete", ns);
        }
        if (vms.Count > 0) Shell.Run("kill", ["-KILL", .. vms.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))], stdin: null, timeout: TimeSpan.FromSeconds(30));
        throw new InvalidOperationException(
            $"lab tests left namespaces [{string.Join(", ", leftovers)}] and kernel VMs [{string.Join(", ", vms)}] behind (now removed)");
    }
}

/// <summary>What this test process could have left behind.</summary>
public static class Leftovers
{
    private static string Mine => $"{LabSetup.Prefix}-{Environment.ProcessId}-";

    /// <summary>Network namespaces named kvmlab-&lt;our pid&gt;-*.</summary>
    public static List<string> Namespaces() =>
        Shell.Check("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(Mine, StringComparison.Ordinal)).ToList();

    /// <summary>qemu processes named kvmlab-vm-&lt;our pid&gt;.</summary>
    public static List<int> KernelVms()
    {
        var marker = $"{LabSetup.Prefix}-vm-{Environment.ProcessId}";
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Contains(marker) && Poll.Alive(pid)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>The network namespace inode of a process ("net:[1234]"), or null when it is gone.</summary>
    public static string? NetNs(int pid)
    {
        try { return new FileInfo($"/proc/{pid}/ns/net").LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>The inode link text of a named network namespace, as /proc/PID/ns/net reads for its members.</summary>
    public static string NetNsOf(LabNamespace ns)
    {
        var inode = Shell.Check("stat", "-L", "-c", "%i", ns.Path).Trim();
        return $"net:[{inode}]";
    }

    /// <summary>The names of the default namespace's links (the lab must never change them).</summary>
    public static string DefaultLinks() =>
        string.Join(",", Regex.Matches(Shell.Check("ip", "-o", "link", "show"), @"^\d+: ([^:@]+)", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
}

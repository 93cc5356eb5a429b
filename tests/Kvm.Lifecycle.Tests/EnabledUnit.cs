using Kvm.Lab;

namespace Kvm.Lifecycle.Tests;

/// <summary>The boot unit the provider enabled, run as systemd would run it at boot.</summary>
internal static class EnabledUnit
{
    /// <summary>The unit's ExecStart (read through its wants symlink) with %f, the instance's folder, expanded.</summary>
    public static string[] Command(string wantsLink, string persistDir)
    {
        var execStart = File.ReadAllLines(wantsLink).Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        return execStart.Replace("%f", persistDir, StringComparison.Ordinal).Split(' ');
    }

    /// <summary>The unit's command, with --netns added: the lab's links live in a lab namespace, not in the machine's own.</summary>
    public static ShellResult RunIn(LabNamespace ns, string wantsLink, string persistDir)
    {
        var command = Command(wantsLink, persistDir);
        return Shell.Run(command[0], [.. command[1..], "--netns", ns.Name], stdin: null, timeout: TimeSpan.FromMinutes(1));
    }
}

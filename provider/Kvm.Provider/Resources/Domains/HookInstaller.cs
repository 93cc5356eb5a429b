using System.Globalization;
using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Domains;

/// <summary>What <see cref="HookInstaller.Ensure"/> did.</summary>
/// <param name="ScriptPath">The hook script (HOOKS/qemu.d/pulumi-kvm-guest-vlans).</param>
/// <param name="Changed">The script or the binary it runs was written now (it was missing or different).</param>
/// <param name="FirstQemuHook">
/// The script was written now and no other qemu hook was there. libvirtd decides when it starts whether it
/// runs qemu hooks at all (the <c>qemu</c> script or an executable in <c>qemu.d</c>) and lists <c>qemu.d</c>
/// again at each call: so a new script is picked up at once only if some qemu hook existed when the daemon
/// started, and this one is not run until libvirtd restarts.
/// </param>
internal sealed record HookStatus(string ScriptPath, bool Changed, bool FirstQemuHook);

/// <summary>
/// Installs the qemu hook that re-applies guest VLANs on Linux bridges each time libvirt starts a guest:
/// HOOKS/qemu.d/pulumi-kvm-guest-vlans, a two-line script that runs a copy of this provider's NativeAOT
/// binary (HOOKS/pulumi-kvm/pulumi-resource-kvm, so removing or upgrading the Pulumi plugin never breaks
/// it) as <c>pulumi-resource-kvm qemu-hook</c>. Writes are atomic (a temporary file, then a rename) and
/// only happen when the content differs.
/// </summary>
internal sealed class HookInstaller(string hooksDir, string sourceBinary)
{
    public const string ScriptName = "pulumi-kvm-guest-vlans";
    public const string StateFolderName = "pulumi-kvm";
    public const string BinaryName = "pulumi-resource-kvm";

    /// <summary>
    /// The script. libvirt runs it with its full path (inside the daemon's own mount namespace), so it
    /// finds the binary next to itself. Operations other than <c>start</c> only drain stdin.
    /// </summary>
    public static readonly string Script = """
        #!/bin/sh
        # Installed by pulumi-resource-kvm (the kvm Pulumi provider). When libvirt starts a guest, it puts the
        # guest's taps on Linux bridges on the VLANs recorded in the domain's <metadata> (a failure stops the
        # start). Harmless for guests without such VLANs; remove it with ../pulumi-kvm when none use them.
        d="${0%/*}/../pulumi-kvm"
        case "$2" in
        start) exec "$d/pulumi-resource-kvm" qemu-hook --state-dir "$d" "$@" ;;
        *) exec cat > /dev/null ;;
        esac

        """.ReplaceLineEndings("\n");

    public string HooksDir => hooksDir;
    public string ScriptPath => Path.Combine(hooksDir, "qemu.d", ScriptName);
    public string StateDir => Path.Combine(hooksDir, StateFolderName);
    public string BinaryPath => Path.Combine(StateDir, BinaryName);

    /// <summary>Installs or refreshes the script and the binary. Throws IOException / UnauthorizedAccessException.</summary>
    public HookStatus Ensure()
    {
        var others = OtherQemuHooksExist();
        Directory.CreateDirectory(Path.Combine(hooksDir, "qemu.d"));
        Directory.CreateDirectory(StateDir);
        var scriptExisted = File.Exists(ScriptPath);
        var changed = InstalledFiles.CopyIfDifferent(sourceBinary, BinaryPath);
        changed |= InstalledFiles.WriteIfDifferent(ScriptPath, Script, InstalledFiles.Executable);
        return new HookStatus(ScriptPath, changed, !scriptExisted && !others);
    }

    /// <summary>When the hook last saw libvirt start the domain (it touches STATE/started/UUID), or null.</summary>
    public DateTimeOffset? LastStart(Guid uuid)
    {
        var file = Path.Combine(StateDir, QemuHook.StartedFolder, uuid.ToString("D"));
        try
        {
            return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Forgets a domain's start marker (on delete). Best effort.</summary>
    public void Forget(Guid uuid)
    {
        try
        {
            File.Delete(Path.Combine(StateDir, QemuHook.StartedFolder, uuid.ToString("D")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private bool OtherQemuHooksExist()
    {
        static bool IsExecutable(string path) =>
            !OperatingSystem.IsWindows() && File.Exists(path)
            && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

        if (IsExecutable(Path.Combine(hooksDir, "qemu"))) return true;
        var dir = Path.Combine(hooksDir, "qemu.d");
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir).Any(f => Path.GetFileName(f) != ScriptName && IsExecutable(f));
    }
}

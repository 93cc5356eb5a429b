using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The provider's side of the qemu hook (<see cref="QemuHook"/>) for a local libvirt: installing it
/// when a guest gets VLANs on a Linux bridge, telling whether libvirtd ran it at a start, and
/// forgetting a deleted guest. A remote libvirt's hook folder is not this machine's: nothing happens.
/// </summary>
internal sealed class DomainHook(ProviderHost host, Func<string, HookInstaller>? installer = null)
{
    private readonly Func<string, HookInstaller> _installer = installer
        ?? (dir => new HookInstaller(dir, Environment.ProcessPath ?? throw new InvalidOperationException("the provider cannot tell its own executable")));

    /// <summary>A libvirt on this machine, whose hook folder the provider can write.</summary>
    public static bool IsLocalQemu(string uri) =>
        uri.StartsWith("qemu:///", StringComparison.Ordinal) || uri.StartsWith("qemu+unix:///", StringComparison.Ordinal);

    private bool Local => IsLocalQemu(host.Libvirt.Uri);

    private HookInstaller Installer => _installer(host.Config.EffectiveHooksDir);

    /// <summary>Installs or refreshes the hook; a hook folder the provider cannot write is a warning, not a failure.</summary>
    public async Task EnsureAsync(string urn, CancellationToken ct)
    {
        if (!Local) return;
        var installer = Installer;
        using var gate = await host.Locks.AcquireAsync("libvirt-hooks", ct).ConfigureAwait(false);
        HookStatus status;
        try
        {
            status = installer.Ensure();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await host.Log.WarnAsync(
                $"could not install the qemu hook in {installer.HooksDir} ({e.Message}): the provider applies guest VLANs on Linux bridges when it starts a guest, " +
                "but a guest restarted outside Pulumi comes back on its bridge's default VLAN. Set the provider's libvirtHooksDir to libvirt's hook folder", urn).ConfigureAwait(false);
            return;
        }
        if (status.FirstQemuHook)
            await host.Log.WarnAsync(
                $"installed the qemu hook {status.ScriptPath}, which re-applies guest VLANs on Linux bridges whenever libvirt starts a guest. " +
                "libvirtd looks for hooks only when it starts and had none: restart libvirtd (e.g. `systemctl restart libvirtd`; running guests keep running). " +
                "Until then the provider applies the VLANs itself when it starts a guest", urn).ConfigureAwait(false);
        else if (status.Changed)
            await host.Log.InfoAsync($"installed the qemu hook {status.ScriptPath}, which re-applies guest VLANs on Linux bridges whenever libvirt starts a guest", urn).ConfigureAwait(false);
    }

    /// <summary>Warns when libvirtd did not run the hook at a start the provider made (it has not loaded hooks since the hook was installed).</summary>
    public async Task WarnIfNotRunAsync(Guid uuid, DateTimeOffset started, string name, string urn)
    {
        if (!Local) return;
        var seen = Installer.LastStart(uuid);
        if (seen is null || seen < started.AddSeconds(-5))
            await host.Log.WarnAsync(
                $"libvirtd did not run the provider's qemu hook when {name} started: it has not loaded hooks since the hook was installed " +
                $"({Path.Combine(host.Config.EffectiveHooksDir, "qemu.d", HookInstaller.ScriptName)}). The provider applied the VLANs itself this time; " +
                "restart libvirtd (running guests keep running) so that they are re-applied when the guest restarts outside Pulumi", urn).ConfigureAwait(false);
    }

    /// <summary>Forgets a deleted guest's start marker. Best effort.</summary>
    public void Forget(Guid uuid)
    {
        if (Local) Installer.Forget(uuid);
    }
}

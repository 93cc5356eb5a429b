using System.Xml.Linq;
using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Domains;

/// <summary>Starting a guest (with its Linux-bridge VLANs on its taps before anything else may count on it) and stopping it.</summary>
internal sealed class DomainPower(ProviderHost host, DomainObserver observer, DomainHook hook)
{
    /// <summary>
    /// Starts the guest, then makes sure its Linux-bridge VLANs are on its taps (the hook normally did it
    /// during the start). A guest whose VLANs cannot be applied is stopped again: it never runs on the
    /// wrong VLAN. Failures are <see cref="ResourceInitFailedException"/>: the domain stays defined and the
    /// next `pulumi up` tries again.
    /// </summary>
    public async Task StartAsync(ILibvirtDomain domain, DomainArgs a, string urn, string failedWhat, CancellationToken ct)
    {
        var name = a.Name!;
        var started = DateTimeOffset.UtcNow;
        try
        {
            domain.Start();
        }
        catch (LibvirtException e)
        {
            throw await observer.InitFailedAsync(domain, a, $"domain {name} {failedWhat}: {e.Message}", e, ct).ConfigureAwait(false);
        }

        var vlans = GuestVlans.Read(XElement.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive)));
        if (vlans.Count == 0) return;
        try
        {
            var live = DomainXml.Parse(domain.GetXmlDesc());
            foreach (var nic in live.Interfaces)
            {
                if (DeviceMatching.Mac(nic.MacAddress) is not { } mac || !vlans.TryGetValue(mac, out var vlan)) continue;
                var tap = nic.TargetDev ?? throw new GuestVlanException($"interface {mac} has no host device");
                if (await GuestPortVlans.ApplyAsync(host.Links, host.Vlans, tap, vlan, ct).ConfigureAwait(false) is { } warning)
                    await host.Log.WarnAsync($"{name}: {warning}", urn).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is GuestVlanException or NetlinkException or LibvirtException)
        {
            Destroy(domain);
            throw await observer.InitFailedAsync(domain, a, $"domain {name} was stopped again right after it started, so it never runs on the wrong VLAN: {e.Message}", e, ct).ConfigureAwait(false);
        }
        await hook.WarnIfNotRunAsync(domain.Uuid, started, name, urn).ConfigureAwait(false);
    }

    /// <summary>How often a graceful shutdown that is still being waited for says so.</summary>
    internal static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// ACPI shutdown, waiting up to shutdownTimeoutSeconds (capped by the operation's timeout), then a
    /// hard power-off. The wait can be a minute, so it is reported as it goes (the engine's ephemeral
    /// status on <paramref name="urn"/>: at once, then every <see cref="StatusInterval"/>), and so is a power-off.
    /// </summary>
    public static async Task StopAsync(ILibvirtDomain domain, DomainArgs settings, TimeSpan? operationTimeout, IEngineLog log, string? urn, CancellationToken ct)
    {
        var name = settings.Name ?? domain.Name;
        var wait = TimeSpan.FromSeconds(settings.ShutdownTimeoutSeconds ?? 60);
        if (operationTimeout is { } t && t - TimeSpan.FromSeconds(10) < wait) wait = t - TimeSpan.FromSeconds(10);
        if (wait > TimeSpan.Zero)
        {
            try
            {
                domain.Shutdown();
                var started = DateTime.UtcNow;
                var deadline = started + wait;
                var nextStatus = started;
                while (domain.IsActive() && DateTime.UtcNow < deadline)
                {
                    if (DateTime.UtcNow >= nextStatus)
                    {
                        await log.StatusAsync(ShutdownStatus(name, DateTime.UtcNow - started, wait), urn).ConfigureAwait(false);
                        nextStatus += StatusInterval;
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
                }
            }
            catch (LibvirtException e) when (e.Code is LibvirtErrorCode.OperationInvalid)
            {
                // Not running any more.
            }
        }
        if (IsActive(domain))
            await log.StatusAsync(wait > TimeSpan.Zero
                ? $"{name} did not shut down within {wait.TotalSeconds:0} s: powering it off"
                : $"powering off {name}", urn).ConfigureAwait(false);
        Destroy(domain);
    }

    internal static string ShutdownStatus(string name, TimeSpan waited, TimeSpan wait) =>
        $"waiting for {name} to shut down (ACPI power button pressed {waited.TotalSeconds:0} s ago; powered off after {wait.TotalSeconds:0} s)";

    private static bool IsActive(ILibvirtDomain domain)
    {
        try
        {
            return domain.IsActive();
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>A hard power-off of a guest that still runs.</summary>
    public static void Destroy(ILibvirtDomain domain)
    {
        try
        {
            if (domain.IsActive()) domain.Destroy();
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCode.OperationInvalid)
        {
            // It stopped on its own meanwhile.
        }
    }
}

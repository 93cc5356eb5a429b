using Kvm.Libvirt;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Domains;

/// <summary>What changed on the running guest itself, and whether something it refused now waits for a restart.</summary>
internal sealed record LiveResult(bool Applied, bool NeedsRestart);

/// <summary>
/// Brings a running guest to its new persistent config where libvirt can without a restart: memory and
/// vCPUs within their maximum, NIC hot-(un)plug, link state and libvirt VLANs, Linux-bridge VLANs on the
/// taps (over netlink) and disk hot-(un)plug. What the guest refuses stays in the persistent config and is
/// reported as waiting for a restart.
/// </summary>
internal sealed class DomainLiveChanges(ProviderHost host)
{
    /// <param name="before">The domain before the new config was defined.</param>
    /// <param name="config">The persistent config now defined.</param>
    public async Task<LiveResult> ApplyAsync(ILibvirtDomain domain, DomainSnapshot before, DomainDefinition config, DomainArgs a, string urn, CancellationToken ct)
    {
        var live = before.Live!;
        var name = a.Name!;
        var applied = false;
        var needsRestart = false;

        async Task Refused(string what, LibvirtException e)
        {
            needsRestart = true;
            await host.Log.WarnAsync($"kvm:restart {what}: the running guest refused the change ({e.Message}); it is in the persistent config and takes effect when {name} restarts", urn).ConfigureAwait(false);
        }

        var currentKiB = config.CurrentMemoryKiB ?? config.MemoryKiB;
        if (currentKiB is { } kib && kib != before.ConfigCurrentMemoryKiB && kib <= (live.MemoryKiB ?? 0))
        {
            try
            {
                domain.SetMemory(kib, MemoryModifyFlags.Live);
                applied = true;
            }
            catch (LibvirtException e)
            {
                await Refused(a.MemoryKib is null ? DomainArgs.Paths.MemoryMib : DomainArgs.Paths.MemoryKib, e).ConfigureAwait(false);
            }
        }

        var wantedVcpus = a.Vcpus!.Value;
        if (live.Vcpu is { } lv && (lv.Current ?? lv.Maximum) != wantedVcpus && wantedVcpus <= lv.Maximum)
        {
            try
            {
                domain.SetVcpus(wantedVcpus, VcpuModifyFlags.Live);
                applied = true;
            }
            catch (LibvirtException e)
            {
                await Refused(DomainArgs.Paths.Vcpus, e).ConfigureAwait(false);
            }
        }

        if (a.Interfaces is not null)
        {
            applied |= await InterfacesAsync(domain, before, config, name, urn, Refused, ct).ConfigureAwait(false);
        }

        if (a.Disks is not null)
        {
            var liveByTarget = live.Disks.ToDictionary(d => d.TargetDev, StringComparer.Ordinal);
            var configTargets = config.Disks.Select(d => d.TargetDev).ToHashSet(StringComparer.Ordinal);
            foreach (var (target, disk) in liveByTarget.Where(p => !configTargets.Contains(p.Key)))
            {
                try
                {
                    domain.DetachDevice(DomainXml.DeviceXml(disk), DeviceModifyFlags.Live);
                    applied = true;
                }
                catch (LibvirtException e)
                {
                    await Refused($"disks ({target} removed)", e).ConfigureAwait(false);
                }
            }
            foreach (var disk in config.Disks.Where(d => !liveByTarget.ContainsKey(d.TargetDev)))
            {
                try
                {
                    domain.AttachDevice(DomainXml.DeviceXml(disk with { Address = null }), DeviceModifyFlags.Live);
                    applied = true;
                }
                catch (LibvirtException e)
                {
                    await Refused($"disks ({disk.TargetDev} added)", e).ConfigureAwait(false);
                }
            }
        }
        return new LiveResult(applied, needsRestart);
    }

    /// <summary>NICs by MAC: unplugged, plugged, link state and libvirt VLANs updated; then the Linux-bridge VLANs of every tap. True when something was applied.</summary>
    private async Task<bool> InterfacesAsync(ILibvirtDomain domain, DomainSnapshot before, DomainDefinition config, string name, string urn,
        Func<string, LibvirtException, Task> refused, CancellationToken ct)
    {
        var live = before.Live!;
        var applied = false;
        var linuxVlans = GuestVlans.Read(config.Origin.Element);
        // By MAC, in order: the two NICs of a teaming pair share theirs.
        var match = DeviceMatching.Interfaces([.. config.Interfaces.Select(n => new DomainInterfaceArgs { MacAddress = n.MacAddress })],
            [.. live.Interfaces.Select(n => n.MacAddress)]);
        // Unplug first, so a NIC that moves to a new MAC frees its slot before the new one is plugged.
        foreach (var j in DeviceMatching.Unmatched(match, live.Interfaces.Count))
        {
            var nic = live.Interfaces[j];
            var mac = DeviceMatching.Mac(nic.MacAddress);
            try
            {
                domain.DetachDevice(DomainXml.DeviceXml(nic), DeviceModifyFlags.Live);
                applied = true;
                await host.Log.InfoAsync($"interface {mac} of {name}: hot-unplug requested; the guest completes it (until then it stays in the running guest and in pendingRestart)", urn).ConfigureAwait(false);
            }
            catch (LibvirtException e)
            {
                await refused($"interfaces ({mac} removed)", e).ConfigureAwait(false);
            }
        }
        for (var i = 0; i < config.Interfaces.Count; i++)
        {
            var nic = config.Interfaces[i];
            var mac = DeviceMatching.Mac(nic.MacAddress)!;
            if (match[i] is not { } j)
            {
                try
                {
                    var plug = nic with { Address = null, TargetDev = nic.TargetDev is { } t && DomainMapping.IsGeneratedTap(t) ? null : nic.TargetDev };
                    domain.AttachDevice(DomainXml.DeviceXml(plug), DeviceModifyFlags.Live);
                    applied = true;
                }
                catch (LibvirtException e)
                {
                    await refused($"interfaces ({mac} added)", e).ConfigureAwait(false);
                }
                continue;
            }
            var current = live.Interfaces[j];
            var wantedLink = nic.LinkState ?? LinkState.Up;
            var wantedVlan = linuxVlans.ContainsKey(mac) ? null : nic.Vlan;
            if ((current.LinkState ?? LinkState.Up) != wantedLink || current.Vlan != wantedVlan)
            {
                try
                {
                    domain.UpdateDevice(DomainXml.DeviceXml(current with { LinkState = wantedLink, Vlan = wantedVlan }), DeviceModifyFlags.Live);
                    applied = true;
                }
                catch (LibvirtException e)
                {
                    await refused($"interfaces ({mac} link state or VLANs)", e).ConfigureAwait(false);
                }
            }
        }
        // Linux-bridge VLANs: the taps of the running guest (new ones included), over netlink.
        var oldLinux = GuestVlans.Read(before.Config.Origin.Element);
        if (linuxVlans.Count > 0 || oldLinux.Count > 0)
        {
            var now = DomainXml.Parse(domain.GetXmlDesc());
            foreach (var nic in now.Interfaces)
            {
                var mac = DeviceMatching.Mac(nic.MacAddress);
                if (mac is null || nic.TargetDev is not { } tap) continue;
                if (linuxVlans.TryGetValue(mac, out var vlan))
                {
                    if (await GuestPortVlans.ApplyAsync(host.Links, host.Vlans, tap, vlan, ct).ConfigureAwait(false) is { } warning)
                        await host.Log.WarnAsync($"{name}: {warning}", urn).ConfigureAwait(false);
                    applied = true;
                }
                else if (oldLinux.ContainsKey(mac))
                {
                    await GuestPortVlans.ResetAsync(host.Links, host.Vlans, tap, ct).ConfigureAwait(false);
                    applied = true;
                }
            }
        }
        return applied;
    }
}

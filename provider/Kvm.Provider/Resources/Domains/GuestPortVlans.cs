using Kvm.Netlink;

namespace Kvm.Provider.Resources.Domains;

/// <summary>Programming a guest's tap (vnetN) in its Linux bridge's VLAN table failed; the message says why, for people.</summary>
internal sealed class GuestVlanException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The kernel has no bridge VLAN filtering (EOPNOTSUPP).</summary>
    public bool Unsupported { get; init; }
}

/// <summary>
/// Puts one guest port of a Linux bridge on its VLANs over rtnetlink: one dump to read the port's
/// table, then only the entries that differ (a delete and an add request at most). Shared by the
/// provider (after it starts a guest or changes its VLANs live) and the qemu hook (when libvirt
/// starts a guest). Never calls libvirt.
/// </summary>
internal static class GuestPortVlans
{
    /// <summary>
    /// Makes the table of <paramref name="tap"/> exactly <paramref name="desired"/>. Returns a warning
    /// for people when the bridge does not filter VLANs (the table is kept but not enforced), else null.
    /// Throws <see cref="GuestVlanException"/> when the port cannot be programmed.
    /// </summary>
    public static async Task<string?> ApplyAsync(ILinkApi links, IBridgeVlanApi vlans, string tap, DomainVlanArgs desired, CancellationToken ct)
    {
        var what = GuestVlans.Describe(desired);
        try
        {
            var link = await links.GetByNameAsync(tap, ct).ConfigureAwait(false)
                ?? throw new GuestVlanException($"cannot put {tap} on {what}: there is no such interface");
            if (link.MasterIndex is not { } master || master == 0)
                throw new GuestVlanException($"cannot put {tap} on {what}: it is not a port of a bridge");
            var bridge = await links.GetByIndexAsync(master, ct).ConfigureAwait(false);
            if (bridge is null || !bridge.IsBridge)
                throw new GuestVlanException($"cannot put {tap} on {what}: its master {bridge?.Name ?? $"ifindex {master}"} is not a Linux bridge (for Open vSwitch set virtualPort: openvswitch)");
            var table = await vlans.GetTableAsync(link.Index, ct).ConfigureAwait(false);
            var delta = VlanTable.Diff(table?.Entries ?? [], GuestVlans.Entries(desired));
            if (!delta.IsEmpty)
                await vlans.ApplyAsync(link.Index, VlanTarget.BridgePort, delta, ct).ConfigureAwait(false);
            return bridge.Bridge?.VlanFiltering == true
                ? null
                : $"bridge {bridge.Name} does not filter VLANs (vlan_filtering 0): the {what} of {tap} is programmed but not enforced until vlanFiltering is on";
        }
        catch (NetlinkException e) when (e.Errno == Errno.EOPNOTSUPP)
        {
            throw new GuestVlanException(
                $"cannot put {tap} on {what}: this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); the kernel answered {e.ErrnoName} to {e.Operation}", e)
            { Unsupported = true };
        }
        catch (NetlinkException e)
        {
            throw new GuestVlanException($"cannot put {tap} on {what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Gives a tap whose VLANs the program dropped what a new port of its bridge gets: the bridge's
    /// default PVID, untagged (nothing when the default PVID is 0).
    /// </summary>
    public static async Task ResetAsync(ILinkApi links, IBridgeVlanApi vlans, string tap, CancellationToken ct)
    {
        try
        {
            var link = await links.GetByNameAsync(tap, ct).ConfigureAwait(false);
            if (link?.MasterIndex is not { } master || master == 0) return;
            var bridge = await links.GetByIndexAsync(master, ct).ConfigureAwait(false);
            if (bridge is null || !bridge.IsBridge) return;
            var pvid = bridge.Bridge?.VlanDefaultPvid ?? 1;
            IReadOnlyList<VlanEntry> desired = pvid == 0 ? [] : [new VlanEntry(pvid, pvid, Pvid: true, Untagged: true)];
            var table = await vlans.GetTableAsync(link.Index, ct).ConfigureAwait(false);
            var delta = VlanTable.Diff(table?.Entries ?? [], desired);
            if (!delta.IsEmpty) await vlans.ApplyAsync(link.Index, VlanTarget.BridgePort, delta, ct).ConfigureAwait(false);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EOPNOTSUPP)
        {
            // No VLAN filtering in this kernel: there is no table to reset.
        }
        catch (NetlinkException e)
        {
            throw new GuestVlanException($"cannot put {tap} back on its bridge's default VLAN: {e.Message}", e);
        }
    }
}

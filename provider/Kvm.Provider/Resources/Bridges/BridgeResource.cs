using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// `kvm:index:Bridge`: a Linux bridge over our own rtnetlink client. The id is the bridge's name.
/// </summary>
internal sealed class BridgeResource(ProviderHost host) : Resource<BridgeArgs, BridgeState>(host)
{
    public const string TypeToken = "kvm:index:Bridge";

    public override string Token => TypeToken;

    protected override string? PersistedAs => DesiredState.Bridges;

    public override string Description => """
        A Linux bridge on the KVM host: MTU, MAC, STP timers, VLAN filtering settings, its ports, its up/down state, and the host's own addresses, default gateways and static routes on it, managed over rtnetlink (no `ip` or `brctl`).

        Changing `name` replaces the bridge (the old one is deleted first: names are unique on a host); everything else is changed in place. Unset optional inputs are not managed: the kernel's values for them are never reported as drift. What the kernel adds by itself (the IPv6 link-local address, the subnet route of each address, routes of other tables) is never managed. A change of addresses or routes is made in place: new addresses and routes first, then the old ones are removed. A bridge that carries an IP address or the default route, or has guests' taps attached, is not deleted unless `forceDestroy` is true; guests' taps (vnetN) are never released by a change of `ports`.

        Taking over an uplink: when a port (eth0) joins a bridge that declares the address the port holds, and `gateway` is the port's default route, the address and those routes move to the bridge in the same `up`: the port joins, the bridge takes them (the default route swapped in one request), then the port lets them go; preview says so (`kvm:move`). A change to links that carry the host's default route or the address the provider's SSH session comes in on (the bridge, its ports, and whichever link a declared `gateway` takes the default route from) is checkpointed (`kvm:checkpoint` in preview): on a remote `host` it must be confirmed over that SSH session within the provider's `confirmTimeoutSeconds`, else the host itself puts the links back and the update fails saying so; locally the provider's `reachabilityProbe` plays that part. Leaving out the `gateway` or the session's address of such a bridge needs `forceDestroy`, as deleting it does.

        Import: `pulumi import kvm:index:Bridge br0 br0` (id: the bridge name).
        """;

    protected override Planner<BridgeArgs, BridgeState> Planner { get; } = new BridgePlanner();

    protected override Applier<BridgeArgs, BridgeState> Applier { get; } = new BridgeApplier(host);

    /// <summary>A tap (kind tun) on a bridge is a guest's NIC (libvirt's vnetN) or a VPN's end: it belongs to whoever made it.</summary>
    public static bool IsGuestTap(Netlink.Link link) => BridgeApplier.IsGuestTap(link);
}

using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>
/// `kvm:index:OvsBridge`: an Open vSwitch bridge and its ports, spoken to ovsdb-server directly
/// (RFC 7047 JSON-RPC on its socket, no `ovs-vsctl`). The id is the bridge's name.
/// </summary>
internal sealed class OvsBridgeResource(ProviderHost host) : Resource<OvsBridgeArgs, OvsBridgeState>(host)
{
    public const string TypeToken = "kvm:index:OvsBridge";

    public override string Token => TypeToken;

    /// <summary>
    /// Open vSwitch keeps the bridge and its ports in its own database across reboots; what the kernel loses is the
    /// internal port's admin state, addresses and routes, which `restore` puts back from this entry.
    /// </summary>
    protected override string? PersistedAs => DesiredState.OvsBridges;

    public override string Description => """
        An Open vSwitch bridge on the KVM host: its datapath type, fail mode, STP/RSTP, the MTU of its own internal port, `other_config` and `external_ids`, and its ports (uplinks, bonds with LACP, internal ports, patch ports) with their VLAN modes, access tags and trunks. The provider speaks OVSDB's JSON-RPC (RFC 7047) to ovsdb-server's socket (the provider's `ovsdbSocket`, /run/openvswitch/db.sock by default) itself: no `ovs-vsctl`.

        Each create, change and delete is one OVSDB transaction, all or nothing, guarded by `wait` operations on the rows as the provider read them (the bridge's columns, its `ports`, each port it changes): a concurrent edit by someone else aborts it with a message saying so, instead of being overwritten. OVSDB's refusals come back in its own words. Preview says which changes interrupt traffic (a new datapath type, STP turned on, `failMode: secure`, a port removed or its VLANs changed) and whose.

        Guests' ports that libvirt adds (vnetN, whose interface carries libvirt's `vm-id`, `attached-mac`, `iface-id` external_ids) are never taken over or removed by a change of `ports`; they are listed in `guestPorts`, and the bridge is not deleted while it has any unless `forceDestroy` is true. Unset bridge settings are not managed. Changing `name` replaces the bridge. Libvirt networks and domains attach guests to it by its name (`LibvirtNetwork` with `forward.mode` bridge and an openvswitch virtual port, or a Domain NIC's `bridge`).

        The host's own interface on the bridge, its internal port (the link named like the bridge, which Open vSwitch makes down), carries the host's addresses, default routes and static routes as a Linux Bridge does: `addresses`, `gateway`, `gateway6`, `routes` and `up`, with the same rules, written by netlink once ovs-vswitchd has made the link; so does an `internal` port in `ports` (a management port in VLAN `tag`), with the same inputs on the port. An address belongs to one link of the bridge, and a family has one default route. An uplink listed in `ports` that holds a declared address hands it over as it joins, with its default route, in the order that keeps the host reachable; when the change touches the links the host is reached through, it is checkpointed and rolled back (Open vSwitch's ports included) if it fails or, with `reachabilityProbe`, is not confirmed. Links that NetworkManager, systemd-networkd or ifupdown (`ovs_ports`) configure are refused unless `takeOverManagedLinks` is true. With the provider's `persistDir`, the internal port's side is re-applied at boot (Open vSwitch itself keeps the rest).

        Import: `pulumi import kvm:index:OvsBridge ovsbr0 ovsbr0` (id: the bridge's name).
        """;

    protected override Planner<OvsBridgeArgs, OvsBridgeState> Planner { get; } = new OvsBridgePlanner();

    protected override Applier<OvsBridgeArgs, OvsBridgeState> Applier { get; } = new OvsBridgeApplier(host);
}

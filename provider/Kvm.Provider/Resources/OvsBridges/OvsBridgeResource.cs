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

    public override string Description => """
        An Open vSwitch bridge on the KVM host: its datapath type, fail mode, STP/RSTP, the MTU of its own internal port, `other_config` and `external_ids`, and its ports (uplinks, bonds with LACP, internal ports, patch ports) with their VLAN modes, access tags and trunks. The provider speaks OVSDB's JSON-RPC (RFC 7047) to ovsdb-server's socket (the provider's `ovsdbSocket`, /run/openvswitch/db.sock by default) itself: no `ovs-vsctl`.

        Each create, change and delete is one OVSDB transaction, all or nothing, guarded by `wait` operations on the rows as the provider read them (the bridge's columns, its `ports`, each port it changes): a concurrent edit by someone else aborts it with a message saying so, instead of being overwritten. OVSDB's refusals come back in its own words. Preview says which changes interrupt traffic (a new datapath type, STP turned on, `failMode: secure`, a port removed or its VLANs changed) and whose.

        Guests' ports that libvirt adds (vnetN, whose interface carries libvirt's `vm-id`, `attached-mac`, `iface-id` external_ids) are never taken over or removed by a change of `ports`; they are listed in `guestPorts`, and the bridge is not deleted while it has any unless `forceDestroy` is true. Unset bridge settings are not managed. Changing `name` replaces the bridge. Libvirt networks and domains attach guests to it by its name (`LibvirtNetwork` with `forward.mode` bridge and an openvswitch virtual port, or a Domain NIC's `bridge`).

        The host's addresses on the internal port are not managed yet (use a Bridge for a host address on a Linux bridge).

        Import: `pulumi import kvm:index:OvsBridge ovsbr0 ovsbr0` (id: the bridge's name).
        """;

    protected override Planner<OvsBridgeArgs, OvsBridgeState> Planner { get; } = new OvsBridgePlanner();

    protected override Applier<OvsBridgeArgs, OvsBridgeState> Applier { get; } = new OvsBridgeApplier(host);
}

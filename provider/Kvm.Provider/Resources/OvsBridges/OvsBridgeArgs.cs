using System.Collections.Immutable;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>The inputs of an Open vSwitch bridge, its settings and its ports.</summary>
internal partial record OvsBridgeArgs : IHostAddressing
{
    [Input("name", "The bridge's name (1-15 characters, no '/', ':' or whitespace), also the name of its own internal port and the host's interface on it. It is the resource's id.", Required = true, ReplaceOnChanges = true, MaxLength = 15)]
    public string? Name { get; init; }

    [Input("datapathType", "The datapath: `system` (the kernel's openvswitch module) or `netdev` (the userspace datapath, for DPDK or hosts without the module). Changing it rebuilds the bridge's datapath: every port's traffic, guests' included, stops for a moment. Unset: not managed (Open vSwitch's default is system).", OneOf = ["system", "netdev"])]
    public string? DatapathType { get; init; }

    [Input("failMode", "What the bridge does without an OpenFlow controller: `standalone` (learn and forward like a switch) or `secure` (forward nothing but the flows it is given). Unset: not managed (Open vSwitch acts as standalone).", OneOf = ["standalone", "secure"])]
    public string? FailMode { get; init; }

    [Input("stpEnable", "Whether the bridge runs the Spanning Tree Protocol (802.1D). Turning it on holds every port in listening and learning for about 30 s.")]
    public bool? StpEnable { get; init; }

    [Input("rstpEnable", "Whether the bridge runs Rapid Spanning Tree (802.1w); not together with stpEnable.")]
    public bool? RstpEnable { get; init; }

    [Input("mtu", "The MTU of the bridge's own internal port (the host's interface on the bridge), as requested from Open vSwitch (`mtu_request`). Unset: not managed.", Min = 68, Max = 65535)]
    public int? Mtu { get; init; }

    [Input("otherConfig", "The bridge's `other_config` map (e.g. `stp-priority`, `mac-aging-time`, `hwaddr`): key to value. Unset: not managed. Set: exactly these keys.", MaxLength = 256)]
    public ImmutableSortedDictionary<string, string>? OtherConfig { get; init; }

    [Input("externalIds", "The bridge's `external_ids` map, key to value: for other tools' use, Open vSwitch does not read them. Unset: not managed. Set: exactly these keys.", MaxLength = 256)]
    public ImmutableSortedDictionary<string, string>? ExternalIds { get; init; }

    [Input("ports", "The bridge's ports, other than its own internal port: uplinks (existing interfaces), bonds, internal ports and patch ports, with their VLAN settings. Unset: ports are not managed. Set: exactly these. Guests' ports that libvirt adds (vnetN, whose interface carries libvirt's external_ids such as `vm-id` and `attached-mac`) are never taken over or removed: they are listed in `guestPorts`. In any order: ports are told apart by name.", MaxLength = 1024, Key = "name")]
    public OvsPortArgs[]? Ports { get; init; }

    // The host's own layer 3 on the bridge: the same inputs, rules and take-over as a Linux Bridge's, on the bridge's
    // internal port (the kernel link Open vSwitch makes with the bridge's name), written by netlink once ovs-vswitchd
    // has made that link. Open vSwitch keeps none of this in its database, which is why it is the provider's.

    [Input("addresses", "The host's own IPv4 and IPv6 addresses on the bridge's internal port (the host's interface named like the bridge), in CIDR notation (\"192.168.0.90/24\", \"fd00::1/64\"), in any order. Unset: addresses are not managed. Set: exactly these; others are removed. Addresses the kernel makes itself (IPv6 link-local, SLAAC and DHCP leases) are never managed. A port listed in `ports` that holds one of them hands it over (and the routes that go with it) as it joins.", Unordered = true, MaxLength = 256)]
    public string[]? Addresses { get; init; }

    [Input("gateway", "The IPv4 default route through the bridge's internal port: the gateway's address, in one of `addresses`' IPv4 subnets (when `addresses` is set). Unset: not managed; unset after being set: removed.", MaxLength = 15)]
    public string? Gateway { get; init; }

    [Input("gateway6", "The IPv6 default route through the bridge's internal port: the gateway's address, in one of `addresses`' IPv6 subnets or link-local (fe80::/10). Unset: not managed; unset after being set: removed.", MaxLength = 45)]
    public string? Gateway6 { get; init; }

    [Input("routes", "Static routes (main table) through the bridge's internal port, other than the default route (`gateway`, `gateway6`), in any order. Unset: not managed. Set: exactly these; other static routes through it are removed. The kernel's own routes (proto kernel) are never managed.", Unordered = true, MaxLength = 1024)]
    public BridgeRouteArgs[]? Routes { get; init; }

    [Input("up", "Whether the bridge's internal port (the host's interface on the bridge) is administratively up; Open vSwitch makes it down. Unset: brought up when the bridge declares addresses, gateways or routes (they serve nothing on a link that is down), else not managed.")]
    public bool? Up { get; init; }

    [Input("takeOverManagedLinks", "Take the bridge's name and new ports (bond members included) even when the host's own network manager (NetworkManager, systemd-networkd, or ifupdown with Open vSwitch's `ovs_ports`) configures those links, as its files say (read under the provider's `hostRoot`). Unset or false: such a link is refused at Check, naming the manager and the file. Set it to take them anyway, e.g. while moving a host off that manager; preview then names each one.")]
    public bool? TakeOverManagedLinks { get; init; }

    [Input("forceDestroy", "Delete the bridge even when guests' ports are attached to it (their traffic stops, and libvirt does not put them back) or its internal port carries the host's address or default route; and take the host's default route or management address off the internal port (either could cut the host off).", Default = false)]
    public bool? ForceDestroy { get; init; }
}

/// <summary>One port of an OVS bridge: an interface, a bond of several, an internal or a patch port.</summary>
[SchemaType("kvm:index:OvsPort", "A port of an Open vSwitch bridge (a row of its Port table): an existing interface (an uplink), a bond, an internal port (an interface of the host) or one end of a patch, with its VLAN settings.")]
internal sealed partial record OvsPortArgs : IHostAddressing
{
    [Input("name", "The port's name; for a port of one interface, the interface's name too (e.g. eth1).", Required = true, MaxLength = 15)]
    public string? Name { get; init; }

    [Input("type", "`internal`: Open vSwitch makes an interface of the host on the bridge; `patch`: one end of a patch to another bridge (give `peer`). Unset: an existing interface of the host (or, with `bond`, its members).", OneOf = ["internal", "patch"])]
    public string? Type { get; init; }

    [Input("peer", "For a `patch` port: the name of the patch port at the other end (on another bridge).", MaxLength = 15)]
    public string? Peer { get; init; }

    [Input("vlanMode", "How the port treats VLANs: `access` (untagged, in VLAN `tag`), `trunk` (tagged, the VLANs of `trunks`, all when empty), `native-tagged` / `native-untagged` (a trunk whose native VLAN is `tag`, sent tagged or untagged). Unset: access when `tag` is set, else trunk (Open vSwitch's rule).", OneOf = ["access", "trunk", "native-tagged", "native-untagged"])]
    public string? VlanMode { get; init; }

    [Input("tag", "The port's VLAN: the access VLAN, or a native-tagged/native-untagged port's native VLAN (0-4095).", Min = 0, Max = 4095)]
    public int? Tag { get; init; }

    [Input("trunks", "The VLANs a trunk carries, in any order (0-4095). Empty or unset on a trunk: every VLAN.", Unordered = true, Min = 0, Max = 4095, MaxLength = 4096)]
    public int[]? Trunks { get; init; }

    [Input("macAddress", "For an `internal` port: its MAC address (Open vSwitch's Interface `mac`; aa:bb:cc:dd:ee:ff, unicast), kept whenever Open vSwitch makes the port again (a restart of ovs-vswitchd, a reboot). Unset: not managed; Open vSwitch picks a random one each time, so peers' ARP caches and DHCP reservations go stale after a reboot. The bridge's own internal port takes otherConfig `hwaddr` instead.", MaxLength = 17)]
    public string? MacAddress { get; init; }

    [Input("bond", "Make the port a bond of several existing interfaces.")]
    public OvsBondArgs? Bond { get; init; }

    // An internal port is an interface of the host, like the bridge's own: the same inputs as the bridge's, on its link.

    [Input("addresses", "For an `internal` port (an interface of the host, e.g. a management port in VLAN `tag`): the host's IPv4 and IPv6 addresses on it, in CIDR notation, in any order. Unset: not managed. Set: exactly these; others are removed. The same rules as the bridge's `addresses`; an address belongs to one link of the bridge.", Unordered = true, MaxLength = 256)]
    public string[]? Addresses { get; init; }

    [Input("gateway", "For an `internal` port: the IPv4 default route through it, in one of its `addresses`' subnets. One default route per family on the bridge and its ports. Unset: not managed; unset after being set: removed.", MaxLength = 15)]
    public string? Gateway { get; init; }

    [Input("gateway6", "For an `internal` port: the IPv6 default route through it, in one of its `addresses`' subnets or link-local. Unset: not managed; unset after being set: removed.", MaxLength = 45)]
    public string? Gateway6 { get; init; }

    [Input("routes", "For an `internal` port: static routes (main table) through it, other than the default route, in any order. Unset: not managed. Set: exactly these.", Unordered = true, MaxLength = 1024)]
    public BridgeRouteArgs[]? Routes { get; init; }

    [Input("up", "For an `internal` port: whether the host's interface is administratively up (Open vSwitch makes it down). Unset: brought up when the port declares addresses, gateways or routes, else not managed.")]
    public bool? Up { get; init; }
}

/// <summary>A bond: several interfaces as one port.</summary>
[SchemaType("kvm:index:OvsBond", "A bond: two or more existing interfaces of the host as one port.")]
internal sealed partial record OvsBondArgs
{
    [Input("members", "The bonded interfaces (at least two), in any order.", Required = true, Unordered = true, MaxLength = 32)]
    public string[]? Members { get; init; }

    [Input("bondMode", "How traffic is spread: `active-backup` (one member at a time), `balance-slb` (by source MAC and VLAN), `balance-tcp` (by L2-L4 headers; needs LACP). Unset: Open vSwitch's default, active-backup.", OneOf = ["active-backup", "balance-slb", "balance-tcp"])]
    public string? BondMode { get; init; }

    [Input("lacp", "LACP (802.3ad) negotiation with the switch: `active`, `passive` or `off`. Unset: Open vSwitch's default, off.", OneOf = ["active", "passive", "off"])]
    public string? Lacp { get; init; }
}

/// <summary>An OVS bridge as ovsdb-server reports it.</summary>
internal sealed partial record OvsBridgeState : OvsBridgeArgs
{
    [Output("uuid", "The bridge's row in the Open_vSwitch database (`_uuid`).", Required = true)]
    public string? Uuid { get; init; }

    [Output("guestPorts", "Ports of guests that libvirt attached (their interface carries libvirt's external_ids: vm-id, attached-mac, iface-id), such as vnet0. They belong to their domains: a change of `ports` never touches them, and the bridge is not deleted while it has any unless forceDestroy is true.")]
    public string[]? GuestPorts { get; init; }
}

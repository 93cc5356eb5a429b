using Kvm.Netlink;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>The inputs of a Linux bridge.</summary>
internal partial record BridgeArgs : IHostAddressing
{
    [Input("name", "The bridge's interface name (1-15 characters, no '/', ':' or whitespace). It is the resource's id.", Required = true, ReplaceOnChanges = true, MaxLength = 15)]
    public string? Name { get; init; }

    [Input("mtu", "The MTU in bytes. Unset: the kernel's choice (the smallest MTU of the ports).", Min = 68, Max = 65535)]
    public int? Mtu { get; init; }

    [Input("macAddress", "The bridge's MAC address (aa:bb:cc:dd:ee:ff, unicast). Unset: the kernel's choice, which follows the ports.", MaxLength = 17)]
    public string? MacAddress { get; init; }

    [Input("stp", "Whether the kernel runs the Spanning Tree Protocol on this bridge.")]
    public bool? Stp { get; init; }

    [Input("forwardDelay", "STP forward delay, in seconds (2-30 when STP is on; 0 is common without STP).", Min = 0, Max = 30)]
    public double? ForwardDelay { get; init; }

    [Input("helloTime", "STP hello time, in seconds (1-10 when STP is on).", Min = 0, Max = 10)]
    public double? HelloTime { get; init; }

    [Input("maxAge", "STP maximum message age, in seconds (6-40 when STP is on).", Min = 0, Max = 40)]
    public double? MaxAge { get; init; }

    [Input("ageingTime", "How long learnt MAC addresses stay in the forwarding database, in seconds.", Min = 0, Max = 1000000)]
    public double? AgeingTime { get; init; }

    [Input("vlanFiltering", "Whether the bridge filters by VLAN (`bridge vlan` tables); use VlanFilter resources for the per-port tables.")]
    public bool? VlanFiltering { get; init; }

    [Input("vlanProtocol", "The VLAN protocol the bridge filters on.", OneOf = ["802.1Q", "802.1ad"])]
    public string? VlanProtocol { get; init; }

    [Input("defaultPvid", "The PVID a port gets when it joins the bridge (0: none).", Min = 0, Max = 4094)]
    public int? DefaultPvid { get; init; }

    [Input("multicastSnooping", "Whether the bridge snoops IGMP/MLD to forward multicast only where it is wanted.")]
    public bool? MulticastSnooping { get; init; }

    [Input("nfCallIptables", "Whether IPv4 traffic crossing the bridge goes through the host's iptables even when the host-wide `net.bridge.bridge-nf-call-iptables` sysctl is off (needs the br_netfilter module). false leaves it to that sysctl: to keep guests' traffic out of the host's firewall, the sysctl must be off too.")]
    [Netlink(BridgeSwitch.NfCallIptables)]
    public bool? NfCallIptables { get; init; }

    [Input("nfCallIp6tables", "The same for IPv6 traffic and ip6tables (`net.bridge.bridge-nf-call-ip6tables`).")]
    [Netlink(BridgeSwitch.NfCallIp6tables)]
    public bool? NfCallIp6tables { get; init; }

    [Input("nfCallArptables", "The same for ARP and arptables (`net.bridge.bridge-nf-call-arptables`).")]
    [Netlink(BridgeSwitch.NfCallArptables)]
    public bool? NfCallArptables { get; init; }

    [Input("ports", "Existing interfaces to enslave to the bridge, in any order. Unset: ports are not managed. Guest taps that libvirt attaches (kind tun, e.g. vnet0) are not ports in this sense: they are never released unless listed here before.", Unordered = true, MaxLength = 1024)]
    public string[]? Ports { get; init; }

    [Input("portOptions", "Settings of some of the `ports` (hairpin, isolation, learning, flooding, STP cost and priority), one entry per port, in any order (entries are told apart by port). Unset: port settings are not managed.", MaxLength = 1024, Key = "port")]
    public BridgePortOptionsArgs[]? PortOptions { get; init; }

    [Input("addresses", "The host's own IPv4 and IPv6 addresses on the bridge, in CIDR notation (\"192.168.0.90/24\", \"fd00::1/64\"), in any order. Unset: addresses are not managed. Set: exactly these; others are removed. Addresses the kernel makes itself (IPv6 link-local fe80::/64, SLAAC and DHCP leases, which carry lifetimes) are never managed and never drift.", Unordered = true, MaxLength = 256)]
    public string[]? Addresses { get; init; }

    // The default route is a plain `gateway` (and `gateway6`) rather than a 0.0.0.0/0 item of
    // `routes`: it is what every KVM guide and /etc/network/interfaces say (`address ...`,
    // `gateway 192.168.0.1`), so `Gateway = "192.168.0.1"` reads as the user thinks of it, and a
    // program cannot declare the default route twice. `routes` carries the rarer static ones.

    [Input("gateway", "The IPv4 default route through the bridge: the gateway's address, which must lie in one of `addresses`' IPv4 subnets (when `addresses` is set). Unset: the IPv4 default route is not managed; unset after being set: it is removed.", MaxLength = 15)]
    public string? Gateway { get; init; }

    [Input("gateway6", "The IPv6 default route through the bridge: the gateway's address, in one of `addresses`' IPv6 subnets or link-local (fe80::/10). Unset: not managed; unset after being set: removed.", MaxLength = 45)]
    public string? Gateway6 { get; init; }

    [Input("routes", "Static routes (main table) through the bridge, other than the default route (`gateway`, `gateway6`), in any order. Unset: not managed. Set: exactly these; other static routes through the bridge are removed. Routes the kernel adds itself (proto kernel: the subnet route of each address) and routes of other tables are never managed.", Unordered = true, MaxLength = 1024)]
    public BridgeRouteArgs[]? Routes { get; init; }

    [Input("up", "Whether the bridge is administratively up.", Default = true)]
    public bool? Up { get; init; }

    [Input("takeOverManagedLinks", "Take the bridge's name and new ports even when the host's own network manager (NetworkManager, systemd-networkd or ifupdown) configures those links, as its files say (read under the provider's `hostRoot`). Unset or false: such a link is refused at Check, naming the manager and the file, because that manager would reconfigure the link behind the provider's back (at boot, `ifup -a`, `networkctl reload`, a NetworkManager activation). Set it to take such links anyway, e.g. while moving a host off that manager; preview then names each one.")]
    public bool? TakeOverManagedLinks { get; init; }

    [Input("forceDestroy", "Delete the bridge even when it carries an IP address or the default route (which could cut the host off).", Default = false)]
    public bool? ForceDestroy { get; init; }
}

/// <summary>One static route through a bridge.</summary>
[SchemaType("kvm:index:BridgeRoute", "A static route of the main table through the bridge (`ip route add DESTINATION [via VIA] dev BRIDGE [metric METRIC]`), added with proto static.")]
internal sealed partial record BridgeRouteArgs
{
    [Input("destination", "The destination network in CIDR notation, host bits zero (\"10.8.0.0/16\", \"fd00:8::/48\"); not the default route (use `gateway`/`gateway6`).", Required = true, MaxLength = 49)]
    public string? Destination { get; init; }

    [Input("via", "The next hop, of the destination's family, in one of the bridge's `addresses` subnets (or IPv6 link-local). Unset: the destination is reached on the bridge itself (scope link).", MaxLength = 45)]
    public string? Via { get; init; }

    [Input("metric", "The route's metric (priority; lower wins). Unset: the kernel's default (0 for IPv4, 1024 for IPv6).", Min = 0, Max = 2147483647)]
    public int? Metric { get; init; }
}

/// <summary>A bridge as the kernel reports it: the inputs as observed, plus what only the host can tell.</summary>
internal sealed partial record BridgeState : BridgeArgs
{
    [Output("ifindex", "The kernel's interface index of the bridge.", Required = true)]
    public int? Ifindex { get; init; }

    [Output("guestTaps", "Tap devices of guests (kind tun, such as libvirt's vnetN) attached to the bridge. They belong to their domains: the provider does not release them, and does not delete a bridge that has any unless forceDestroy is true.")]
    public string[]? GuestTaps { get; init; }

    [Output("operState", "The operational state (RFC 2863) as `ip link` shows it, lower case: up, down, lowerlayerdown, unknown, ...", Required = true)]
    public string? OperState { get; init; }
}

using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Networks;

/// <summary>The inputs of a libvirt network: libvirt's network XML in Pulumi style, plus autostart and active.</summary>
internal partial record LibvirtNetworkArgs
{
    [Input("name", "The network's name in libvirt (1-200 characters: letters, digits and . _ - + : @; no spaces or XML-special characters). It is the resource's id.",
        Required = true, ReplaceOnChanges = true, MaxLength = NetworkRules.MaxNameLength)]
    public string? Name { get; init; }

    [Input("uuid", "The network's UUID. Unset: libvirt generates one (reported in the output, never as drift).", ReplaceOnChanges = true, MaxLength = 36)]
    public string? Uuid { get; init; }

    [Input("title", "A short description of the network, one line (`<title>`). Unset: not managed.", MaxLength = 1024)]
    public string? Title { get; init; }

    [Input("description", "A longer description for people (`<description>`). Unset: not managed.", MaxLength = 65536)]
    public string? Description { get; init; }

    [Input("forward", "How the network reaches the outside (`<forward>`). Unset: an isolated network.")]
    public NetworkForwardArgs? Forward { get; init; }

    [Input("bridge", "The Linux bridge of the network (`<bridge>`). For nat/route/open/isolated networks libvirt creates it (named virbrN unless `name` is set); a `bridge`-mode network attaches guests to this existing bridge.")]
    public NetworkBridgeArgs? Bridge { get; init; }

    [Input("mtu", "The MTU of the network's bridge and guest taps, in bytes. Unset: libvirt's default (1500).", Min = 68, Max = 65535)]
    public int? Mtu { get; init; }

    [Input("ipv6", "Whether guests may talk IPv6 among themselves on a network without an IPv6 address (libvirt's `<network ipv6='yes'>`; without it libvirt blocks guest IPv6 there). Unset: not managed (libvirt's default: no).")]
    public bool? Ipv6 { get; init; }

    [Input("trustGuestRxFilters", "Whether the host follows the receive filters (MAC address, multicast lists) guests set on their macvtap ports (libvirt's `<network trustGuestRxFilters>`). Unset: not managed (libvirt's default: no).")]
    public bool? TrustGuestRxFilters { get; init; }

    [Input("portIsolated", "Whether guests' ports on the network are isolated from each other (`<port isolated='yes'/>`): they reach the uplink, not one another. A guest interface may say otherwise. Unset: not managed (libvirt's default: not isolated).")]
    public bool? PortIsolated { get; init; }

    [Input("bandwidth", "Traffic shaping of the whole network (`<bandwidth>`); `floor` of guest interfaces is guaranteed out of `inbound.peak` (or `average`). Only for networks with a bridge (nat, route, open, isolated, or bridge mode with `bridge.name`).")]
    public BandwidthArgs? Bandwidth { get; init; }

    [Input("routes", "Static routes the host adds through the network (`<route>`), each via a gateway on one of the network's subnets. Order does not matter.", Unordered = true, MaxLength = 1024)]
    public NetworkRouteArgs[]? Routes { get; init; }

    [Input("metadataXml", "The network's `<metadata>` element, whole: applications' own XML (each child in a namespace of its own), which libvirt keeps and never reads. Compared without insignificant whitespace; a change is written to the definition without a restart. Unset: not managed.", MaxLength = 65536)]
    public string? MetadataXml { get; init; }

    [Input("macAddress", "The MAC address of the bridge libvirt creates (aa:bb:cc:dd:ee:ff, unicast). Unset: libvirt generates one (52:54:00:...).", MaxLength = 17)]
    public string? MacAddress { get; init; }

    [Input("domainName", "The DNS domain of the DHCP clients (`<domain name>`), e.g. `lab.example`.", MaxLength = 253)]
    public string? DomainName { get; init; }

    [Input("domainLocalOnly", "Whether names in `domainName` are answered by the network alone and never forwarded upstream (`<domain localOnly>`). Unset: not managed (libvirt's default: forwarded).")]
    public bool? DomainLocalOnly { get; init; }

    [Input("ips", "The host's addresses on the network and their DHCP service (`<ip>`), at most one IPv4 and one IPv6 address with DHCP. Only nat/route/open/isolated networks have addresses.", MaxLength = 16)]
    public NetworkIpArgs[]? Ips { get; init; }

    [Input("dns", "The network's DNS service (dnsmasq): whether it runs, its upstream servers, and static host, TXT and SRV records.")]
    public NetworkDnsArgs? Dns { get; init; }

    [Input("portGroups", "Named sets of settings (VLAN, virtual port) a guest interface picks with `portgroup`. Order does not matter; changes are applied to the running network without a restart.", Unordered = true, MaxLength = 4096)]
    public NetworkPortGroupArgs[]? PortGroups { get; init; }

    [Input("vlan", "The VLAN tag(s) of every guest port of the network; needs an Open vSwitch bridge (`forward.mode` bridge with `virtualPort.type` openvswitch) or `forward.mode` hostdev.")]
    public NetworkVlanArgs? Vlan { get; init; }

    [Input("virtualPort", "The virtual port type of the guests' ports (`<virtualport>`), e.g. openvswitch for a `bridge`-mode network on an Open vSwitch bridge.")]
    public NetworkVirtualPortArgs? VirtualPort { get; init; }

    [Input("autostart", "Whether libvirt starts the network when its daemon starts.", Default = true)]
    public bool? Autostart { get; init; }

    [Input("active", "Whether the network runs. Setting it false stops the network (attached guests lose connectivity).", Default = true)]
    public bool? Active { get; init; }
}

/// <summary>A libvirt network as libvirt reports it: its persistent definition as inputs, plus what only the host can tell.</summary>
internal sealed partial record LibvirtNetworkState : LibvirtNetworkArgs
{
    [Output("bridgeName", "The Linux bridge the network uses: `bridge.name` when given, else the one libvirt chose (virbrN). Empty for networks without a bridge (macvtap and hostdev pools).", Required = true)]
    public string? BridgeName { get; init; }

    [Output("xml", "The network's XML as libvirt reports it: the live definition while the network runs, else the persistent one.", Required = true)]
    public string? Xml { get; init; }

    [Output("liveDrift", "Property paths whose value in the running network differs from its persistent definition (which the inputs above report). The next `pulumi up` brings those the program sets back in line. Empty when the network is not running or both agree.")]
    public string[]? LiveDrift { get; init; }
}

[SchemaType("kvm:index:NetworkForward", "How a libvirt network reaches the outside (`<forward>`).")]
internal sealed partial record NetworkForwardArgs
{
    [Input("mode", "nat (guests share the host's address), route (routed, no NAT), open (routed, no firewall rules), bridge (guests join an existing bridge, or a macvtap pool with `interfaces`), private/vepa/passthrough (macvtap pools), hostdev (SR-IOV pool), or isolated (no forwarding: the same as leaving `forward` unset).",
        Required = true, OneOf = ["nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev", "isolated"])]
    public string? Mode { get; init; }

    [Input("dev", "The one host interface nat/route traffic leaves by (`dev`); unset: any, by the host's routing table.", MaxLength = 15)]
    public string? Dev { get; init; }

    [Input("interfaces", "The pool of host interfaces of a macvtap network (bridge/private/vepa/passthrough modes). libvirt also lists `dev` here for nat/route networks.", MaxLength = 1024)]
    public string[]? Interfaces { get; init; }

    [Input("nat", "The public address and port ranges NAT may use, and whether IPv6 is NATed too (nat mode only).")]
    public NetworkNatArgs? Nat { get; init; }

    [Input("pf", "An SR-IOV physical function (a host interface) whose virtual functions make the pool (`<pf dev>`), for passthrough and hostdev modes; instead of `interfaces` or `pciAddresses`.", MaxLength = 15)]
    public string? Pf { get; init; }

    [Input("pciAddresses", "The pool of a hostdev network as PCI addresses of SR-IOV virtual functions (DDDD:BB:SS.F, e.g. 0000:03:00.1).", MaxLength = 1024)]
    public string[]? PciAddresses { get; init; }

    [Input("managed", "Hostdev mode: whether libvirt detaches each device from its host driver before giving it to a guest (and gives it back after). Unset: not managed (libvirt's default: no).")]
    public bool? Managed { get; init; }

    [Input("driver", "Hostdev mode: the device assignment backend (`<driver name>`).", OneOf = ["vfio", "kvm", "xen"])]
    public string? Driver { get; init; }
}

[SchemaType("kvm:index:NetworkNat", "The address and port ranges of a NAT network (`<nat>`).")]
internal sealed partial record NetworkNatArgs
{
    [Input("addressStart", "First IPv4 address NAT may use as the source of outgoing traffic.", MaxLength = 15)]
    public string? AddressStart { get; init; }

    [Input("addressEnd", "Last IPv4 address NAT may use (>= addressStart).", MaxLength = 15)]
    public string? AddressEnd { get; init; }

    [Input("portStart", "First source port NAT may use.", Min = 1, Max = 65535)]
    public int? PortStart { get; init; }

    [Input("portEnd", "Last source port NAT may use (>= portStart).", Min = 1, Max = 65535)]
    public int? PortEnd { get; init; }

    [Input("ipv6", "Whether IPv6 traffic is NATed too (`<nat ipv6='yes'>`), for IPv6 addresses without a routed prefix. Unset: not managed (libvirt's default: no, IPv6 is routed).")]
    public bool? Ipv6 { get; init; }
}

[SchemaType("kvm:index:NetworkRoute", "A static route the host adds for a libvirt network (`<route>`).")]
internal sealed partial record NetworkRouteArgs
{
    [Input("family", "The address family, as libvirt holds it. Unset: taken from `address`.", OneOf = ["ipv4", "ipv6"])]
    public string? Family { get; init; }

    [Input("address", "The destination network's address, e.g. 192.168.222.0 or 2001:db8:ac10:fc00::.", Required = true, MaxLength = 45)]
    public string? Address { get; init; }

    [Input("prefix", "The destination's prefix length.", Min = 0, Max = 128)]
    public int? Prefix { get; init; }

    [Input("netmask", "The IPv4 destination's mask, instead of `prefix`.", MaxLength = 15)]
    public string? Netmask { get; init; }

    [Input("gateway", "The next hop: an address inside one of the network's subnets.", Required = true, MaxLength = 45)]
    public string? Gateway { get; init; }

    [Input("metric", "The route's metric (lower wins). Unset: the kernel's default.", Min = 1, Max = 2147483647)]
    public int? Metric { get; init; }
}

[SchemaType("kvm:index:NetworkBridge", "The Linux bridge of a libvirt network (`<bridge>`).")]
internal sealed partial record NetworkBridgeArgs
{
    [Input("name", "The bridge's interface name (1-15 characters). Unset: libvirt picks virbrN for the bridges it creates.", MaxLength = 15)]
    public string? Name { get; init; }

    [Input("stp", "Whether the bridge libvirt creates runs STP (libvirt's default: on). Not for bridge-mode networks.")]
    public bool? Stp { get; init; }

    [Input("delay", "The STP forward delay of the bridge libvirt creates, in seconds (libvirt's default: 0). Not for bridge-mode networks.", Min = 0, Max = 30)]
    public int? Delay { get; init; }

    [Input("macTableManager", "Who keeps the bridge's table of guests' MAC addresses: `kernel` (the bridge floods unknown destinations and learns; libvirt's default) or `libvirt` (libvirt programs each guest's MAC and turns off learning and unicast flooding on its port).", OneOf = ["kernel", "libvirt"])]
    public string? MacTableManager { get; init; }

    [Input("zone", "The firewalld zone libvirt puts the bridge in (where firewalld runs). Unset: libvirt's own `libvirt` zone.", MaxLength = 255)]
    public string? Zone { get; init; }
}

[SchemaType("kvm:index:NetworkIp", "One address of the host on a libvirt network (`<ip>`), with its DHCP service.")]
internal sealed partial record NetworkIpArgs
{
    [Input("family", "The address family. Unset: taken from `address`.", OneOf = ["ipv4", "ipv6"])]
    public string? Family { get; init; }

    [Input("address", "The host's address on the network (e.g. 192.168.100.1 or fd00:100::1); guests use it as their gateway and DNS server.", Required = true, MaxLength = 45)]
    public string? Address { get; init; }

    [Input("prefix", "The subnet's prefix length (IPv4 0-32, IPv6 0-128).", Min = 0, Max = 128)]
    public int? Prefix { get; init; }

    [Input("netmask", "The IPv4 subnet mask (e.g. 255.255.255.0), instead of `prefix`.", MaxLength = 15)]
    public string? Netmask { get; init; }

    [Input("dhcp", "The DHCP service on this subnet (dnsmasq). Unset: no DHCP.")]
    public NetworkDhcpArgs? Dhcp { get; init; }

    [Input("localPtr", "Whether reverse (PTR) lookups of addresses in this subnet are answered locally and never forwarded upstream (`localPtr`). Unset: not managed (libvirt's default: forwarded).")]
    public bool? LocalPtr { get; init; }

    [Input("tftpRoot", "For network boot (IPv4): the host folder dnsmasq serves over TFTP on this address (`<tftp root>`). Pair with `dhcp.bootp`. Unset: no TFTP server.", MaxLength = 4096)]
    public string? TftpRoot { get; init; }
}

[SchemaType("kvm:index:NetworkDhcp", "The DHCP service of one subnet of a libvirt network (`<dhcp>`).")]
internal sealed partial record NetworkDhcpArgs
{
    [Input("ranges", "Address ranges handed out dynamically; each inside the subnet. Order does not matter; changes are applied without a network restart (libvirt restarts only its dnsmasq, which briefly pauses DHCP and DNS).", Unordered = true, MaxLength = 1024)]
    public NetworkDhcpRangeArgs[]? Ranges { get; init; }

    [Input("hosts", "Static leases. Order does not matter; adding, changing or removing one is applied to the running network without a restart.", Unordered = true, MaxLength = 8192)]
    public NetworkDhcpHostArgs[]? Hosts { get; init; }

    [Input("bootp", "For network boot (IPv4): the boot file DHCP offers (`<bootp>`), from this host's TFTP server (`tftpRoot`) or another. Unset: no boot file.")]
    public NetworkDhcpBootpArgs? Bootp { get; init; }
}

[SchemaType("kvm:index:NetworkDhcpBootp", "The network-boot file a libvirt network's DHCP offers (`<bootp>`).")]
internal sealed partial record NetworkDhcpBootpArgs
{
    [Input("file", "The boot file's name, e.g. `pxelinux.0`.", Required = true, MaxLength = 1024)]
    public string? File { get; init; }

    [Input("server", "The address of the TFTP server that has it. Unset: this host.", MaxLength = 45)]
    public string? Server { get; init; }
}

[SchemaType("kvm:index:NetworkDhcpLease", "How long a DHCP lease of a libvirt network lasts (`<lease>`).")]
internal sealed partial record NetworkDhcpLeaseArgs
{
    [Input("expiry", "The lease time in `unit`s; 0: the lease never expires.", Required = true, Min = 0, Max = 4294967295)]
    public long? Expiry { get; init; }

    [Input("unit", "The unit of `expiry`. Unset: minutes (libvirt keeps the unit given).", OneOf = ["seconds", "minutes", "hours"])]
    public string? Unit { get; init; }
}

[SchemaType("kvm:index:NetworkDhcpRange", "A range of addresses DHCP hands out (`<range>`).")]
internal sealed partial record NetworkDhcpRangeArgs
{
    [Input("start", "The first address of the range, inside the subnet.", Required = true, MaxLength = 45)]
    public string? Start { get; init; }

    [Input("end", "The last address of the range (>= start), inside the subnet.", Required = true, MaxLength = 45)]
    public string? End { get; init; }

    [Input("lease", "How long leases from this range last. Unset: dnsmasq's default (one hour). A change restarts dnsmasq (DHCP and DNS pause briefly).")]
    public NetworkDhcpLeaseArgs? Lease { get; init; }
}

[SchemaType("kvm:index:NetworkDhcpHost", "A static DHCP lease (`<host>`): IPv4 hosts are matched by MAC, IPv6 hosts by client id or name.")]
internal sealed partial record NetworkDhcpHostArgs
{
    [Input("mac", "The guest NIC's MAC address (IPv4 only; IPv6 leases are matched by `id` or `name`).", MaxLength = 17)]
    public string? Mac { get; init; }

    [Input("id", "IPv6 only: the DHCPv6 client's DUID, colon-separated hex bytes (e.g. `0:3:0:1:0:16:3e:11:22:33`).", MaxLength = 390)]
    public string? Id { get; init; }

    [Input("name", "The host name handed to the guest (letters, digits, '-' and '.').", MaxLength = 253)]
    public string? Name { get; init; }

    [Input("ip", "The address the guest gets, inside the subnet.", MaxLength = 45)]
    public string? Ip { get; init; }

    [Input("lease", "How long this host's lease lasts. Unset: the range's, or dnsmasq's default.")]
    public NetworkDhcpLeaseArgs? Lease { get; init; }
}

[SchemaType("kvm:index:NetworkDns", "The DNS service of a libvirt network (`<dns>`, served by dnsmasq): whether it runs, where it forwards, and static records.")]
internal sealed partial record NetworkDnsArgs
{
    [Input("enable", "Whether the network runs a DNS server at all (`<dns enable>`); false leaves guests to find DNS elsewhere (DHCP still runs). Unset: not managed (libvirt's default: on).")]
    public bool? Enable { get; init; }

    [Input("forwardPlainNames", "Whether names without a dot the network cannot answer are forwarded to the upstream servers (`forwardPlainNames`). Unset: not managed (libvirt's default: yes).")]
    public bool? ForwardPlainNames { get; init; }

    [Input("forwarders", "Upstream DNS servers (`<forwarder>`), in the order dnsmasq is told them: each an `address` for every name, an `address` and a `domain` for names in that domain, or a `domain` alone to answer it locally only. Set, they replace the host's resolv.conf servers. A change restarts the network.",
        MaxLength = 256)]
    public NetworkDnsForwarderArgs[]? Forwarders { get; init; }

    [Input("txts", "TXT records (`<txt>`). Order does not matter; changes are applied to the running network without a restart.", Unordered = true, MaxLength = 1024)]
    public NetworkDnsTxtArgs[]? Txts { get; init; }

    [Input("srvs", "SRV records (`<srv>`). Order does not matter; changes are applied to the running network without a restart.", Unordered = true, MaxLength = 1024)]
    public NetworkDnsSrvArgs[]? Srvs { get; init; }

    [Input("hosts", "Static host records. Order does not matter; changes are applied to the running network without a restart.", Unordered = true, MaxLength = 8192)]
    public NetworkDnsHostArgs[]? Hosts { get; init; }
}

[SchemaType("kvm:index:NetworkDnsForwarder", "An upstream DNS server of a libvirt network (`<dns><forwarder>`).")]
internal sealed partial record NetworkDnsForwarderArgs
{
    [Input("address", "The upstream server's address (IPv4 or IPv6). Unset (with `domain`): names in the domain are answered locally only.", MaxLength = 45)]
    public string? Address { get; init; }

    [Input("domain", "Forward only names in this domain. Unset: every name.", MaxLength = 253)]
    public string? Domain { get; init; }
}

[SchemaType("kvm:index:NetworkDnsTxt", "A DNS TXT record of a libvirt network (`<dns><txt>`).")]
internal sealed partial record NetworkDnsTxtArgs
{
    [Input("name", "The record's name (letters, digits, '-' and '.').", Required = true, MaxLength = 253)]
    public string? Name { get; init; }

    [Input("value", "The record's text.", Required = true, MaxLength = 255)]
    public string? Value { get; init; }
}

[SchemaType("kvm:index:NetworkDnsSrv", "A DNS SRV record of a libvirt network (`<dns><srv>`).")]
internal sealed partial record NetworkDnsSrvArgs
{
    [Input("service", "The service's name without the leading underscore, e.g. `ldap` (letters, digits and _ - + / *).", Required = true, MaxLength = 482)]
    public string? Service { get; init; }

    [Input("protocol", "The transport without the leading underscore, e.g. `tcp` or `udp` (letters, digits and - + /).", Required = true, MaxLength = 64)]
    public string? Protocol { get; init; }

    [Input("domain", "The domain the record is in. Unset: the network's domain.", MaxLength = 253)]
    public string? Domain { get; init; }

    [Input("target", "The host that provides the service; `.` says it is not available. Needed for `port`, `priority` and `weight`.", MaxLength = 253)]
    public string? Target { get; init; }

    [Input("port", "The service's port.", Min = 1, Max = 65535)]
    public int? Port { get; init; }

    [Input("priority", "Lower is preferred.", Min = 0, Max = 65535)]
    public int? Priority { get; init; }

    [Input("weight", "Share among targets of the same priority.", Min = 0, Max = 65535)]
    public int? Weight { get; init; }
}

[SchemaType("kvm:index:NetworkDnsHost", "A static DNS record: names for one address (`<dns><host>`).")]
internal sealed partial record NetworkDnsHostArgs
{
    [Input("ip", "The address the names resolve to (IPv4 or IPv6).", Required = true, MaxLength = 45)]
    public string? Ip { get; init; }

    [Input("hostnames", "The names (letters, digits, '-' and '.').", Required = true, MaxLength = 64)]
    public string[]? Hostnames { get; init; }
}

[SchemaType("kvm:index:NetworkPortGroup", "A named set of settings for guest ports (`<portgroup>`).")]
internal sealed partial record NetworkPortGroupArgs
{
    [Input("name", "The portgroup's name, unique in the network (letters, digits and . _ - + : @).", Required = true, MaxLength = 64)]
    public string? Name { get; init; }

    [Input("isDefault", "Whether interfaces that name no portgroup use this one (at most one per network).")]
    public bool? IsDefault { get; init; }

    [Input("vlan", "The VLAN tag(s) of ports in this group; needs Open vSwitch (network or portgroup `virtualPort.type` openvswitch on a bridge-mode network) or a hostdev network.")]
    public NetworkVlanArgs? Vlan { get; init; }

    [Input("virtualPort", "The virtual port settings of ports in this group.")]
    public NetworkVirtualPortArgs? VirtualPort { get; init; }

    [Input("trustGuestRxFilters", "Whether the host follows the receive filters guests set on macvtap ports in this group. Unset: the network's.")]
    public bool? TrustGuestRxFilters { get; init; }

    [Input("bandwidth", "Traffic shaping of each guest port in this group. Not for hostdev networks.")]
    public BandwidthArgs? Bandwidth { get; init; }
}

[SchemaType("kvm:index:NetworkVlan", "VLAN tagging of guest ports (`<vlan>`): one tag is an access port, several (or `trunk`) a trunk.")]
internal sealed partial record NetworkVlanArgs
{
    [Input("trunk", "Whether the port is a trunk even with one tag.")]
    public bool? Trunk { get; init; }

    [Input("tags", "The VLAN ids (1-4094), each with an optional native mode.", Required = true, MaxLength = 4094)]
    public NetworkVlanTagArgs[]? Tags { get; init; }
}

[SchemaType("kvm:index:NetworkVlanTag", "One VLAN id of a port (`<tag>`).")]
internal sealed partial record NetworkVlanTagArgs
{
    [Input("id", "The VLAN id.", Required = true, Min = 1, Max = 4094)]
    public int? Id { get; init; }

    [Input("nativeMode", "On a trunk, how this VLAN's frames leave untagged traffic: `tagged` or `untagged` (the native VLAN).", OneOf = ["tagged", "untagged"])]
    public string? NativeMode { get; init; }
}

[SchemaType("kvm:index:NetworkVirtualPort", "The virtual port of guest ports (`<virtualport>`): its type and parameters (which apply depends on the type: see VirtualPortParameters).")]
internal sealed partial record NetworkVirtualPortArgs : VirtualPortParametersArgs
{
    [Input("type", "openvswitch (an Open vSwitch bridge), 802.1Qbh or 802.1Qbg (macvtap pools), midonet. Unset: libvirt infers it from the parameters (a portgroup's from the network's).", OneOf = ["openvswitch", "802.1Qbh", "802.1Qbg", "midonet"])]
    public string? Type { get; init; }
}

namespace Kvm.Netlink.Protocol;

// Attribute numbers from the kernel's uapi headers (if_link.h, if_bridge.h, if_addr.h,
// rtnetlink.h); only the ones this library reads or writes.

internal static class LinkAttribute
{
    public const ushort Address = 1;        // IFLA_ADDRESS
    public const ushort Name = 3;           // IFLA_IFNAME
    public const ushort Mtu = 4;            // IFLA_MTU
    public const ushort Master = 10;        // IFLA_MASTER
    public const ushort OperationalState = 16; // IFLA_OPERSTATE
    public const ushort LinkInfo = 18;      // IFLA_LINKINFO
    public const ushort AfSpec = 26;        // IFLA_AF_SPEC
    public const ushort Group = 27;         // IFLA_GROUP
    public const ushort ExtendedMask = 29;  // IFLA_EXT_MASK
}

internal static class LinkInfoAttribute
{
    public const ushort Kind = 1;       // IFLA_INFO_KIND
    public const ushort Data = 2;       // IFLA_INFO_DATA
    public const ushort PortKind = 4;   // IFLA_INFO_SLAVE_KIND
    public const ushort PortData = 5;   // IFLA_INFO_SLAVE_DATA
}

internal static class BridgeAttribute
{
    public const ushort ForwardDelay = 1;       // IFLA_BR_FORWARD_DELAY, u32 clock_t
    public const ushort HelloTime = 2;          // IFLA_BR_HELLO_TIME, u32 clock_t
    public const ushort MaxAge = 3;             // IFLA_BR_MAX_AGE, u32 clock_t
    public const ushort AgeingTime = 4;         // IFLA_BR_AGEING_TIME, u32 clock_t
    public const ushort StpState = 5;           // IFLA_BR_STP_STATE, u32
    public const ushort Priority = 6;           // IFLA_BR_PRIORITY, u16
    public const ushort VlanFiltering = 7;      // IFLA_BR_VLAN_FILTERING, u8
    public const ushort VlanProtocol = 8;       // IFLA_BR_VLAN_PROTOCOL, be16
    public const ushort MulticastSnooping = 23; // IFLA_BR_MCAST_SNOOPING, u8
    public const ushort VlanDefaultPvid = 39;   // IFLA_BR_VLAN_DEFAULT_PVID, u16
}

internal static class BridgeAfSpecAttribute
{
    public const ushort Flags = 0;      // IFLA_BRIDGE_FLAGS, u16
    public const ushort VlanInfo = 2;   // IFLA_BRIDGE_VLAN_INFO, struct bridge_vlan_info
}

internal static class ExtendedFilter
{
    public const uint BridgeVlanCompressed = 4; // RTEXT_FILTER_BRVLAN_COMPRESSED
    public const uint SkipStats = 8;            // RTEXT_FILTER_SKIP_STATS
}

internal static class AddressAttribute
{
    public const ushort Address = 1;    // IFA_ADDRESS
    public const ushort Local = 2;      // IFA_LOCAL
    public const ushort Label = 3;      // IFA_LABEL
    public const ushort Flags = 8;      // IFA_FLAGS, u32 (ifa_flags holds only the low 8 bits)
}

internal static class RouteAttribute
{
    public const ushort Destination = 1;    // RTA_DST
    public const ushort OutputInterface = 4; // RTA_OIF
    public const ushort Gateway = 5;        // RTA_GATEWAY
    public const ushort Priority = 6;       // RTA_PRIORITY, u32: the metric
    public const ushort Multipath = 9;      // RTA_MULTIPATH, struct rtnexthop list
    public const ushort Table = 15;         // RTA_TABLE, u32
}

internal static class RouteScope
{
    public const byte Universe = 0;     // RT_SCOPE_UNIVERSE: through a gateway
    public const byte Link = 253;       // RT_SCOPE_LINK: straight onto the link
    public const byte Nowhere = 255;    // RT_SCOPE_NOWHERE: what a delete sends, so any scope matches
}

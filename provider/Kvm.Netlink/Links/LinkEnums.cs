namespace Kvm.Netlink;

/// <summary>Device flags (IFF_* from net/if.h) as the kernel reports them in ifinfomsg.</summary>
[Flags]
public enum LinkFlags : uint
{
    None = 0,
    Up = 0x1,
    Broadcast = 0x2,
    Debug = 0x4,
    Loopback = 0x8,
    PointToPoint = 0x10,
    NoTrailers = 0x20,
    Running = 0x40,
    NoArp = 0x80,
    Promiscuous = 0x100,
    AllMulticast = 0x200,
    Master = 0x400,
    Slave = 0x800,
    Multicast = 0x1000,
    PortSelect = 0x2000,
    AutoMedia = 0x4000,
    Dynamic = 0x8000,
    LowerUp = 0x10000,
    Dormant = 0x20000,
    Echo = 0x40000,
}

/// <summary>RFC 2863 operational state (IFLA_OPERSTATE).</summary>
public enum OperationalState : byte
{
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
}

/// <summary>The administrative state a request sets (IFF_UP).</summary>
public enum AdminState
{
    Down,
    Up,
}

/// <summary>What a delete found.</summary>
public enum DeleteOutcome
{
    Deleted,

    /// <summary>The kernel answered ENODEV: there was nothing to delete.</summary>
    AlreadyGone,
}

/// <summary>IFLA_BR_STP_STATE.</summary>
public enum BridgeStpState : uint
{
    Disabled = 0,

    /// <summary>The kernel runs STP itself.</summary>
    Kernel = 1,

    /// <summary>A user-space daemon (mstpd) runs it; the kernel picks this when /sbin/bridge-stp accepts the bridge.</summary>
    User = 2,
}

/// <summary>IFLA_BR_VLAN_PROTOCOL: the TPID the bridge filters on.</summary>
public enum BridgeVlanProtocol : ushort
{
    /// <summary>802.1Q, ethertype 0x8100.</summary>
    Dot1Q = 0x8100,

    /// <summary>802.1ad (QinQ), ethertype 0x88a8.</summary>
    Dot1AD = 0x88a8,
}

/// <summary>ifa_scope / rtm_scope.</summary>
public enum AddressScope : byte
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}

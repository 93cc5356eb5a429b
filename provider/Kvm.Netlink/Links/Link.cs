using System.Net;

namespace Kvm.Netlink;

/// <summary>A network device as one RTM_NEWLINK message describes it.</summary>
/// <param name="Index">The ifindex.</param>
/// <param name="Kind">IFLA_INFO_KIND: "bridge", "veth", "tun", "macvtap", "vxlan", ...; null for physical devices and loopback.</param>
/// <param name="Address">The hardware address when it is a 6-byte MAC, else null.</param>
/// <param name="MasterIndex">The ifindex of the bridge (or other master) this device is enslaved to.</param>
/// <param name="Bridge">The bridge settings, for bridges only.</param>
/// <param name="PortKind">IFLA_INFO_SLAVE_KIND: "bridge" when the device is a bridge port.</param>
public sealed record Link(
    int Index,
    string Name,
    string? Kind,
    uint Mtu,
    MacAddress? Address,
    OperationalState OperationalState,
    LinkFlags Flags,
    int? MasterIndex,
    BridgeOptions? Bridge,
    string? PortKind)
{
    /// <summary>Administratively up (IFF_UP), whatever the carrier does.</summary>
    public bool IsUp => (Flags & LinkFlags.Up) != 0;

    public bool IsBridge => Kind == LinkKinds.Bridge;

    /// <summary>IFLA_GROUP: the device group (0 is the default group).</summary>
    public uint Group { get; init; }

    /// <summary>For a bridge, every on/off (u8) IFLA_BR_* setting the kernel reported, by attribute number.</summary>
    public BridgeSwitches BridgeSwitches { get; init; } = BridgeSwitches.None;

    /// <summary>For a bridge port, every u8/u16/u32 IFLA_BRPORT_* setting the kernel reported, by attribute number.</summary>
    public BridgePortSettings PortSettings { get; init; } = BridgePortSettings.None;
}

/// <summary>IFLA_INFO_KIND values this library names.</summary>
public static class LinkKinds
{
    public const string Bridge = "bridge";
    public const string Veth = "veth";
}

/// <summary>An address assigned to a link (RTM_NEWADDR).</summary>
/// <param name="Index">The ifindex of the link that carries it.</param>
/// <param name="Label">IFA_LABEL (IPv4 only).</param>
public sealed record LinkAddress(int Index, IPAddress Address, byte PrefixLength, AddressScope Scope, string? Label)
{
    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>Settings for a new bridge, sent in the RTM_NEWLINK that creates it (the MTU just after).</summary>
public sealed record NewBridge(string Name)
{
    /// <summary>Applied by a second request right after the create, so that it sticks when ports join (see <see cref="ILinkApi.CreateBridgeAsync"/>).</summary>
    public uint? Mtu { get; init; }
    public MacAddress? Address { get; init; }

    /// <summary>Null leaves the kernel's default: a new link is down.</summary>
    public AdminState? AdminState { get; init; }

    public BridgeOptions? Options { get; init; }
}

/// <summary>
/// A set of changes to one existing link, sent as one request. Null fields are left as they are.
/// </summary>
public sealed record LinkChange
{
    public uint? Mtu { get; init; }
    public MacAddress? Address { get; init; }
    public AdminState? AdminState { get; init; }

    /// <summary>The ifindex of the master (bridge) to enslave the link to; 0 releases it from its master (the kernel's meaning).</summary>
    public int? MasterIndex { get; init; }

    /// <summary>Bridge settings; only valid when the link is a bridge (the kernel answers EOPNOTSUPP otherwise).</summary>
    public BridgeOptions? Bridge { get; init; }

    /// <summary>
    /// Settings of the link as a bridge port (IFLA_INFO_SLAVE_DATA); only valid when the link already is a
    /// port: the kernel hands them to the master the link has before the request, so they cannot travel
    /// with the <see cref="MasterIndex"/> that enslaves it (and a port that joins a bridge starts from the defaults).
    /// </summary>
    public BridgePortSettings? Port { get; init; }

    public bool IsEmpty => Mtu is null && Address is null && AdminState is null && MasterIndex is null && (Bridge is null || Bridge.IsEmpty) && (Port is null || Port.IsEmpty);
}

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
    /// <summary>IFA_FLAGS (or ifa_flags where the kernel sends no IFA_FLAGS): IFA_F_PERMANENT, IFA_F_TENTATIVE, ...</summary>
    public AddressFlags Flags { get; init; }

    /// <summary>
    /// Configured by someone (ip, a provider) rather than by the kernel's autoconfiguration or a lease:
    /// SLAAC and DHCP addresses carry lifetimes and so are not permanent.
    /// </summary>
    public bool IsPermanent => (Flags & AddressFlags.Permanent) != 0;

    /// <summary>IPv6 link-local (fe80::/10), which the kernel gives every link that is up.</summary>
    public bool IsIPv6LinkLocal => Address.IsIPv6LinkLocal;

    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>IFA_F_* address flags (if_addr.h); only the ones this library looks at.</summary>
[Flags]
public enum AddressFlags : uint
{
    None = 0,
    Tentative = 0x40,     // IFA_F_TENTATIVE: IPv6 duplicate address detection still running
    Permanent = 0x80,     // IFA_F_PERMANENT
    NoPrefixRoute = 0x200, // IFA_F_NOPREFIXROUTE
}

/// <summary>
/// A route of the main table through one link (RTM_NEWROUTE). <see cref="Metric"/> null means the
/// kernel's default for the family (0 for IPv4, 1024 for IPv6) when adding.
/// </summary>
/// <param name="Destination">The network address (host bits zero); 0.0.0.0 or :: with length 0 for a default route.</param>
/// <param name="Gateway">The next hop, or null for a route straight onto the link (scope link).</param>
/// <param name="OutputInterface">The ifindex the route leaves through.</param>
public sealed record Route(IPAddress Destination, byte DestinationLength, IPAddress? Gateway, int OutputInterface)
{
    public uint? Metric { get; init; }

    /// <summary>RTA_TABLE (or rtm_table): 254 is the main table.</summary>
    public uint Table { get; init; } = RouteTables.Main;

    /// <summary>rtm_protocol: who made it. Routes this library adds are <see cref="RouteProtocol.Static"/>.</summary>
    public RouteProtocol Protocol { get; init; } = RouteProtocol.Static;

    /// <summary>rtm_type: 1 is unicast; local, broadcast, multicast, unreachable ... are other types.</summary>
    public byte Type { get; init; } = RouteTypes.Unicast;

    /// <summary>Every ifindex the route leaves through: RTA_OIF and each next hop of a multipath route.</summary>
    public IReadOnlyList<int> OutputInterfaces { get; init; } = [OutputInterface];

    public bool IsIPv6 => Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    public bool IsDefault => DestinationLength == 0;

    public bool IsDefaultRouteVia(int index) =>
        IsDefault && Table == RouteTables.Main && Type == RouteTypes.Unicast && OutputInterfaces.Contains(index);

    public override string ToString() =>
        $"{(IsDefault ? "default" : $"{Destination}/{DestinationLength}")}{(Gateway is null ? "" : $" via {Gateway}")}{(Metric is { } m ? $" metric {m}" : "")}";
}

/// <summary>rtm_protocol values (rtnetlink.h, /etc/iproute2/rt_protos); only the ones this library names.</summary>
public enum RouteProtocol : byte
{
    Unspecified = 0,
    Redirect = 1,
    /// <summary>Added by the kernel itself: the subnet route of an address, IPv6's fe80::/64 ...</summary>
    Kernel = 2,
    Boot = 3,     // `ip route add` without `proto`
    Static = 4,
    /// <summary>Learnt from IPv6 router advertisements (kernel autoconfiguration).</summary>
    RouterAdvertisement = 9,
}

public static class RouteTables
{
    public const uint Main = 254;   // RT_TABLE_MAIN
}

public static class RouteTypes
{
    public const byte Unicast = 1;  // RTN_UNICAST
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

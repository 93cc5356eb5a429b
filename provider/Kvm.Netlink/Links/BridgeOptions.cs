namespace Kvm.Netlink;

/// <summary>
/// Bridge settings (IFLA_LINKINFO / IFLA_INFO_DATA, IFLA_BR_*). When read, a null field is one the
/// kernel did not report (e.g. the VLAN ones on a kernel without bridge VLAN filtering); when
/// written, a null field is left as it is.
/// </summary>
/// <remarks>
/// <para>Timers are in centiseconds (1/100 s), the kernel's own unit for these attributes (clock_t at
/// USER_HZ = 100) and the numbers <c>ip -d link</c> prints: forward_delay 1500 is 15 s.</para>
/// <para>The kernel keeps timers in jiffies, so a value can read back slightly lower than written
/// when the kernel's HZ is not a multiple of 100: with HZ=250, 12345 reads back as 12344 (even
/// values survive). Compare read-backs with that in mind.</para>
/// <para>The kernel applies the options in a fixed order (forward delay, hello time, max age,
/// ageing time, STP state, priority, VLAN filtering, VLAN protocol, default PVID, multicast
/// snooping), whatever the order in the request; the STP-only range check of the forward delay
/// (2-30 s) therefore uses the STP state from before the request.</para>
/// </remarks>
public sealed record BridgeOptions
{
    public BridgeStpState? StpState { get; init; }

    /// <summary>IFLA_BR_FORWARD_DELAY in centiseconds; with STP on the kernel accepts 200-3000.</summary>
    public uint? ForwardDelayCentiseconds { get; init; }

    /// <summary>IFLA_BR_HELLO_TIME in centiseconds; with STP on the kernel accepts 100-1000.</summary>
    public uint? HelloTimeCentiseconds { get; init; }

    /// <summary>IFLA_BR_MAX_AGE in centiseconds; with STP on the kernel accepts 600-4000.</summary>
    public uint? MaxAgeCentiseconds { get; init; }

    /// <summary>IFLA_BR_AGEING_TIME in centiseconds: how long learnt MAC addresses stay in the FDB.</summary>
    public uint? AgeingTimeCentiseconds { get; init; }

    /// <summary>IFLA_BR_PRIORITY: the STP bridge priority.</summary>
    public ushort? Priority { get; init; }

    public bool? VlanFiltering { get; init; }

    public BridgeVlanProtocol? VlanProtocol { get; init; }

    /// <summary>IFLA_BR_VLAN_DEFAULT_PVID: the PVID new ports get (0 = none).</summary>
    public ushort? VlanDefaultPvid { get; init; }

    public bool? MulticastSnooping { get; init; }

    /// <summary>On/off settings to write by attribute number (see <see cref="BridgeSwitches"/>; read ones are <see cref="Link.BridgeSwitches"/>).</summary>
    public BridgeSwitches Switches { get; init; } = BridgeSwitches.None;

    public bool IsEmpty => this == Empty;

    public static BridgeOptions Empty { get; } = new();
}

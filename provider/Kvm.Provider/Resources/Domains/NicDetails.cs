using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The NIC inputs beyond where it connects: virtual port parameters, bandwidth, coalescing, isolation,
/// teaming, alias, PCI address and boot order. Written the way <see cref="DomainMapping"/> writes the
/// rest (set now wins, dropped goes back to libvirt's default, never set keeps the host's value, field by
/// field inside objects, as the diff compares them) and read back in the same shape.
/// </summary>
internal static class NicDetails
{
    /// <summary>User aliases, the only ones libvirt keeps in a persistent definition (it names the others netN at each start).</summary>
    public const string UserAliasPrefix = "ua-";

    public static DomainInterface Write(DomainInterfaceArgs n, DomainInterfaceArgs? old, DomainInterface nic) => nic with
    {
        VirtualPort = VirtualPort(n, old, nic.VirtualPort),
        Bandwidth = Bandwidth(n.Bandwidth, old?.Bandwidth, nic.Bandwidth),
        CoalesceRxFrames = DomainMapping.PickValue(n.CoalesceRxFrames, old?.CoalesceRxFrames, nic.CoalesceRxFrames),
        PortIsolated = DomainMapping.PickValue(n.PortIsolated, old?.PortIsolated, nic.PortIsolated),
        TrustGuestRxFilters = DomainMapping.PickValue(n.TrustGuestRxFilters, old?.TrustGuestRxFilters, nic.TrustGuestRxFilters),
        TeamingType = n.Teaming is { } t ? t.Type : old?.Teaming is not null ? null : nic.TeamingType,
        TeamingPersistent = n.Teaming is { } tp ? tp.Persistent : old?.Teaming is not null ? null : nic.TeamingPersistent,
        Alias = DomainMapping.Pick(n.Alias, old?.Alias, nic.Alias),
        Address = PciAddress.Write(n.PciAddress, old?.PciAddress, nic.Address),
        BootOrder = DomainMapping.PickValue(n.BootOrder, old?.BootOrder, nic.BootOrder),
    };

    public static DomainInterfaceArgs Read(DomainInterface n, DomainInterfaceArgs args) => args with
    {
        VirtualPort = n.VirtualPort?.Type,
        VirtualPortParameters = n.VirtualPort is { } vp ? Parameters(vp) : null,
        Bandwidth = n.Bandwidth is { } b && (b.Inbound ?? b.Outbound) is not null
            ? new BandwidthArgs { Inbound = Limit(b.Inbound), Outbound = Limit(b.Outbound) }
            : null,
        // libvirt treats 0 frames as not set and does not write it out.
        CoalesceRxFrames = n.CoalesceRxFrames is > 0 ? n.CoalesceRxFrames : null,
        PortIsolated = n.PortIsolated,
        TrustGuestRxFilters = n.TrustGuestRxFilters,
        Teaming = n.TeamingType is { } type ? new DomainTeamingArgs { Type = type, Persistent = n.TeamingPersistent } : null,
        Alias = n.Alias is { } alias && alias.StartsWith(UserAliasPrefix, StringComparison.Ordinal) ? alias : null,
        PciAddress = PciAddress.Of(n.Address),
        BootOrder = n.BootOrder,
    };

    private static VirtualPort? VirtualPort(DomainInterfaceArgs n, DomainInterfaceArgs? old, VirtualPort? existing)
    {
        if (n.VirtualPort is null && n.VirtualPortParameters is null)
            return old?.VirtualPort is not null || old?.VirtualPortParameters is not null ? null : existing;
        var type = DomainMapping.Pick(n.VirtualPort, old?.VirtualPort, existing?.Type);
        // A port of another type starts clean: an Open vSwitch interface id means nothing to 802.1Qbg.
        var port = existing is not null && existing.Type == type ? existing : new VirtualPort { Type = type };
        var p = n.VirtualPortParameters;
        var o = old?.VirtualPortParameters;
        return port with
        {
            InterfaceId = DomainMapping.Pick(p?.InterfaceId, o?.InterfaceId, port.InterfaceId),
            ProfileId = DomainMapping.Pick(p?.ProfileId, o?.ProfileId, port.ProfileId),
            ManagerId = DomainMapping.PickValue(p?.ManagerId, o?.ManagerId, port.ManagerId),
            TypeId = DomainMapping.PickValue(p?.TypeId, o?.TypeId, port.TypeId),
            TypeIdVersion = DomainMapping.PickValue(p?.TypeIdVersion, o?.TypeIdVersion, port.TypeIdVersion),
            InstanceId = DomainMapping.Pick(p?.InstanceId, o?.InstanceId, port.InstanceId),
        };
    }

    private static VirtualPortParametersArgs? Parameters(VirtualPort vp)
    {
        var p = new VirtualPortParametersArgs
        {
            InterfaceId = vp.InterfaceId,
            ProfileId = vp.ProfileId,
            ManagerId = vp.ManagerId,
            TypeId = vp.TypeId,
            TypeIdVersion = vp.TypeIdVersion,
            InstanceId = vp.InstanceId,
        };
        return p == new VirtualPortParametersArgs() ? null : p;
    }

    private static Bandwidth? Bandwidth(BandwidthArgs? wanted, BandwidthArgs? oldInput, Bandwidth? existing)
    {
        if (wanted is null) return oldInput is not null ? null : existing;
        var bandwidth = existing ?? new Bandwidth();
        return bandwidth with
        {
            Inbound = Limit(wanted.Inbound, oldInput?.Inbound, bandwidth.Inbound),
            Outbound = Limit(wanted.Outbound, oldInput?.Outbound, bandwidth.Outbound),
        };
    }

    private static BandwidthLimit? Limit(BandwidthLimitArgs? wanted, BandwidthLimitArgs? oldInput, BandwidthLimit? existing)
    {
        if (wanted is null) return oldInput is not null ? null : existing;
        var limit = existing ?? new BandwidthLimit();
        return limit with
        {
            Average = DomainMapping.PickValue(wanted.Average, oldInput?.Average, limit.Average),
            Peak = DomainMapping.PickValue(wanted.Peak, oldInput?.Peak, limit.Peak),
            Burst = DomainMapping.PickValue(wanted.Burst, oldInput?.Burst, limit.Burst),
            Floor = DomainMapping.PickValue(wanted.Floor, oldInput?.Floor, limit.Floor),
        };
    }

    private static BandwidthLimitArgs? Limit(BandwidthLimit? limit) => limit is null ? null : new BandwidthLimitArgs
    {
        Average = limit.Average,
        Peak = limit.Peak,
        Burst = limit.Burst,
        Floor = limit.Floor,
    };
}

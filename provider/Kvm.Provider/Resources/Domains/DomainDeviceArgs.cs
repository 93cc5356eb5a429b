using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Domains;

/// <summary>The traffic shaping of a guest NIC.</summary>
[SchemaType("kvm:index:DomainBandwidth", "Traffic shaping of a guest NIC (libvirt's `<bandwidth>`). Inbound is traffic towards the guest, outbound traffic from it.")]
internal sealed partial record DomainBandwidthArgs
{
    [Input("inbound", "Limits of traffic towards the guest.")]
    public DomainBandwidthLimitArgs? Inbound { get; init; }

    [Input("outbound", "Limits of traffic from the guest.")]
    public DomainBandwidthLimitArgs? Outbound { get; init; }
}

/// <summary>One direction of a NIC's traffic shaping.</summary>
[SchemaType("kvm:index:DomainBandwidthLimit", "One direction of a NIC's traffic shaping: rates in KiB/s, the burst in KiB.")]
internal sealed partial record DomainBandwidthLimitArgs
{
    [Input("average", "The average rate, in KiB/s.", Min = 0)]
    public long? Average { get; init; }

    [Input("peak", "The highest rate, in KiB/s (needs `average`).", Min = 0)]
    public long? Peak { get; init; }

    [Input("burst", "How much may be sent at `peak` speed, in KiB (needs `average`).", Min = 0)]
    public long? Burst { get; init; }

    [Input("floor", "Inbound only, on a libvirt network with bandwidth of its own: the rate guaranteed to the guest, in KiB/s.", Min = 0)]
    public long? Floor { get; init; }
}

/// <summary>The parameters of a NIC's virtual port.</summary>
[SchemaType("kvm:index:DomainVirtualPortParameters", "The parameters of a NIC's virtual port (libvirt's `<virtualport><parameters>`). `openvswitch`: interfaceId, profileId; `802.1Qbg`: managerId, typeId, typeIdVersion, instanceId; `802.1Qbh`: profileId; `midonet`: interfaceId.")]
internal sealed partial record DomainVirtualPortParametersArgs
{
    [Input("interfaceId", "openvswitch, midonet: the port's interface id (a UUID). Unset on Open vSwitch: libvirt generates one, reported here and never shown as a change.", MaxLength = 36)]
    public string? InterfaceId { get; init; }

    [Input("profileId", "openvswitch, 802.1Qbh: the port profile's name.", MaxLength = 39)]
    public string? ProfileId { get; init; }

    [Input("managerId", "802.1Qbg: the VSI manager id.", Min = 0, Max = 255)]
    public int? ManagerId { get; init; }

    [Input("typeId", "802.1Qbg: the VSI type id.", Min = 0, Max = 16777215)]
    public int? TypeId { get; init; }

    [Input("typeIdVersion", "802.1Qbg: the VSI type version.", Min = 0, Max = 255)]
    public int? TypeIdVersion { get; init; }

    [Input("instanceId", "802.1Qbg: the VSI instance id (a UUID). Unset: libvirt generates one, reported here and never shown as a change.", MaxLength = 36)]
    public string? InstanceId { get; init; }
}

/// <summary>A NIC's part in a virtio failover pair.</summary>
[SchemaType("kvm:index:DomainTeaming", "A NIC's part in a virtio failover pair (libvirt's `<teaming>`): a `persistent` virtio NIC and a `transient` NIC (usually a passed-through VF) with the same MAC, which the guest bonds.")]
internal sealed partial record DomainTeamingArgs
{
    [Input("type", "`persistent` for the virtio NIC that stays, `transient` for the one that may be unplugged (e.g. for migration).", Required = true, OneOf = ["persistent", "transient"])]
    public string? Type { get; init; }

    [Input("persistent", "For `transient`: the `alias` of the persistent NIC it backs.", MaxLength = 200)]
    public string? Persistent { get; init; }
}

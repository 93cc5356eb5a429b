using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Domains;

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

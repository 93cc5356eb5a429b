using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources;

/// <summary>
/// The parameters of a virtual port, one shape for a guest NIC's (<c>virtualPortParameters</c>) and a
/// network's or portgroup's (<c>virtualPort</c>, which adds the type).
/// </summary>
[SchemaType("kvm:index:VirtualPortParameters", "The parameters of a virtual port (libvirt's `<virtualport><parameters>`). `openvswitch`: interfaceId, profileId; `802.1Qbg`: managerId, typeId, typeIdVersion, instanceId; `802.1Qbh`: profileId; `midonet`: interfaceId.")]
internal partial record VirtualPortParametersArgs
{
    [Input("interfaceId", "openvswitch, midonet: the port's interface id (a UUID). Unset on Open vSwitch: libvirt generates one for each port (a NIC reports its own here, never as a change).", MaxLength = 36)]
    public string? InterfaceId { get; init; }

    [Input("profileId", "openvswitch, 802.1Qbh: the port profile's name.", MaxLength = 39)]
    public string? ProfileId { get; init; }

    [Input("managerId", "802.1Qbg: the VSI manager id.", Min = 0, Max = 255)]
    public int? ManagerId { get; init; }

    [Input("typeId", "802.1Qbg: the VSI type id.", Min = 0, Max = 16777215)]
    public int? TypeId { get; init; }

    [Input("typeIdVersion", "802.1Qbg: the VSI type version.", Min = 0, Max = 255)]
    public int? TypeIdVersion { get; init; }

    [Input("instanceId", "802.1Qbg: the VSI instance id (a UUID). Unset: libvirt generates one for each port (a NIC reports its own here, never as a change).", MaxLength = 36)]
    public string? InstanceId { get; init; }
}

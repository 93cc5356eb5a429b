using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Domains;

/// <summary>A NIC's part in a virtio failover pair.</summary>
[SchemaType("kvm:index:DomainTeaming", "A NIC's part in a virtio failover pair (libvirt's `<teaming>`): a `persistent` virtio NIC and a `transient` NIC (usually a passed-through VF) with the same MAC, which the guest bonds.")]
internal sealed partial record DomainTeamingArgs
{
    [Input("type", "`persistent` for the virtio NIC that stays, `transient` for the one that may be unplugged (e.g. for migration).", Required = true, OneOf = ["persistent", "transient"])]
    public string? Type { get; init; }

    [Input("persistent", "For `transient`: the `alias` of the persistent NIC it backs.", MaxLength = 200)]
    public string? Persistent { get; init; }
}

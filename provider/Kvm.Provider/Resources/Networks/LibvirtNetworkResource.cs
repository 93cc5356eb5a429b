using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// `kvm:index:LibvirtNetwork`: a libvirt network through libvirt's C API. The id is the network's
/// name. Changes are classified: DHCP hosts and ranges, DNS hosts and portgroups are applied live
/// (virNetworkUpdate LIVE|CONFIG, no restart); other settings need a restart (a new persistent
/// definition, then destroy + start: the only path that interrupts guests); name and uuid replace.
/// </summary>
internal sealed class LibvirtNetworkResource(ProviderHost host) : Resource<LibvirtNetworkArgs, LibvirtNetworkState>(host)
{
    public const string TypeToken = "kvm:index:LibvirtNetwork";

    public override string Token => TypeToken;

    public override string Description => """
        A libvirt network on the KVM host: forward mode (nat, route, open, bridge, macvtap pools, hostdev or isolated), the bridge, addresses with DHCP (ranges and static leases), DNS host records, portgroups with VLANs and Open vSwitch virtual ports, autostart and whether it runs. Managed through libvirt's C API (no virsh).

        Every change is classified before it is made, and `pulumi preview` says which class it falls in (engine log lines starting `kvm:live`, `kvm:restart`, `kvm:replace`): DHCP hosts and ranges, DNS hosts and portgroups are applied to the running network without a restart (virNetworkUpdate, live and persistent); other settings (addresses, forward mode, bridge, MTU, VLANs...) need the network restarted, which cuts attached guests off, and the preview names them; `name` and `uuid` replace the network (the old one is deleted first). Values libvirt fills in (uuid, MAC, virbrN bridge name, STP settings, forward interface lists) are reported as outputs and never as drift. A restart takes the bridge down; the provider puts running guests' interfaces back on it afterwards when it can see them (libvirt on the same host and namespace). A network of the same name that already exists is never adopted: import it. The id is the network's name; an import by UUID records the name as the id.

        Import: `pulumi import kvm:index:LibvirtNetwork <name> <id>` (id: the network name or UUID).
        """;

    private static readonly LibvirtNetworkPlanner Rules = new();

    protected override Planner<LibvirtNetworkArgs, LibvirtNetworkState> Planner => Rules;

    protected override Applier<LibvirtNetworkArgs, LibvirtNetworkState> Applier { get; } = new LibvirtNetworkApplier(host, Rules);
}

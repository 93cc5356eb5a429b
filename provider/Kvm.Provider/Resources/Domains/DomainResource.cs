using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// `kvm:index:Domain`: a libvirt guest over the libvirt C API. The id is the domain's UUID (import takes
/// the name or the UUID). Changes are applied to the running guest where libvirt can (memory and vCPUs
/// within their maximum, NIC link state and VLANs, hot-plugged NICs and disks); the rest is written to the
/// persistent config and, under restartPolicy never, reported rather than forced.
/// </summary>
/// <param name="hookInstaller">Makes the qemu hook's installer for a hook folder; tests give their own.</param>
internal sealed class DomainResource(ProviderHost host, Func<string, HookInstaller>? hookInstaller = null) : Resource<DomainArgs, DomainState>(host)
{
    public const string TypeToken = "kvm:index:Domain";

    /// <summary>The LibvirtNetwork's token, which a NIC's network may be declared as (a string: Domains does not depend on Networks).</summary>
    public const string NetworkToken = "kvm:index:LibvirtNetwork";

    public override string Token => TypeToken;

    public override string Description => """
        A libvirt domain (a virtual machine): memory, vCPUs, CPU mode, direct kernel boot or firmware boot order, disks, network interfaces (on Linux or Open vSwitch bridges, libvirt networks or macvtap) with VLANs, graphics, serial ports, whether it runs and whether it starts with the host.

        Changes are applied without restarting the guest where libvirt allows it: memory and vCPUs within their maximum, a NIC's link state and VLANs, adding or removing whole NICs and disks (hot-plug). Everything else the persistent configuration holds is written to it and takes effect when the guest next restarts: under `restartPolicy: never` (the default) the provider reports it and lists it in `pendingRestart` instead of restarting the guest. Changing `name`, `uuid` or `type` replaces the domain. `pulumi preview` logs which changes are live (`kvm:live ...`) and which wait for a restart (`kvm:restart ...`).

        Values libvirt fills in (generated MAC addresses, PCI addresses, vnetN device names, the UUID, expanded machine types) are reported as outputs and never shown as changes; drift in what the program sets is. VLANs on a Linux bridge (where libvirt refuses `<vlan>`) are programmed on the guest's tap by the provider, recorded in the domain's metadata and re-applied at every start by a libvirt qemu hook the provider installs (see the provider's `libvirtHooksDir`). Deleting shuts the guest down gracefully (up to `shutdownTimeoutSeconds`), then powers it off and undefines it with its NVRAM and managed save image.

        Import: `pulumi import kvm:index:Domain <name> <id>` (id: the domain name or UUID).
        """;

    protected override Planner<DomainArgs, DomainState> Planner { get; } = new DomainPlanner();

    protected override Applier<DomainArgs, DomainState> Applier { get; } = new DomainApplier(host, hookInstaller);

    /// <summary>A libvirt on this machine, whose hook folder the provider can write.</summary>
    public static bool IsLocalQemu(string uri) => DomainHook.IsLocalQemu(uri);
}

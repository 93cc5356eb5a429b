using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.VlanFilters;

/// <summary>
/// `kvm:index:VlanFilter`: the whole VLAN table of one bridge port (or of the bridge itself), with
/// exact `bridge vlan` semantics. The id is `bridge/port`.
/// </summary>
internal sealed class VlanFilterResource(ProviderHost host) : Resource<VlanFilterArgs, VlanFilterState>(host)
{
    public const string TypeToken = "kvm:index:VlanFilter";

    public override string Token => TypeToken;

    protected override string? PersistedAs => DesiredState.VlanFilters;

    public override string Description => """
        The whole VLAN table of one port of a VLAN-filtering bridge, or of the bridge itself (`port` = the bridge's name: what the host sees on the bridge), with exact `bridge vlan` semantics: vids and ranges, one PVID, untagged egress. Give it as `vlans` (entry by entry), `access` (one VLAN, PVID and untagged) or `trunk` (tagged vids or ranges plus a native VLAN).

        The resource owns the table: entries the kernel holds that are not declared (such as VLAN 1, which a port gets when it joins a bridge) are removed; to keep one, declare it. Updates send only the difference, in as few netlink requests as the kernel allows. Deleting the resource returns the port to the bridge's default PVID, so its untagged traffic is not silently cut. A table change on a bridge that carries the host's default route or the address the provider's SSH session comes in on must be confirmed like the bridge's own changes (over that SSH session, or locally by the provider's `reachabilityProbe`, within `confirmTimeoutSeconds`); without a confirmation the host puts the old table back by itself. Preview says so (`kvm:checkpoint bridge/port`).

        Import: `pulumi import kvm:index:VlanFilter br0-eth1 br0/eth1` (id: bridge/port).
        """;

    protected override Planner<VlanFilterArgs, VlanFilterState> Planner { get; } = new VlanFilterPlanner();

    protected override Applier<VlanFilterArgs, VlanFilterState> Applier { get; } = new VlanFilterApplier(host);
}

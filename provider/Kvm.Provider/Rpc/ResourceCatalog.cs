using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Resources.Networks;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Resources.VlanFilters;

namespace Kvm.Provider.Rpc;

/// <summary>Every resource type the provider serves.</summary>
internal static class ResourceCatalog
{
    public static IReadOnlyList<IResource> Create(ProviderHost host) =>
    [
        new BridgeResource(host),
        new DomainResource(host),
        new VlanFilterResource(host),
        new LibvirtNetworkResource(host),
        new OvsBridgeResource(host),
    ];
}

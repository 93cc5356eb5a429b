using Kvm.Provider.Host;

namespace Kvm.Provider.Resources;

/// <summary>Every resource type the provider serves.</summary>
public static class ResourceCatalog
{
    public static IReadOnlyList<IResource> Create(ProviderHost host) =>
    [
        new Bridges.BridgeResource(host),
        new Domains.DomainResource(host),
        new VlanFilters.VlanFilterResource(host),
        new Networks.LibvirtNetworkResource(host),
    ];
}

using Kvm.Netlink;
using Route = Kvm.Netlink.Route;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// One operation's reads of links' addresses and routes (a dump each): made once per link, whoever asks. The
/// uplink take-over's plan and the checkpoint both look at the joining ports, before anything changes; with
/// one instance per operation they share the dumps (one dump per operation and link).
/// </summary>
internal sealed class LinkReads(ILinkApi links)
{
    private readonly Dictionary<int, IReadOnlyList<LinkAddress>> _addresses = [];
    private readonly Dictionary<int, IReadOnlyList<Route>> _routes = [];

    public ILinkApi Links => links;

    public async Task<IReadOnlyList<LinkAddress>> AddressesAsync(int index, CancellationToken ct)
    {
        if (!_addresses.TryGetValue(index, out var addresses))
            _addresses[index] = addresses = await links.ListAddressesAsync(index, ct).ConfigureAwait(false);
        return addresses;
    }

    public async Task<IReadOnlyList<Route>> RoutesAsync(int index, CancellationToken ct)
    {
        if (!_routes.TryGetValue(index, out var routes))
            _routes[index] = routes = await links.ListRoutesAsync(index, ct).ConfigureAwait(false);
        return routes;
    }
}

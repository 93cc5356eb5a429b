using System.Net;
using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// The rules on the host's own addresses that need a look at the host, the same for every link that carries them
/// (a Linux bridge, an Open vSwitch internal port): an address no other link holds, nothing that cuts the host off
/// without consent, no deletion of the link the host is reached through.
/// </summary>
internal sealed class HostAddressChecks(ProviderHost host)
{
    /// <summary>
    /// Declared addresses another link already holds: the kernel would take it twice and answer for it on both.
    /// One held by a link in <paramref name="handingOver"/> (a port joining the switch) is moved by the uplink take-over instead.
    /// </summary>
    /// <param name="own">The link that is to carry them, when it exists (its own addresses are not "elsewhere").</param>
    public async Task<IEnumerable<CheckFailure>> HeldElsewhereAsync(IHostAddressing news, Func<string, bool> unknown, Link? own, IReadOnlyCollection<string> handingOver, CancellationToken ct)
    {
        if (news.Addresses is not { Length: > 0 } addresses) return [];
        var held = (await host.Links.ListAllAddressesAsync(ct).ConfigureAwait(false)).Where(h => h.Index != own?.Index).ToList();
        if (held.Count == 0) return [];
        var names = (await host.Links.ListAsync(ct).ConfigureAwait(false)).ToDictionary(l => l.Index, l => l.Name);
        var failures = new List<CheckFailure>();
        for (var i = 0; i < addresses.Length; i++)
        {
            var path = PropertyPath.Index(IHostAddressing.AddressesPath, i);
            if (addresses[i] is not { } text || unknown(path) || !IpCidr.TryParse(text, out var cidr, out _)) continue;
            if (held.FirstOrDefault(h => h.Address.Equals(cidr.Address)) is not { } other) continue;
            var owner = names.TryGetValue(other.Index, out var n) ? n : $"ifindex {other.Index}";
            if (handingOver.Contains(owner)) continue;
            failures.Add(new(path, $"{cidr.Address} is already held by {owner} ({other}) in {host.NamespaceDescription}; " +
                $"one address on two links answers on both. Remove it from {owner} first, or list {owner} in ports to move it to this bridge"));
        }
        return failures;
    }

    /// <summary>
    /// Taking the host's default route or its management address off <paramref name="own"/> (the program no longer
    /// declares them) can leave the host unreachable: like deleting the link, it needs forceDestroy: true.
    /// </summary>
    public async Task<IEnumerable<CheckFailure>> CutsTheHostOffAsync(IHostAddressing news, IHostAddressing olds, Func<string, bool> unknown, Link own, CancellationToken ct)
    {
        var failures = new List<CheckFailure>();
        const string consent = "this can cut the host off the network; set forceDestroy: true to do it anyway";
        var routes = await host.Links.ListRoutesAsync(own.Index, ct).ConfigureAwait(false);
        foreach (var (key, was, now, ipv6) in new[] { (IHostAddressing.GatewayPath, olds.Gateway, news.Gateway, false), (IHostAddressing.Gateway6Path, olds.Gateway6, news.Gateway6, true) })
        {
            if (was is not null && now is null && !unknown(key) && routes.Any(r => r.IsDefaultRouteVia(own.Index) && r.IsIPv6 == ipv6))
                failures.Add(new(key, $"left out, it takes the host's {(ipv6 ? "IPv6 " : "")}default route off {own.Name}; {consent}"));
        }
        if (olds.Addresses is not null && !unknown(IHostAddressing.AddressesPath))
        {
            var wanted = (news.Addresses ?? []).Select(t => IpCidr.TryParse(t, out var c, out _) ? c.Address : null).OfType<IPAddress>().ToList();
            var held = (await host.Links.ListAddressesAsync(own.Index, ct).ConfigureAwait(false)).Where(BridgeAddressing.IsManaged).ToList();
            var dropped = held.Where(h => !wanted.Contains(h.Address)).ToList();
            if (host.ManagementAddress is { } session && dropped.Any(d => d.Address.Equals(session)))
                failures.Add(new(IHostAddressing.AddressesPath, $"{session}, the address the provider's SSH session comes in on, would be taken off {own.Name}; {consent}"));
            else if (dropped.Count > 0 && dropped.Count == held.Count && routes.Any(r => r.IsDefaultRouteVia(own.Index)))
                failures.Add(new(IHostAddressing.AddressesPath, $"the last address{(held.Count > 1 ? "es" : "")} of {own.Name} ({string.Join(", ", dropped)}), which carries the default route, would be taken off; {consent}"));
        }
        return failures;
    }

    /// <summary>"the address 192.168.0.90/24 and the default route" when <paramref name="link"/> carries the host's traffic; null when it does not.</summary>
    public async Task<string?> CarriedAsync(Link link, CancellationToken ct)
    {
        var addresses = (await host.Links.ListAddressesAsync(link.Index, ct).ConfigureAwait(false)).Where(x => x.Scope != AddressScope.Link).ToList();
        var defaultRoute = await host.Links.CarriesDefaultRouteAsync(link.Index, ct).ConfigureAwait(false);
        if (addresses.Count == 0 && !defaultRoute) return null;
        return string.Join(" and ", new[]
        {
            addresses.Count > 0 ? $"the address{(addresses.Count > 1 ? "es" : "")} {string.Join(", ", addresses)}" : null,
            defaultRoute ? "the default route" : null,
        }.Where(x => x is not null));
    }
}

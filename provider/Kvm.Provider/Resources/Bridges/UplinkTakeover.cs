using System.Net;
using Kvm.Netlink;
using Route = Kvm.Netlink.Route;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>What one port joining the bridge hands over: the addresses the bridge declares, and the routes that go with them.</summary>
internal sealed record UplinkMove(string Port, int PortIndex, IReadOnlyList<LinkAddress> Addresses, IReadOnlyList<Route> Routes)
{
    /// <summary>"192.168.0.90/24 and the default route via 192.168.0.1"</summary>
    public string What => string.Join(" and ", new[]
    {
        Addresses.Count > 0 ? string.Join(", ", Addresses) : null,
        Routes.Count > 0 ? string.Join(", ", Routes.Select(r => r.IsDefault ? $"the default route via {r.Gateway}" : $"the route to {r.Destination}/{r.DestinationLength}")) : null,
    }.Where(x => x is not null));
}

/// <summary>
/// Taking over an uplink: the setup every KVM guide starts with, eth0 moved into br0 with the host's
/// address and gateway. When a joining port holds an address the bridge declares, the address and
/// the routes that go with it (the default route via the declared gateway, declared static routes)
/// move to the bridge in one apply, in the order that keeps the host reachable: the port joins, the
/// bridge gets the addresses and its routes (the default route swapped in one request), and only
/// then are they removed from the port. In between the host still answers on the address: Linux
/// delivers to a local address whichever link a packet came in on.
/// </summary>
internal static class UplinkTakeover
{
    /// <summary>What each of <paramref name="joining"/> hands over to a bridge declared as <paramref name="a"/> (nothing for most ports).</summary>
    public static async Task<IReadOnlyList<UplinkMove>> PlanAsync(LinkReads reads, IHostAddressing a, IEnumerable<Link> joining, CancellationToken ct)
    {
        if (a.Addresses is not { Length: > 0 } declared) return [];
        var wanted = declared.Select(t => IpCidr.TryParse(t, out var c, out _) ? c.Address : null).OfType<IPAddress>().ToList();
        var moves = new List<UplinkMove>();
        foreach (var port in joining)
        {
            var addresses = (await reads.AddressesAsync(port.Index, ct).ConfigureAwait(false))
                .Where(h => BridgeAddressing.IsManaged(h) && wanted.Contains(h.Address)).ToList();
            if (addresses.Count == 0) continue;
            var routes = (await reads.RoutesAsync(port.Index, ct).ConfigureAwait(false))
                .Where(r => BridgeAddressing.IsManaged(r, port.Index) && Follows(r, a)).ToList();
            moves.Add(new UplinkMove(port.Name, port.Index, addresses, routes));
        }
        return moves;
    }

    /// <summary>A route of the port that the bridge's declaration takes with it.</summary>
    private static bool Follows(Route r, IHostAddressing a)
    {
        if (r.IsDefault)
            return r.Gateway is { } via && (r.IsIPv6 ? a.Gateway6 : a.Gateway) is { } declared && IPAddress.TryParse(declared, out var d) && d.Equals(via);
        var destination = $"{r.Destination}/{r.DestinationLength}";
        return (a.Routes ?? []).Any(d => d.Destination is { } dst && IpCidr.Canonical(dst) == destination);
    }

    /// <summary>The preview's words: "192.168.0.90/24 and the default route via 192.168.0.1 from eth0 to br0".</summary>
    public static string Describe(UplinkMove m, string bridge) => $"{m.What} from {m.Port} to {bridge}";

    /// <summary>Once the port is on the bridge and the bridge holds what it declares: the port lets go of them (routes first).</summary>
    public static async Task FinishAsync(ILinkApi links, UplinkMove m, Action applied, CancellationToken ct)
    {
        foreach (var route in m.Routes)
        {
            if (await links.DeleteRouteAsync(route, ct).ConfigureAwait(false)) applied();
        }
        foreach (var address in m.Addresses)
        {
            if (await links.DeleteAddressAsync(m.PortIndex, address.Address, address.PrefixLength, ct).ConfigureAwait(false)) applied();
        }
    }
}

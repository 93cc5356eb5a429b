using System.Net;
using Kvm.Netlink;
using Route = Kvm.Netlink.Route;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// A bridge's layer-3 side as the provider manages it: which of the kernel's addresses and routes
/// count (never what the kernel makes by itself), how they read as inputs, and the requests that
/// take the host from what it holds to what the program declares.
/// </summary>
internal static class BridgeAddressing
{
    /// <summary>An address the program manages: configured (permanent), not the kernel's IPv6 link-local one.</summary>
    public static bool IsManaged(LinkAddress a) => a.IsPermanent && !a.IsIPv6LinkLocal;

    /// <summary>
    /// A route the program manages: main table, unicast, through this link alone, made by someone
    /// other than the kernel (its subnet routes) or IPv6 router advertisements.
    /// </summary>
    public static bool IsManaged(Route r, int index) =>
        r.Table == RouteTables.Main && r.Type == RouteTypes.Unicast && r.OutputInterfaces is [var only] && only == index
        && r.Protocol is not (RouteProtocol.Kernel or RouteProtocol.RouterAdvertisement);

    /// <summary>What the kernel holds, as inputs: sorted addresses, the default routes' gateways, the other routes.</summary>
    public static Layer3 Observe(IEnumerable<LinkAddress> addresses, IEnumerable<Route> routes, int index)
    {
        var managed = routes.Where(r => IsManaged(r, index)).ToList();
        string? GatewayOf(bool ipv6) => managed
            .Where(r => r.IsDefault && r.IsIPv6 == ipv6 && r.Gateway is not null)
            .OrderBy(r => EffectiveMetric(r))
            .Select(r => r.Gateway!.ToString())
            .FirstOrDefault();
        return new Layer3(
            [.. addresses.Where(IsManaged).Select(a => $"{a.Address}/{a.PrefixLength}").Order(StringComparer.Ordinal)],
            GatewayOf(ipv6: false),
            GatewayOf(ipv6: true),
            [.. managed.Where(r => !r.IsDefault)
                .Select(r => new BridgeRouteArgs
                {
                    Destination = $"{r.Destination}/{r.DestinationLength}",
                    Via = r.Gateway?.ToString(),
                    // The family's default reads as unset, as the program most likely wrote it.
                    Metric = EffectiveMetric(r) is var m && m == RouteMetric.Default(r.IsIPv6) ? null : (int)Math.Min(m, int.MaxValue),
                })
                .OrderBy(r => r.Destination, StringComparer.Ordinal).ThenBy(r => r.Metric)]);
    }

    private static uint EffectiveMetric(Route r) => r.Metric ?? RouteMetric.Default(r.IsIPv6);

    /// <summary>
    /// The requests that make the bridge hold what <paramref name="wanted"/> declares, in an order that
    /// keeps the host reachable as long as it can be: new addresses first (so new next hops are
    /// reachable), then routes added or swapped, then stale routes, then stale addresses (removing
    /// the last address of a family takes the kernel's routes with it).
    /// </summary>
    /// <param name="before">What the program declared before (an update's old inputs): a part it no longer declares is emptied, as with ports.</param>
    public static Layer3Changes Changes(IHostAddressing wanted, IHostAddressing? before, IReadOnlyList<LinkAddress> addresses, IReadOnlyList<Route> routes, int index)
    {
        var changes = new Layer3Changes();
        var managedAddresses = addresses.Where(IsManaged).ToList();
        var wantedAddresses = wanted.Addresses ?? (before?.Addresses is not null ? [] : null);
        if (wantedAddresses is not null)
        {
            var parsed = wantedAddresses.Select(Parse).ToList();
            changes.AddAddresses.AddRange(parsed.Where(w => !managedAddresses.Any(h => Same(h, w))));
            changes.DeleteAddresses.AddRange(managedAddresses.Where(h => !parsed.Any(w => Same(h, w))).Select(h => new IpCidr(h.Address, h.PrefixLength)));
        }

        var managedRoutes = routes.Where(r => IsManaged(r, index)).ToList();
        foreach (var ipv6 in new[] { false, true })
        {
            var gateway = ipv6 ? wanted.Gateway6 : wanted.Gateway;
            var hadGateway = (ipv6 ? before?.Gateway6 : before?.Gateway) is not null;
            if (gateway is null && !hadGateway) continue;
            var defaults = managedRoutes.Where(r => r.IsDefault && r.IsIPv6 == ipv6).ToList();
            Route? keep = null;
            if (gateway is not null)
            {
                var via = IPAddress.Parse(gateway);
                keep = defaults.Where(r => via.Equals(r.Gateway)).OrderBy(EffectiveMetric).FirstOrDefault();
                // The lowest metric wins: a route via the declared gateway behind another is not the default route.
                if (keep is null || defaults.Any(r => r != keep && EffectiveMetric(r) <= EffectiveMetric(keep)))
                {
                    keep = new Route(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 0, via, index);
                    changes.AddRoutes.Add((keep, Replace: true));
                }
            }
            changes.DeleteRoutes.AddRange(defaults.Where(r => keep is null || !(keep.Gateway!.Equals(r.Gateway) && EffectiveMetric(r) == EffectiveMetric(keep))));
        }

        var wantedRoutes = wanted.Routes ?? (before?.Routes is not null ? [] : null);
        if (wantedRoutes is not null)
        {
            var others = managedRoutes.Where(r => !r.IsDefault).ToList();
            var declared = wantedRoutes.Select(r => ToRoute(r, index)).ToList();
            var stale = others.Where(o => !declared.Any(d => SameRoute(o, d))).ToList();
            foreach (var d in declared.Where(d => !others.Any(o => SameRoute(o, d))))
            {
                // The kernel keys a route by destination and metric: one held with those through another next hop
                // would refuse the new one (EEXIST), so it is swapped in one request instead of added then removed.
                var swapped = stale.FirstOrDefault(o => SameKey(o, d));
                if (swapped is not null) stale.Remove(swapped);
                changes.AddRoutes.Add((d, Replace: swapped is not null));
            }
            changes.DeleteRoutes.AddRange(stale);
        }
        return changes;
    }

    private static IpCidr Parse(string text) => IpCidr.TryParse(text, out var c, out var error) ? c : throw new ArgumentException(error, nameof(text));

    private static bool Same(LinkAddress held, IpCidr wanted) => held.Address.Equals(wanted.Address) && held.PrefixLength == wanted.PrefixLength;

    private static Route ToRoute(BridgeRouteArgs r, int index)
    {
        var destination = Parse(r.Destination!);
        return new Route(destination.Address, (byte)destination.PrefixLength, r.Via is { } via ? IPAddress.Parse(via) : null, index)
        {
            Metric = (uint)RouteMetric.Effective(destination.IsIPv6, r.Metric),
        };
    }

    /// <summary>The same destination and metric: the kernel holds one such route in a table, whatever its next hop.</summary>
    private static bool SameKey(Route held, Route wanted) =>
        held.Destination.Equals(wanted.Destination) && held.DestinationLength == wanted.DestinationLength && EffectiveMetric(held) == EffectiveMetric(wanted);

    /// <summary>One route whichever way its metric is spelt (unset is the family's default).</summary>
    public static bool SameRoute(Route held, Route wanted) =>
        held.Destination.Equals(wanted.Destination) && held.DestinationLength == wanted.DestinationLength
        && Equals(held.Gateway, wanted.Gateway) && EffectiveMetric(held) == EffectiveMetric(wanted);
}

/// <summary>A bridge's addresses and routes, in the inputs' terms.</summary>
internal sealed record Layer3(string[] Addresses, string? Gateway, string? Gateway6, BridgeRouteArgs[] Routes);

/// <summary>What to send, in this order: add addresses, add (or swap) routes, delete routes, delete addresses.</summary>
internal sealed class Layer3Changes
{
    public List<IpCidr> AddAddresses { get; } = [];
    public List<(Route Route, bool Replace)> AddRoutes { get; } = [];
    public List<Route> DeleteRoutes { get; } = [];
    public List<IpCidr> DeleteAddresses { get; } = [];

    public bool IsEmpty => AddAddresses.Count + AddRoutes.Count + DeleteRoutes.Count + DeleteAddresses.Count == 0;

    /// <summary>Sends them; <paramref name="applied"/> counts the requests the kernel took, for a partial failure's report.</summary>
    public async Task ApplyAsync(ILinkApi links, int index, Action applied, CancellationToken ct)
    {
        foreach (var a in AddAddresses)
        {
            await links.AddAddressAsync(index, a.Address, (byte)a.PrefixLength, ct).ConfigureAwait(false);
            applied();
        }
        foreach (var (route, replace) in AddRoutes)
        {
            await links.AddRouteAsync(route, replace, ct).ConfigureAwait(false);
            applied();
        }
        foreach (var route in DeleteRoutes)
        {
            await links.DeleteRouteAsync(route, ct).ConfigureAwait(false);
            applied();
        }
        foreach (var a in DeleteAddresses)
        {
            await links.DeleteAddressAsync(index, a.Address, (byte)a.PrefixLength, ct).ConfigureAwait(false);
            applied();
        }
    }
}

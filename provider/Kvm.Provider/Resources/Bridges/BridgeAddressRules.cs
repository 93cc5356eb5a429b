using System.Net;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// Check's rules for a bridge's addresses, gateways and routes: everything the kernel would refuse,
/// or accept and then route wrongly, is a failure naming the property before anything is sent.
/// </summary>
internal static class BridgeAddressRules
{
    public static IEnumerable<CheckFailure> Validate<T>(Bound<T> news) where T : class, IHostAddressing
    {
        var a = news.Value;
        var failures = new List<CheckFailure>();
        var declared = Addresses(news, failures);
        // A gateway can be checked against the subnets only when all of them are known.
        var subnets = a.Addresses is not null && !AnyUnknown(news, IHostAddressing.AddressesPath) ? declared.Select(d => d.Cidr).ToList() : null;

        var routesDeclared = a.Gateway is not null || a.Gateway6 is not null || a.Routes is { Length: > 0 };
        if (routesDeclared && a.Up == false)
            failures.Add(new(IHostAddressing.UpPath, "a bridge that carries routes (gateway, gateway6, routes) must be up: the kernel refuses routes through a link that is down"));

        Gateway(news, IHostAddressing.GatewayPath, a.Gateway, ipv6: false, subnets, failures);
        Gateway(news, IHostAddressing.Gateway6Path, a.Gateway6, ipv6: true, subnets, failures);
        Routes(news, subnets, failures);
        return failures;
    }

    /// <summary>Addresses, gateways and routes in the kernel's canonical text, and a route's metric unset when it is the family's default.</summary>
    public static ObjectValue Normalize(ObjectValue news)
    {
        if (news[IHostAddressing.AddressesPath] is ArrayValue addresses)
            news = news.With(IHostAddressing.AddressesPath, new ArrayValue([.. addresses.Items.Select(i => i is StringValue s ? PropertyValue.Of(IpCidr.Canonical(s.Value)) : i)]));
        foreach (var key in new[] { IHostAddressing.GatewayPath, IHostAddressing.Gateway6Path })
        {
            if (news[key] is StringValue gateway) news = news.With(key, PropertyValue.Of(IpCidr.CanonicalAddress(gateway.Value)));
        }
        if (news[IHostAddressing.RoutesPath] is ArrayValue routes)
            news = news.With(IHostAddressing.RoutesPath, new ArrayValue([.. routes.Items.Select(i => i is ObjectValue r ? NormalizeRoute(r) : i)]));
        return news;
    }

    private static ObjectValue NormalizeRoute(ObjectValue route)
    {
        if (route[BridgeRouteArgs.Paths.Destination] is StringValue destination)
        {
            route = route.With(BridgeRouteArgs.Paths.Destination, PropertyValue.Of(IpCidr.Canonical(destination.Value)));
            // The kernel reports a route added without a metric with the family's default: both read as unset.
            if (IpCidr.TryParse(destination.Value, out var d, out _) && route[BridgeRouteArgs.Paths.Metric] is NumberValue n && n.Value == RouteMetric.Default(d.IsIPv6))
                route = route.Without(BridgeRouteArgs.Paths.Metric);
        }
        if (route[BridgeRouteArgs.Paths.Via] is StringValue via) route = route.With(BridgeRouteArgs.Paths.Via, PropertyValue.Of(IpCidr.CanonicalAddress(via.Value)));
        return route;
    }

    private static bool AnyUnknown<T>(Bound<T> news, string path) =>
        news.UnknownPaths.Any(p => p == path || p.StartsWith(path + "[", StringComparison.Ordinal) || p.StartsWith(path + ".", StringComparison.Ordinal));

    private static List<(IpCidr Cidr, string Path)> Addresses<T>(Bound<T> news, List<CheckFailure> failures) where T : class, IHostAddressing
    {
        var result = new List<(IpCidr, string)>();
        var addresses = news.Value.Addresses ?? [];
        for (var i = 0; i < addresses.Length; i++)
        {
            var path = PropertyPath.Index(IHostAddressing.AddressesPath, i);
            if (news.IsUnknown(path)) continue;
            if (addresses[i] is not { } text)
            {
                failures.Add(new(path, "is null: write each address in CIDR notation, e.g. \"192.168.0.90/24\""));
                continue;
            }
            if (!IpCidr.TryParse(text, out var cidr, out var error))
            {
                failures.Add(new(path, error));
                continue;
            }
            if (HostAddressError(cidr) is { } bad)
            {
                failures.Add(new(path, bad));
                continue;
            }
            var same = result.FindIndex(r => r.Item1.Address.Equals(cidr.Address));
            var overlapping = result.FindIndex(r => Overlap(r.Item1.Subnet, cidr.Subnet));
            if (same >= 0)
                failures.Add(new(path, $"{cidr.Address} is listed twice (also {result[same].Item2})"));
            else if (overlapping >= 0)
                failures.Add(new(path, $"{cidr} overlaps {result[overlapping].Item1} ({result[overlapping].Item2}): give each subnet one address, or the kernel picks the source of traffic to it by the order the addresses were added"));
            result.Add((cidr, path));
        }
        return result;
    }

    /// <summary>Why an address cannot be a host's own address on a bridge, or null.</summary>
    public static string? HostAddressError(IpCidr c)
    {
        var ip = c.Address;
        if (c.PrefixLength == 0) return $"{c}: a prefix length of 0 would put the whole Internet on the bridge";
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) return $"{ip} is the unspecified address, not one a host can hold";
        if (IPAddress.IsLoopback(ip)) return $"{ip} is a loopback address; it belongs on lo";
        if (ip.IsIPv6Multicast || (!c.IsIPv6 && ip.GetAddressBytes()[0] >= 224))
            return $"{ip} is a {(ip.GetAddressBytes()[0] >= 240 && !c.IsIPv6 ? "reserved or broadcast" : "multicast")} address, not one a host can hold";
        if (ip.IsIPv6LinkLocal) return $"{c} is IPv6 link-local: the kernel gives the bridge its own fe80:: address and it is never managed";
        if (ip.IsIPv4MappedToIPv6) return $"{c} is an IPv4-mapped IPv6 address; write the IPv4 address itself";
        // /31 (RFC 3021) and /32 have no network or broadcast address; every other IPv4 subnet has both.
        if (!c.IsIPv6 && c.PrefixLength <= 30)
        {
            var network = c.Subnet.BaseAddress;
            if (ip.Equals(network))
                return $"{c}: {ip} is the network address of {c.Subnet}, not a host address (did you mean {network}/{c.PrefixLength} as a route, or a host in it?)";
            var broadcast = Broadcast(c);
            if (ip.Equals(broadcast))
                return $"{c}: {ip} is the broadcast address of {c.Subnet}, not a host address";
        }
        return null;
    }

    private static IPAddress Broadcast(IpCidr c)
    {
        var bytes = c.Subnet.BaseAddress.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(c.PrefixLength - i * 8, 0, 8);
            bytes[i] |= (byte)~(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    private static bool Overlap(IPNetwork x, IPNetwork y) => x.Contains(y.BaseAddress) || y.Contains(x.BaseAddress);

    private static void Gateway<T>(Bound<T> news, string path, string? text, bool ipv6, List<IpCidr>? subnets, List<CheckFailure> failures)
    {
        if (text is null || news.IsUnknown(path)) return;
        if (!IpCidr.TryParseAddress(text, out var ip, out var error))
        {
            failures.Add(new(path, error));
            return;
        }
        var isV6 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (isV6 != ipv6)
        {
            failures.Add(new(path, ipv6
                ? $"{ip} is an IPv4 address; gateway6 is the IPv6 default route (use gateway)"
                : $"{ip} is an IPv6 address; gateway is the IPv4 default route (use gateway6)"));
            return;
        }
        if (NextHopError(ip, subnets, "the default route") is { } bad) failures.Add(new(path, bad));
    }

    /// <summary>Why a next hop cannot be reached through the bridge as declared, or null.</summary>
    private static string? NextHopError(IPAddress ip, List<IpCidr>? subnets, string what)
    {
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(ip) || ip.IsIPv6Multicast
            || (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.GetAddressBytes()[0] >= 224))
            return $"{ip} cannot be a next hop";
        // fe80:: next hops are on every IPv6 link; any other must be in a subnet of the bridge.
        if (ip.IsIPv6LinkLocal || subnets is null) return null;
        var family = subnets.Where(s => s.Address.AddressFamily == ip.AddressFamily).ToList();
        if (family.Any(s => s.Address.Equals(ip)))
            return $"{ip} is the bridge's own address; {what} needs another host (the router) as next hop";
        if (!family.Any(s => s.Subnet.Contains(ip)))
            return family.Count == 0
                ? $"{ip} is outside every subnet of the bridge: `addresses` declares no {(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address, so the kernel cannot reach it through the bridge"
                : $"{ip} is outside every subnet of the bridge ({string.Join(", ", family.Select(s => s.Subnet.ToString()))}), so the kernel cannot reach it through the bridge";
        return null;
    }

    private static void Routes<T>(Bound<T> news, List<IpCidr>? subnets, List<CheckFailure> failures) where T : class, IHostAddressing
    {
        var routes = news.Value.Routes ?? [];
        var seen = new List<(IpCidr Destination, long Metric, string Path)>();
        for (var i = 0; i < routes.Length; i++)
        {
            var path = PropertyPath.Index(IHostAddressing.RoutesPath, i);
            if (news.IsUnknown(path)) continue;
            if (routes[i] is not { } route)
            {
                failures.Add(new(path, "is null: give each route a destination"));
                continue;
            }
            var destinationPath = $"{path}.destination";
            if (route.Destination is not { } text || news.IsUnknown(destinationPath)) continue;
            if (!IpCidr.TryParse(text, out var destination, out var error))
            {
                failures.Add(new(destinationPath, error));
                continue;
            }
            if (destination.PrefixLength == 0)
            {
                failures.Add(new(destinationPath, $"{text} is the default route: declare it with {(destination.IsIPv6 ? "gateway6" : "gateway")}"));
                continue;
            }
            if (destination.HasHostBits)
            {
                failures.Add(new(destinationPath, $"{text} has host bits set: the network is {destination.Subnet}"));
                continue;
            }
            if (route.Via is { } via && !news.IsUnknown($"{path}.via"))
            {
                if (!IpCidr.TryParseAddress(via, out var hop, out var viaError))
                    failures.Add(new($"{path}.via", viaError));
                else if (hop.AddressFamily != destination.Address.AddressFamily)
                    failures.Add(new($"{path}.via", $"{hop} is not of the destination's family ({text})"));
                else if (NextHopError(hop, subnets, $"the route to {text}") is { } bad)
                    failures.Add(new($"{path}.via", bad));
            }
            if (news.IsUnknown($"{path}.metric")) continue;
            var metric = RouteMetric.Effective(destination.IsIPv6, route.Metric);
            var twin = seen.FindIndex(s => s.Destination == destination && s.Metric == metric);
            if (twin >= 0)
                failures.Add(new(destinationPath, $"{destination} with metric {metric} is declared twice (also {seen[twin].Path}); the kernel keeps one route per destination and metric"));
            seen.Add((destination, metric, path));
        }
    }
}

/// <summary>The kernel's default metrics: what a route "without" a metric gets.</summary>
internal static class RouteMetric
{
    public const uint IPv4Default = 0;
    public const uint IPv6Default = 1024;

    public static uint Default(bool ipv6) => ipv6 ? IPv6Default : IPv4Default;

    public static long Effective(bool ipv6, int? declared) => declared is { } d ? d : Default(ipv6);
}

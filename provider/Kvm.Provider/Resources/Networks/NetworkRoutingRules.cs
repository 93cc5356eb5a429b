using System.Xml.Linq;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// Check's rules for a network's static routes, traffic shaping and metadata, as libvirt applies them:
/// a route's gateway must sit on one of the network's own subnets, bandwidth needs a bridge, and
/// metadata is one well-formed <c>&lt;metadata&gt;</c> element.
/// </summary>
internal static class NetworkRoutingRules
{
    public static void Validate(LibvirtNetworkArgs a, string? mode, List<CheckFailure> f)
    {
        ValidateRoutes(a, f);
        ValidateBandwidth(a, mode, f);
        if (a.MetadataXml is { } metadata) ValidateMetadata(metadata, f);
        if (a.Title is { } title && title.Contains('\n', StringComparison.Ordinal)) f.Add(new("title", "a title is one line; libvirt refuses a newline in it (use description)"));
    }

    private static void ValidateRoutes(LibvirtNetworkArgs a, List<CheckFailure> f)
    {
        var routes = a.Routes ?? [];
        var subnets = (a.Ips ?? []).OfType<NetworkIpArgs>().Select(SubnetOf).OfType<IpSubnet>().ToList();
        for (var i = 0; i < routes.Length; i++)
        {
            if (routes[i] is not { } r) continue;
            var p = $"routes[{i}]";
            IpAddr? address = null;
            if (r.Address is { } text)
            {
                if (!IpAddr.TryParse(text, out var parsed)) f.Add(new($"{p}.address", $"\"{NetworkRules.Shorten(text)}\" is not an IPv4 or IPv6 address"));
                else if (r.Family is { } family && family != parsed.Family) f.Add(new($"{p}.family", $"is {family}, but the address {parsed} is {parsed.Family}"));
                else address = parsed;
            }
            if (address is { } ad)
            {
                if (r.Prefix is { } prefix && prefix > (ad.IsV6 ? 128 : 32)) f.Add(new($"{p}.prefix", $"an {ad.Family} prefix is 0-{(ad.IsV6 ? 128 : 32)}; got {prefix}"));
                if (r.Netmask is { } mask)
                {
                    if (ad.IsV6) f.Add(new($"{p}.netmask", "an IPv6 route takes a prefix, not a netmask"));
                    else if (r.Prefix is not null) f.Add(new($"{p}.netmask", "give prefix or netmask, not both"));
                    else if (IpSubnet.PrefixOfNetmask(mask) is null) f.Add(new($"{p}.netmask", $"\"{NetworkRules.Shorten(mask)}\" is not a contiguous IPv4 netmask"));
                }
            }
            if (r.Gateway is { } gw)
            {
                if (!IpAddr.TryParse(gw, out var gateway)) f.Add(new($"{p}.gateway", $"\"{NetworkRules.Shorten(gw)}\" is not an IPv4 or IPv6 address"));
                else if (address is { } dest && dest.IsV6 != gateway.IsV6) f.Add(new($"{p}.gateway", $"{gateway} is {gateway.Family}, but the route is {dest.Family}"));
                else if (!subnets.Any(s => s.Contains(gateway)))
                    f.Add(new($"{p}.gateway", $"{gateway} is not on any of the network's subnets ({(subnets.Count == 0 ? "it has none" : string.Join(", ", subnets))}); libvirt refuses a gateway it cannot reach"));
            }
        }
    }

    private static IpSubnet? SubnetOf(NetworkIpArgs ip)
    {
        if (ip.Address is not { } text || !IpAddr.TryParse(text, out var address)) return null;
        var prefix = ip.Prefix ?? (ip.Netmask is { } m ? IpSubnet.PrefixOfNetmask(m) : NetworkAddressRules.NaturalPrefix(address));
        return prefix is { } p && p <= (address.IsV6 ? 128 : 32) ? IpSubnet.Of(address, p) : null;
    }

    private static void ValidateBandwidth(LibvirtNetworkArgs a, string? mode, List<CheckFailure> f)
    {
        // bridge_driver.c networkValidate: bandwidth needs a bridge to shape on, and hostdev portgroups take none.
        var hasBridge = mode is null or "nat" or "route" or "open" or "isolated" || (mode == "bridge" && a.Bridge?.Name is not null);
        if (a.Bandwidth is { } bw)
        {
            if (!hasBridge) f.Add(new("bandwidth", $"network-wide bandwidth needs a bridge to shape on: nat, route, open, isolated, or bridge mode with bridge.name; this network is {mode}"));
            BandwidthRules.Validate(bw, "bandwidth", (path, reason) => f.Add(new(path, reason)));
        }
        var groups = a.PortGroups ?? [];
        for (var i = 0; i < groups.Length; i++)
        {
            if (groups[i]?.Bandwidth is not { } pbw) continue;
            if (!hasBridge || mode == "hostdev") f.Add(new($"portGroups[{i}].bandwidth", $"portgroup bandwidth needs a network with a bridge, not {mode}"));
            BandwidthRules.Validate(pbw, $"portGroups[{i}].bandwidth", (path, reason) => f.Add(new(path, reason)));
        }
    }

    private static void ValidateMetadata(string metadata, List<CheckFailure> f)
    {
        if (XmlFragment.Parse(metadata, out var notXml) is not { } element) f.Add(new("metadataXml", notXml!));
        else if (element.Name != "metadata") f.Add(new("metadataXml", $"must be one <metadata> element; got <{element.Name.LocalName}>"));
        else if (element.Elements().Any(e => e.Name.Namespace == XNamespace.None))
            f.Add(new("metadataXml", "each element inside <metadata> needs a namespace of its own (e.g. <app:data xmlns:app=\"https://example.org/app\">); libvirt silently drops one without"));
    }
}

using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// Check's rules for a network's DNS service, the ones libvirt applies when it parses <c>&lt;dns&gt;</c>
/// (network_conf.c): a forwarder names an address or a domain, TXT and SRV records use the characters
/// dnsmasq can take, SRV details need a target, and a network without DNS has no records.
/// </summary>
internal static class NetworkDnsRules
{
    private const string ServiceChars = "_-+/*";
    private const string ProtocolChars = "-+/";

    public static void Validate(NetworkDnsArgs? dns, List<CheckFailure> f)
    {
        if (dns is null) return;
        if (dns.Enable == false && (dns.Forwarders is { Length: > 0 } || dns.Hosts is { Length: > 0 } || dns.Txts is { Length: > 0 } || dns.Srvs is { Length: > 0 }))
            f.Add(new("dns.enable", "a network without DNS (enable false) has no forwarders or records; libvirt refuses them"));
        ValidateForwarders(dns.Forwarders ?? [], f);
        ValidateTxts(dns.Txts ?? [], f);
        ValidateSrvs(dns.Srvs ?? [], f);
        ValidateHosts(dns.Hosts ?? [], f);
    }

    private static void ValidateForwarders(NetworkDnsForwarderArgs?[] forwarders, List<CheckFailure> f)
    {
        for (var i = 0; i < forwarders.Length; i++)
        {
            if (forwarders[i] is not { } fw) continue;
            var p = $"dns.forwarders[{i}]";
            if (fw.Address is null && fw.Domain is null) f.Add(new(p, "a forwarder needs an address, a domain, or both"));
            if (fw.Address is { } a && !IpAddr.TryParse(a, out _)) f.Add(new($"{p}.address", $"\"{NetworkRules.Shorten(a)}\" is not an IPv4 or IPv6 address"));
            if (fw.Domain is { } d && NetworkRules.HostnameError(d) is { } e) f.Add(new($"{p}.domain", e));
        }
    }

    private static void ValidateTxts(NetworkDnsTxtArgs?[] txts, List<CheckFailure> f)
    {
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < txts.Length; i++)
        {
            if (txts[i]?.Name is not { } name) continue;
            var p = $"dns.txts[{i}].name";
            if (name.Length == 0 || name.Any(c => c is ' ' or ',' || char.IsControl(c))) f.Add(new(p, $"\"{NetworkRules.Shorten(name)}\" is not a usable TXT record name: it must not be empty or hold spaces or commas"));
            else if (!names.TryAdd(name, i)) f.Add(new(p, $"\"{name}\" already has a record (dns.txts[{names[name]}])"));
        }
    }

    private static void ValidateSrvs(NetworkDnsSrvArgs?[] srvs, List<CheckFailure> f)
    {
        for (var i = 0; i < srvs.Length; i++)
        {
            if (srvs[i] is not { } srv) continue;
            var p = $"dns.srvs[{i}]";
            if (srv.Service is { } service && (service.Length == 0 || !service.All(c => char.IsAsciiLetterOrDigit(c) || ServiceChars.Contains(c))))
                f.Add(new($"{p}.service", $"\"{NetworkRules.Shorten(service)}\" is not a service name: letters, digits and {ServiceChars} only"));
            if (srv.Protocol is { } protocol && (protocol.Length == 0 || !protocol.All(c => char.IsAsciiLetterOrDigit(c) || ProtocolChars.Contains(c))))
                f.Add(new($"{p}.protocol", $"\"{NetworkRules.Shorten(protocol)}\" is not a protocol name: letters, digits and {ProtocolChars} only"));
            if (srv.Domain is { } d && NetworkRules.HostnameError(d) is { } e) f.Add(new($"{p}.domain", e));
            if (srv.Target is null)
            {
                foreach (var (set, name) in new[] { (srv.Port is not null, "port"), (srv.Priority is not null, "priority"), (srv.Weight is not null, "weight") })
                    if (set) f.Add(new($"{p}.{name}", $"an SRV record's {name} needs its target (libvirt refuses it without one)"));
            }
        }
    }

    private static void ValidateHosts(NetworkDnsHostArgs?[] hosts, List<CheckFailure> f)
    {
        var ips = new Dictionary<IpAddr, int>();
        for (var i = 0; i < hosts.Length; i++)
        {
            if (hosts[i] is not { } h) continue;
            var hp = $"dns.hosts[{i}]";
            if (h.Ip is { } text)
            {
                if (!IpAddr.TryParse(text, out var ip)) f.Add(new($"{hp}.ip", $"\"{NetworkRules.Shorten(text)}\" is not an IPv4 or IPv6 address"));
                else if (!ips.TryAdd(ip, i)) f.Add(new($"{hp}.ip", $"{ip} already has a record (dns.hosts[{ips[ip]}]); list all its names there"));
            }
            var names = h.Hostnames ?? [];
            if (h.Hostnames is { Length: 0 }) f.Add(new($"{hp}.hostnames", "a DNS record needs at least one name"));
            for (var j = 0; j < names.Length; j++)
            {
                if (names[j] is { } n && NetworkRules.HostnameError(n) is { } e) f.Add(new($"{hp}.hostnames[{j}]", e));
            }
        }
    }
}

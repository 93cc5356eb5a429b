using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Networks;

/// <summary>The network's <c>&lt;dns&gt;</c>: its switches, forwarders and static host, TXT and SRV records.</summary>
internal static partial class NetworkMapping
{
    private static NetworkDnsArgs ToArgs(NetworkDns? dns) => new()
    {
        Enable = dns?.Enable,
        ForwardPlainNames = dns?.ForwardPlainNames,
        Forwarders = [.. (dns?.Forwarders ?? []).Select(f => new NetworkDnsForwarderArgs { Address = f.Address is { } a ? IpAddr.Canonical(a) : null, Domain = f.Domain })],
        Txts = [.. (dns?.Txts ?? []).Select(ToArgs)],
        Srvs = [.. (dns?.Srvs ?? []).Select(ToArgs)],
        Hosts = [.. (dns?.Hosts ?? []).Select(ToArgs)],
    };

    public static NetworkDnsHostArgs ToArgs(DnsHost h) => new() { Ip = IpAddr.Canonical(h.Ip), Hostnames = [.. h.Hostnames] };

    public static NetworkDnsTxtArgs ToArgs(DnsTxt t) => new() { Name = t.Name, Value = t.Value };

    public static NetworkDnsSrvArgs ToArgs(DnsSrv s) => new()
    {
        Service = s.Service, Protocol = s.Protocol, Domain = s.Domain, Target = s.Target, Port = s.Port, Priority = s.Priority, Weight = s.Weight,
    };

    /// <summary>
    /// The program's DNS onto the host's. Each part the program leaves unset is not managed, unless it
    /// used to set it (<paramref name="old"/>): then it goes back to libvirt's default (nothing).
    /// </summary>
    private static NetworkDns? Dns(NetworkDns? basis, NetworkDnsArgs? dns, NetworkDnsArgs? old)
    {
        if (dns is null && old is null) return basis;
        var d = basis ?? new NetworkDns();
        var result = d with
        {
            Enable = Pick(dns?.Enable, d.Enable, old?.Enable is not null),
            ForwardPlainNames = Pick(dns?.ForwardPlainNames, d.ForwardPlainNames, old?.ForwardPlainNames is not null),
            Forwarders = Items(dns?.Forwarders, old?.Forwarders is not null, d.Forwarders,
                f => new DnsForwarder(f.Address is { } a ? IpAddr.Canonical(a) : null, f.Domain)),
            Txts = Items(dns?.Txts, old?.Txts is not null, d.Txts, t => DnsTxt(d.Txts.FirstOrDefault(b => b.Name == t.Name), t)),
            Srvs = Items(dns?.Srvs, old?.Srvs is not null, d.Srvs, s => DnsSrv(null, s)),
            Hosts = Items(dns?.Hosts, old?.Hosts is not null, d.Hosts,
                h => DnsHost(d.Hosts.FirstOrDefault(b => IpAddr.Canonical(b.Ip) == IpAddr.Canonical(h.Ip!)), h)),
        };
        // A <dns/> with nothing in it is libvirt's default: not written for a network that had none.
        return basis is null && result == new NetworkDns() ? null : result;
    }

    public static DnsHost DnsHost(DnsHost? basis, NetworkDnsHostArgs h)
    {
        var built = new DnsHost(IpAddr.Canonical(h.Ip!), [.. (h.Hostnames ?? []).OfType<string>()]);
        return basis is null ? built : basis with { Ip = built.Ip, Hostnames = built.Hostnames };
    }

    public static DnsTxt DnsTxt(DnsTxt? basis, NetworkDnsTxtArgs t) => (basis ?? new DnsTxt(t.Name!, t.Value)) with { Name = t.Name!, Value = t.Value };

    public static DnsSrv DnsSrv(DnsSrv? basis, NetworkDnsSrvArgs s) => (basis ?? new DnsSrv { Service = s.Service!, Protocol = s.Protocol! }) with
    {
        Service = s.Service!, Protocol = s.Protocol!, Domain = s.Domain, Target = s.Target, Port = s.Port, Priority = s.Priority, Weight = s.Weight,
    };
}

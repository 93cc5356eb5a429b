using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Networks;

/// <summary>The network's static routes, traffic shaping, metadata and SR-IOV pool addresses.</summary>
internal static partial class NetworkMapping
{
    public static NetworkRouteArgs ToArgs(NetworkRoute r) => new()
    {
        Family = r.Family,
        Address = IpAddr.Canonical(r.Address),
        Prefix = r.Prefix,
        Netmask = r.Netmask,
        Gateway = IpAddr.Canonical(r.Gateway),
        Metric = r.Metric,
    };

    /// <summary>A route is found by destination and gateway; what the model does not describe stays from the host's.</summary>
    private static NetworkRoute Route(ValueList<NetworkRoute> basis, NetworkRouteArgs r)
    {
        var (address, gateway) = (IpAddr.Canonical(r.Address!), IpAddr.Canonical(r.Gateway!));
        var existing = basis.FirstOrDefault(b => IpAddr.Canonical(b.Address) == address && IpAddr.Canonical(b.Gateway) == gateway);
        return (existing ?? new NetworkRoute { Address = address, Gateway = gateway }) with
        {
            Family = r.Family ?? (address.Contains(':') ? "ipv6" : existing?.Family),
            Address = address,
            Prefix = r.Prefix,
            Netmask = r.Prefix is null ? r.Netmask : null,
            Gateway = gateway,
            Metric = r.Metric,
        };
    }

    private static BandwidthArgs? ToArgs(Bandwidth? b) => b is null ? null : new BandwidthArgs { Inbound = ToArgs(b.Inbound), Outbound = ToArgs(b.Outbound) };

    private static BandwidthLimitArgs? ToArgs(BandwidthLimit? l) => l is null ? null
        : new BandwidthLimitArgs { Average = l.Average, Peak = l.Peak, Burst = l.Burst, Floor = l.Floor };

    /// <summary>Bandwidth is what the program says, whole: a direction it leaves out has no limit.</summary>
    private static Bandwidth Bandwidth(Bandwidth? basis, BandwidthArgs b) => (basis ?? new Bandwidth()) with
    {
        Inbound = Limit(basis?.Inbound, b.Inbound),
        Outbound = Limit(basis?.Outbound, b.Outbound),
    };

    private static BandwidthLimit? Limit(BandwidthLimit? basis, BandwidthLimitArgs? l) => l is null ? null
        : (basis ?? new BandwidthLimit()) with { Average = l.Average, Peak = l.Peak, Burst = l.Burst, Floor = l.Floor };

}

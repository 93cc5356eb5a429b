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

    private static NetworkBandwidthArgs? ToArgs(Bandwidth? b) => b is null ? null : new NetworkBandwidthArgs { Inbound = ToArgs(b.Inbound), Outbound = ToArgs(b.Outbound) };

    private static NetworkBandwidthLimitArgs? ToArgs(BandwidthLimit? l) => l is null ? null
        : new NetworkBandwidthLimitArgs { Average = l.Average, Peak = l.Peak, Burst = l.Burst, Floor = l.Floor };

    /// <summary>Bandwidth is what the program says, whole: a direction it leaves out has no limit.</summary>
    private static Bandwidth Bandwidth(Bandwidth? basis, NetworkBandwidthArgs b) => (basis ?? new Bandwidth(null, null)) with
    {
        Inbound = Limit(basis?.Inbound, b.Inbound),
        Outbound = Limit(basis?.Outbound, b.Outbound),
    };

    private static BandwidthLimit? Limit(BandwidthLimit? basis, NetworkBandwidthLimitArgs? l) => l is null ? null
        : (basis ?? new BandwidthLimit()) with { Average = l.Average, Peak = l.Peak, Burst = l.Burst, Floor = l.Floor };

    /// <summary>XML as one line without insignificant whitespace: how a program's metadata and the host's compare.</summary>
    public static string CanonicalXml(string xml) => System.Xml.Linq.XElement.Parse(xml).ToString(System.Xml.Linq.SaveOptions.DisableFormatting);

    /// <summary>A PCI address as libvirt reports it (0000:03:00.1); Check has made sure it is one.</summary>
    public static string CanonicalPci(string text) =>
        PciAddress.Parse(text) is var (d, b, s, f) ? $"{d:x4}:{b:x2}:{s:x2}.{f:x1}" : text;
}

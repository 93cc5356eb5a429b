using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources;

/// <summary>Traffic shaping, one shape for a guest NIC, a libvirt network and its port groups.</summary>
[SchemaType("kvm:index:Bandwidth", "Traffic shaping (libvirt's `<bandwidth>`) of a guest NIC, a libvirt network or a port group. Inbound is traffic towards the guests, outbound traffic from them.")]
internal sealed partial record BandwidthArgs
{
    [Input("inbound", "Limits of traffic towards the guests.")]
    public BandwidthLimitArgs? Inbound { get; init; }

    [Input("outbound", "Limits of traffic from the guests.")]
    public BandwidthLimitArgs? Outbound { get; init; }
}

/// <summary>One direction of traffic shaping.</summary>
[SchemaType("kvm:index:BandwidthLimit", "One direction of traffic shaping: rates in KiB/s, the burst in KiB.")]
internal sealed partial record BandwidthLimitArgs
{
    [Input("average", "The average rate, in KiB/s.", Min = 0, Max = 4294967295)]
    public long? Average { get; init; }

    [Input("peak", "The highest rate, in KiB/s (needs `average`, and is at least it).", Min = 0, Max = 4294967295)]
    public long? Peak { get; init; }

    [Input("burst", "How much may be sent at `peak` speed, in KiB (needs `average`).", Min = 0, Max = 4294967295)]
    public long? Burst { get; init; }

    [Input("floor", "Inbound only: the rate guaranteed to each guest interface, in KiB/s. A NIC's floor needs a libvirt network with bandwidth of its own.", Min = 0, Max = 4294967295)]
    public long? Floor { get; init; }
}

/// <summary>What libvirt refuses in any <c>&lt;bandwidth&gt;</c> (virNetDevBandwidthParse), wherever it is.</summary>
internal static class BandwidthRules
{
    public static void Validate(BandwidthArgs b, string path, Action<string, string> fail)
    {
        if (b.Outbound?.Floor is not null) fail($"{path}.outbound.floor", "libvirt guarantees a floor on inbound traffic only");
        if (b.Inbound is { Average: null, Floor: null } inbound && (inbound.Peak ?? inbound.Burst) is not null)
            fail($"{path}.inbound.average", "libvirt needs an average (or a floor) for inbound peak and burst");
        if (b.Outbound is { Average: null } outbound && (outbound.Peak ?? outbound.Burst) is not null)
            fail($"{path}.outbound.average", "libvirt needs an average for outbound peak and burst");
        foreach (var (limit, name) in new[] { (b.Inbound, "inbound"), (b.Outbound, "outbound") })
        {
            if (limit is { Peak: { } peak, Average: { } average } && peak < average)
                fail($"{path}.{name}.peak", $"{peak} KiB/s is below the average ({average} KiB/s)");
        }
    }
}

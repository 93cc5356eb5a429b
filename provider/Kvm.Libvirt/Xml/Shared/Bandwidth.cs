using System.Globalization;
using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// <c>&lt;bandwidth&gt;&lt;inbound/&gt;&lt;outbound/&gt;&lt;/bandwidth&gt;</c>: traffic shaping of a network or a guest
/// port, each direction seen from the guest's side of the host.
/// </summary>
public sealed record Bandwidth(BandwidthLimit? Inbound, BandwidthLimit? Outbound)
{
    public XmlOrigin Origin { get; init; }

    internal static Bandwidth? Read(XElement? element) => element is null ? null
        : new Bandwidth(BandwidthLimit.Read(element.Element("inbound")), BandwidthLimit.Read(element.Element("outbound"))) { Origin = new XmlOrigin(element) };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("bandwidth");
        element.SetChild("inbound", Inbound?.ToElement("inbound"));
        element.SetChild("outbound", Outbound?.ToElement("outbound"));
        return element;
    }
}

/// <summary>One direction: average and peak rates in KiB/s, burst in KiB, floor (inbound, guaranteed) in KiB/s.</summary>
public sealed record BandwidthLimit
{
    public long? Average { get; init; }

    public long? Peak { get; init; }

    public long? Burst { get; init; }

    public long? Floor { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static BandwidthLimit? Read(XElement? element) => element is null ? null : new BandwidthLimit
    {
        Average = Long(element, "average"),
        Peak = Long(element, "peak"),
        Burst = Long(element, "burst"),
        Floor = Long(element, "floor"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement(string name) => Origin.CopyOr(name)
        .Set("average", Text(Average)).Set("peak", Text(Peak)).Set("burst", Text(Burst)).Set("floor", Text(Floor));

    private static long? Long(XElement element, string name) => element.Attr(name) is not { } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"<{element.Name}> '{name}': '{text}' is not a whole number");

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}

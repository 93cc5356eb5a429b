using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// One direction of a <c>&lt;bandwidth&gt;</c>: <c>average</c>, <c>peak</c> and <c>floor</c> in KiB/s,
/// <c>burst</c> in KiB. libvirt allows <c>floor</c> on inbound traffic only.
/// </summary>
public sealed record BandwidthLimit
{
    public long? Average { get; init; }

    public long? Peak { get; init; }

    public long? Burst { get; init; }

    public long? Floor { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static BandwidthLimit? Read(XElement? element) => element is null ? null : new BandwidthLimit
    {
        Average = element.LongAttr("average"),
        Peak = element.LongAttr("peak"),
        Burst = element.LongAttr("burst"),
        Floor = element.LongAttr("floor"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement(string name) =>
        Origin.CopyOr(name)
            .Set("average", XmlEdit.Text(Average))
            .Set("peak", XmlEdit.Text(Peak))
            .Set("floor", XmlEdit.Text(Floor))
            .Set("burst", XmlEdit.Text(Burst));
}

/// <summary>
/// <c>&lt;bandwidth&gt;&lt;inbound …/&gt;&lt;outbound …/&gt;&lt;/bandwidth&gt;</c>: the traffic shaping of a guest
/// NIC (or of a network or port group). Inbound is traffic towards the guest.
/// </summary>
public sealed record Bandwidth
{
    public BandwidthLimit? Inbound { get; init; }

    public BandwidthLimit? Outbound { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static Bandwidth? Read(XElement? element) => element is null ? null : new Bandwidth
    {
        Inbound = BandwidthLimit.Read(element.Element("inbound")),
        Outbound = BandwidthLimit.Read(element.Element("outbound")),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("bandwidth");
        element.SetChild("inbound", Inbound?.ToElement("inbound"));
        element.SetChild("outbound", Outbound?.ToElement("outbound"));
        return element;
    }
}

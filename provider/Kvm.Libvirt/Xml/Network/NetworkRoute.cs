using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary><c>&lt;route family address prefix|netmask gateway metric/&gt;</c>: a static route the host adds for the network.</summary>
public sealed record NetworkRoute
{
    /// <summary>As written: libvirt reads a missing family as IPv4.</summary>
    public string? Family { get; init; }

    public required string Address { get; init; }

    public int? Prefix { get; init; }

    public string? Netmask { get; init; }

    public required string Gateway { get; init; }

    public int? Metric { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static NetworkRoute Read(XElement element) => new()
    {
        Family = element.Attr("family"),
        Address = element.RequiredAttr("address"),
        Prefix = element.IntAttr("prefix"),
        Netmask = element.Attr("netmask"),
        Gateway = element.RequiredAttr("gateway"),
        Metric = element.IntAttr("metric"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement() => Origin.CopyOr("route")
        .Set("family", Family).Set("address", Address).Set("prefix", XmlEdit.Text(Prefix)).Set("netmask", Netmask)
        .Set("gateway", Gateway).Set("metric", XmlEdit.Text(Metric));
}

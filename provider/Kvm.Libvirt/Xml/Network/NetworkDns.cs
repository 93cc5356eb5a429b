using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary><c>&lt;dns&gt;</c>: static host records. Forwarders, txt and srv records are kept from the origin.</summary>
public sealed record NetworkDns
{
    public ValueList<DnsHost> Hosts { get; init; } = [];

    public XmlOrigin Origin { get; init; }

    internal static NetworkDns? Read(XElement? element) => element is null ? null : new NetworkDns
    {
        Hosts = element.Elements("host").Select(DnsHost.Read).ToValueList(),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("dns");
        element.ReplaceChildren("host", Hosts.Select(h => h.ToElement()).ToList());
        return element;
    }
}

/// <summary><c>&lt;host ip&gt;&lt;hostname&gt;…&lt;/hostname&gt;&lt;/host&gt;</c>.</summary>
public sealed record DnsHost(string Ip, ValueList<string> Hostnames)
{
    public XmlOrigin Origin { get; init; }

    internal static DnsHost Read(XElement element) =>
        new(element.RequiredAttr("ip"), element.Elements("hostname").Select(h => h.Value).ToValueList())
        {
            Origin = new XmlOrigin(element),
        };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("host").Set("ip", Ip);
        element.ReplaceChildren("hostname", Hostnames.Select(h => new XElement("hostname", h)).ToList());
        return element;
    }
}

using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>
/// <c>&lt;dns enable forwardPlainNames&gt;</c>: whether dnsmasq answers DNS at all, where it forwards what it
/// cannot answer, and its static records (host, txt, srv).
/// </summary>
public sealed record NetworkDns
{
    /// <summary>False: the network runs no DNS server (libvirt's enable='no'). Null: the default, on.</summary>
    public bool? Enable { get; init; }

    /// <summary>Whether names without a dot are forwarded to the upstream servers (libvirt's default: yes).</summary>
    public bool? ForwardPlainNames { get; init; }

    public ValueList<DnsForwarder> Forwarders { get; init; } = [];

    public ValueList<DnsTxt> Txts { get; init; } = [];

    public ValueList<DnsSrv> Srvs { get; init; } = [];

    public ValueList<DnsHost> Hosts { get; init; } = [];

    public XmlOrigin Origin { get; init; }

    internal static NetworkDns? Read(XElement? element) => element is null ? null : new NetworkDns
    {
        Enable = element.YesNoAttr("enable"),
        ForwardPlainNames = element.YesNoAttr("forwardPlainNames"),
        Forwarders = element.Elements("forwarder").Select(DnsForwarder.Read).ToValueList(),
        Txts = element.Elements("txt").Select(DnsTxt.Read).ToValueList(),
        Srvs = element.Elements("srv").Select(DnsSrv.Read).ToValueList(),
        Hosts = element.Elements("host").Select(DnsHost.Read).ToValueList(),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement()
    {
        var element = Origin.CopyOr("dns")
            .Set("enable", XmlEdit.YesNo(Enable))
            .Set("forwardPlainNames", XmlEdit.YesNo(ForwardPlainNames));
        element.ReplaceChildren("forwarder", Forwarders.Select(f => f.ToElement()).ToList());
        element.ReplaceChildren("txt", Txts.Select(t => t.ToElement()).ToList());
        element.ReplaceChildren("srv", Srvs.Select(s => s.ToElement()).ToList());
        element.ReplaceChildren("host", Hosts.Select(h => h.ToElement()).ToList());
        return element;
    }
}

/// <summary>
/// <c>&lt;forwarder addr domain/&gt;</c>: an upstream server (for every name, or for one domain); a domain
/// without an address is answered locally only.
/// </summary>
public sealed record DnsForwarder(string? Address, string? Domain)
{
    public XmlOrigin Origin { get; init; }

    internal static DnsForwarder Read(XElement element) => new(element.Attr("addr"), element.Attr("domain")) { Origin = new XmlOrigin(element) };

    internal XElement ToElement() => Origin.CopyOr("forwarder").Set("domain", Domain).Set("addr", Address);
}

/// <summary><c>&lt;txt name value/&gt;</c>: a TXT record.</summary>
public sealed record DnsTxt(string Name, string? Value)
{
    public XmlOrigin Origin { get; init; }

    internal static DnsTxt Read(XElement element) => new(element.RequiredAttr("name"), element.Attr("value")) { Origin = new XmlOrigin(element) };

    internal XElement ToElement() => Origin.CopyOr("txt").Set("name", Name).Set("value", Value);
}

/// <summary><c>&lt;srv service protocol domain target port priority weight/&gt;</c>: an SRV record.</summary>
public sealed record DnsSrv
{
    public required string Service { get; init; }

    public required string Protocol { get; init; }

    public string? Domain { get; init; }

    public string? Target { get; init; }

    public int? Port { get; init; }

    public int? Priority { get; init; }

    public int? Weight { get; init; }

    public XmlOrigin Origin { get; init; }

    internal static DnsSrv Read(XElement element) => new()
    {
        Service = element.RequiredAttr("service"),
        Protocol = element.RequiredAttr("protocol"),
        Domain = element.Attr("domain"),
        Target = element.Attr("target"),
        Port = element.IntAttr("port"),
        Priority = element.IntAttr("priority"),
        Weight = element.IntAttr("weight"),
        Origin = new XmlOrigin(element),
    };

    internal XElement ToElement() => Origin.CopyOr("srv")
        .Set("service", Service).Set("protocol", Protocol).Set("domain", Domain).Set("target", Target)
        .Set("port", XmlEdit.Text(Port)).Set("priority", XmlEdit.Text(Priority)).Set("weight", XmlEdit.Text(Weight));
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

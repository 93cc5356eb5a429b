using System.Xml;
using System.Xml.Linq;
using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Networks;

/// <summary>A running guest's NIC on a network: its host-side tap and MAC, from the domain's live XML.</summary>
public sealed record GuestNic(string Guest, string? TapName, string? Mac);

/// <summary>
/// The running guests attached to a network: interfaces of type network naming it, or of type
/// bridge on its bridge. One pass over the running domains' live XML; nothing waits or polls.
/// </summary>
public static class AttachedGuests
{
    public static IReadOnlyList<GuestNic> Find(ILibvirt libvirt, string network, string? bridge)
    {
        var nics = new List<GuestNic>();
        var domains = libvirt.ListAllDomains(ListDomainsFlags.Active);
        try
        {
            foreach (var domain in domains)
            {
                string xml;
                try
                {
                    xml = domain.GetXmlDesc();
                }
                catch (LibvirtException e) when (e.IsNotFound)
                {
                    continue; // stopped and gone since the listing
                }
                nics.AddRange(NicsOn(domain.Name, xml, network, bridge));
            }
        }
        finally
        {
            foreach (var d in domains) d.Dispose();
        }
        return nics;
    }

    /// <summary>The NICs of one domain XML on the network (by name) or on its bridge.</summary>
    public static IEnumerable<GuestNic> NicsOn(string guest, string domainXml, string network, string? bridge)
    {
        XElement root;
        try
        {
            root = XElement.Parse(domainXml);
        }
        catch (XmlException)
        {
            yield break;
        }
        foreach (var nic in root.Element("devices")?.Elements("interface") ?? [])
        {
            var type = (string?)nic.Attribute("type");
            var source = nic.Element("source");
            var onIt = type switch
            {
                "network" => (string?)source?.Attribute("network") == network,
                "bridge" => bridge is { Length: > 0 } && (string?)source?.Attribute("bridge") == bridge,
                _ => false,
            };
            if (onIt)
                yield return new GuestNic(guest, (string?)nic.Element("target")?.Attribute("dev"), (string?)nic.Element("mac")?.Attribute("address"));
        }
    }

    /// <summary>"g1, g2" or "none attached".</summary>
    public static string Describe(IEnumerable<GuestNic> nics)
    {
        var names = nics.Select(n => n.Guest).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? "none attached" : string.Join(", ", names);
    }
}

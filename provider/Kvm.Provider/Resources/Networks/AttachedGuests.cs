using System.Xml;
using System.Xml.Linq;

namespace Kvm.Provider.Resources.Networks;

/// <summary>A running guest's NIC on a network: its host-side tap and MAC, from the domain's live XML.</summary>
internal sealed record GuestNic(string Guest, string? TapName, string? Mac);

/// <summary>
/// The guests attached to a network, read from domain XML: interfaces of type network naming it, or
/// of type bridge on its bridge; and how a preview names them.
/// </summary>
internal static class AttachedGuests
{
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
    public static string Describe(IEnumerable<GuestNic> nics) => DescribeNames(nics.Select(n => n.Guest));

    /// <summary>"g1, g2" or "none attached", from guests' names (or the one entry of <see cref="Unlisted"/>).</summary>
    public static string DescribeNames(IEnumerable<string> guests)
    {
        var names = guests.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? "none attached" : string.Join(", ", names);
    }

    /// <summary>
    /// What stands for the guests when the host cannot be asked: a preview says so rather than
    /// failing, and never claims "none attached". (The framework passes guests to the planner as a
    /// list of names, so this is the list's one entry.)
    /// </summary>
    public static IReadOnlyList<string> Unlisted(string reason) => [$"unknown (the guests could not be listed: {reason})"];
}

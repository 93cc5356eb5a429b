using System.Globalization;
using System.Xml.Linq;
using Kvm.Netlink;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// Guest VLANs on Linux bridges, where libvirt refuses <c>&lt;vlan&gt;</c>: what the program asked for is
/// kept in the domain's <c>&lt;metadata&gt;</c> under our own XML namespace (so it travels with the XML that
/// libvirt hands its qemu hook on stdin), keyed by the NIC's MAC address, and turned into bridge VLAN
/// table entries for the guest's tap (vnetN).
/// </summary>
internal static class GuestVlans
{
    /// <summary>Our XML namespace inside <c>&lt;metadata&gt;</c>.</summary>
    public const string Namespace = "https://pulumi-resource-kvm/xmlns/guest-vlans/1";

    private static readonly XNamespace Ns = Namespace;
    private static readonly XName Root = Ns + "guest-vlans";
    private static readonly XName Interface = Ns + "interface";
    private static readonly XName Tag = Ns + "tag";

    /// <summary>
    /// The bridge VLAN table of the guest's port: one tag (no trunk) is an access port (the VLAN is the
    /// PVID and leaves untagged); a trunk carries its tags tagged, and its native tag (if any) is the
    /// PVID, untagged unless nativeMode is tagged.
    /// </summary>
    public static IReadOnlyList<VlanEntry> Entries(DomainVlanArgs vlan)
    {
        var tags = (vlan.Tags ?? []).Distinct().Order().ToList();
        if (!IsTrunk(vlan) && tags.Count == 1)
            return [new VlanEntry((ushort)tags[0], (ushort)tags[0], Pvid: true, Untagged: true)];
        var entries = tags.Select(t => t == vlan.NativeTag
            ? new VlanEntry((ushort)t, (ushort)t, Pvid: true, Untagged: vlan.NativeMode != "tagged")
            : VlanEntry.Of((ushort)t));
        return VlanTable.Compress(entries);
    }

    /// <summary>A trunk when said so, else when there is more than one tag.</summary>
    public static bool IsTrunk(DomainVlanArgs vlan) => vlan.Trunk ?? (vlan.Tags?.Distinct().Count() ?? 0) > 1;

    /// <summary>
    /// The VLAN settings a port's table stands for, in the form <paramref name="desired"/> is written
    /// in when the table is exactly what it asks for (so equivalent spellings never show as changes);
    /// otherwise in the canonical form; null for an empty table.
    /// </summary>
    public static DomainVlanArgs? FromEntries(IReadOnlyList<VlanEntry> entries, DomainVlanArgs? desired)
    {
        if (entries.Count == 0) return null;
        if (desired is not null && VlanTable.Diff(entries, Entries(desired)).IsEmpty) return desired;
        var vids = entries.SelectMany(e => Enumerable.Range(e.VidStart, e.Count)).ToArray();
        var pvid = entries.FirstOrDefault(e => e.Pvid);
        if (vids.Length == 1 && pvid.Pvid && pvid.Untagged)
            return new DomainVlanArgs { Tags = vids };
        return new DomainVlanArgs
        {
            Tags = vids,
            Trunk = true,
            NativeTag = pvid.Pvid ? pvid.VidStart : null,
            NativeMode = pvid.Pvid ? (pvid.Untagged ? "untagged" : "tagged") : null,
        };
    }

    /// <summary>The guest VLANs recorded in a domain's metadata, by lower-case MAC address.</summary>
    public static IReadOnlyDictionary<string, DomainVlanArgs> Read(XElement? domain)
    {
        var result = new Dictionary<string, DomainVlanArgs>(StringComparer.Ordinal);
        var root = domain?.Element("metadata")?.Element(Root);
        if (root is null) return result;
        foreach (var nic in root.Elements(Interface))
        {
            var mac = nic.Attribute("mac")?.Value?.ToLowerInvariant();
            if (mac is null) continue;
            result[mac] = new DomainVlanArgs
            {
                Tags = [.. nic.Elements(Tag).Select(t => int.Parse(t.Attribute("id")?.Value ?? "0", CultureInfo.InvariantCulture))],
                Trunk = nic.Attribute("trunk")?.Value switch { "yes" => true, "no" => false, _ => null },
                NativeTag = nic.Attribute("nativeTag")?.Value is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : null,
                NativeMode = nic.Attribute("nativeMode")?.Value,
            };
        }
        return result;
    }

    /// <summary>
    /// Writes the guest VLANs into the domain's metadata (replacing what was there); an empty map removes
    /// our element, and an empty <c>&lt;metadata&gt;</c> goes with it. Other metadata is left alone.
    /// </summary>
    public static void Write(XElement domain, IReadOnlyDictionary<string, DomainVlanArgs> byMac)
    {
        var metadata = domain.Element("metadata");
        metadata?.Elements(Root).Remove();
        if (byMac.Count == 0)
        {
            if (metadata is not null && !metadata.HasElements && !metadata.HasAttributes) metadata.Remove();
            return;
        }
        if (metadata is null)
        {
            metadata = new XElement("metadata");
            // libvirt writes <metadata> after the uuid/title/description; its position does not matter to it.
            var anchor = domain.Element("uuid") ?? domain.Element("name");
            if (anchor is not null) anchor.AddAfterSelf(metadata);
            else domain.AddFirst(metadata);
        }
        var root = new XElement(Root, new XAttribute(XNamespace.Xmlns + "kvmvlan", Namespace));
        foreach (var (mac, vlan) in byMac.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var nic = new XElement(Interface, new XAttribute("mac", mac));
            if (vlan.Trunk is { } trunk) nic.SetAttributeValue("trunk", trunk ? "yes" : "no");
            if (vlan.NativeTag is { } native) nic.SetAttributeValue("nativeTag", native.ToString(CultureInfo.InvariantCulture));
            if (vlan.NativeMode is { } mode) nic.SetAttributeValue("nativeMode", mode);
            foreach (var tag in vlan.Tags ?? []) nic.Add(new XElement(Tag, new XAttribute("id", tag.ToString(CultureInfo.InvariantCulture))));
            root.Add(nic);
        }
        metadata.Add(root);
    }

    /// <summary>Two VLAN settings that program the same table.</summary>
    public static bool SameTable(DomainVlanArgs? a, DomainVlanArgs? b) =>
        (a is null || (a.Tags?.Length ?? 0) == 0) ? (b is null || (b.Tags?.Length ?? 0) == 0)
        : b is not null && (b.Tags?.Length ?? 0) > 0 && VlanTable.Diff(Entries(a), Entries(b)).IsEmpty;

    /// <summary>A short human form: "10", "trunk 10,20 (native 10 untagged)".</summary>
    public static string Describe(DomainVlanArgs vlan)
    {
        var tags = string.Join(",", (vlan.Tags ?? []).Order());
        if (!IsTrunk(vlan)) return $"VLAN {tags}";
        return vlan.NativeTag is { } n ? $"trunk {tags} (native {n} {vlan.NativeMode ?? "untagged"})" : $"trunk {tags}";
    }
}

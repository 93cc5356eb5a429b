using System.Xml.Linq;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>
/// The differences between two documents as libvirt formats them, each as a path a reader can find
/// (<c>/network/ip[2]/dhcp[1]/@leasetime</c>, the second <c>ip</c>): attribute order does not count, element order does. Every
/// difference is listed, so that the report shows all that is left to do for a file, not just the first.
/// </summary>
public static class XmlDifference
{
    public static IReadOnlyList<string> All(XElement a, XElement b)
    {
        var found = new List<string>();
        Compare(a, b, "/" + a.Name.LocalName, found);
        return found;
    }

    private static void Compare(XElement a, XElement b, string path, List<string> found)
    {
        if (a.Name != b.Name)
        {
            found.Add($"{path}: <{a.Name.LocalName}> became <{b.Name.LocalName}>");
            return;
        }
        foreach (var attr in a.Attributes().Concat(b.Attributes()).Select(x => x.Name).Distinct().OrderBy(n => n.LocalName, StringComparer.Ordinal))
        {
            var (va, vb) = (a.Attribute(attr)?.Value, b.Attribute(attr)?.Value);
            if (va != vb) found.Add($"{path}/@{attr.LocalName}: {Show(va)} became {Show(vb)}");
        }
        var (ca, cb) = (a.Elements().ToList(), b.Elements().ToList());
        if (ca.Count == 0 && cb.Count == 0)
        {
            if (a.Value.Trim() != b.Value.Trim()) found.Add($"{path}: text {Show(a.Value.Trim())} became {Show(b.Value.Trim())}");
            return;
        }
        // Children are paired by name in order, so one lost element reads as one difference, not as every later one.
        var before = found.Count;
        foreach (var name in ca.Concat(cb).Select(e => e.Name).Distinct())
        {
            var (na, nb) = (ca.Where(e => e.Name == name).ToList(), cb.Where(e => e.Name == name).ToList());
            for (var i = 0; i < Math.Max(na.Count, nb.Count); i++)
            {
                var step = $"{path}/{name.LocalName}[{i + 1}]";
                if (i >= na.Count) found.Add($"{step}: added");
                else if (i >= nb.Count) found.Add($"{step}: lost");
                else Compare(na[i], nb[i], step, found);
            }
        }
        if (found.Count == before && !ca.Select(e => e.Name).SequenceEqual(cb.Select(e => e.Name)))
            found.Add($"{path}: children in another order");
    }

    private static string Show(string? value) => value is null ? "(none)" : $"'{(value.Length > 60 ? value[..60] + "…" : value)}'";
}

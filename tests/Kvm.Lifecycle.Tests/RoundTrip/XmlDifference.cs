using System.Xml.Linq;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>
/// The first difference between two documents as libvirt formats them, as a path a reader can find
/// (<c>/network/ip[1]/dhcp/@leasetime</c>): attribute order does not count, element order does.
/// </summary>
public static class XmlDifference
{
    public static string? First(XElement a, XElement b) => Compare(a, b, "/" + a.Name.LocalName);

    private static string? Compare(XElement a, XElement b, string path)
    {
        if (a.Name != b.Name) return $"{path}: <{a.Name.LocalName}> became <{b.Name.LocalName}>";
        foreach (var attr in a.Attributes().Concat(b.Attributes()).Select(x => x.Name).Distinct().OrderBy(n => n.LocalName, StringComparer.Ordinal))
        {
            var (va, vb) = (a.Attribute(attr)?.Value, b.Attribute(attr)?.Value);
            if (va != vb) return $"{path}/@{attr.LocalName}: {Show(va)} became {Show(vb)}";
        }
        var (ca, cb) = (a.Elements().ToList(), b.Elements().ToList());
        if (ca.Count == 0 && cb.Count == 0)
            return a.Value.Trim() == b.Value.Trim() ? null : $"{path}: text {Show(a.Value.Trim())} became {Show(b.Value.Trim())}";
        for (var i = 0; i < Math.Max(ca.Count, cb.Count); i++)
        {
            var step = $"{path}/{(i < ca.Count ? ca[i] : cb[i]).Name.LocalName}[{i + 1}]";
            if (i >= ca.Count) return $"{step}: added";
            if (i >= cb.Count) return $"{step}: lost";
            if (Compare(ca[i], cb[i], step) is { } d) return d;
        }
        return null;
    }

    private static string Show(string? value) => value is null ? "(none)" : $"'{(value.Length > 60 ? value[..60] + "…" : value)}'";
}

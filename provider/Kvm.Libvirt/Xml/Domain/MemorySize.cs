using System.Globalization;
using System.Xml.Linq;

namespace Kvm.Libvirt;

/// <summary>libvirt's scaled integers (<c>unit='MiB'</c> and friends), normalised to KiB.</summary>
internal static class MemorySize
{
    /// <summary>
    /// Reads an element like <c>&lt;memory unit='GiB'&gt;2&lt;/memory&gt;</c>. No unit means KiB. As in libvirt,
    /// "k"/"KiB" are 1024, "KB" is 1000, and sizes that are not whole KiB round up.
    /// </summary>
    public static ulong? ReadKiB(XElement? element)
    {
        if (element is null) return null;
        var text = element.Value.Trim();
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new FormatException($"<{element.Name}>: '{text}' is not a size");
        var bytesPerUnit = BytesPerUnit(element.Attr("unit") ?? "KiB", element.Name.LocalName);
        var bytes = checked((UInt128)value * bytesPerUnit);
        return checked((ulong)((bytes + 1023) / 1024));
    }

    /// <summary>Writes the value in KiB, keeping the element's other attributes (e.g. dumpCore).</summary>
    public static void WriteKiB(XElement parent, string child, ulong? kib)
    {
        if (kib is null)
        {
            parent.Element(child)?.Remove();
            return;
        }
        var element = parent.Element(child);
        if (element is null)
        {
            element = new XElement(child);
            parent.Add(element);
        }
        element.SetAttributeValue("unit", "KiB");
        element.Value = kib.Value.ToString(CultureInfo.InvariantCulture);
    }

    private static ulong BytesPerUnit(string unit, string where)
    {
        var u = unit.ToLowerInvariant();
        if (u is "b" or "byte" or "bytes") return 1;
        var power = u[0] switch { 'k' => 1, 'm' => 2, 'g' => 3, 't' => 4, 'p' => 5, 'e' => 6, _ => 0 };
        ulong radix = u[1..] switch { "" or "ib" => 1024, "b" => 1000, _ => 0 };
        if (power == 0 || radix == 0) throw new FormatException($"<{where}>: unknown unit '{unit}'");
        ulong result = 1;
        for (var i = 0; i < power; i++) result *= radix;
        return result;
    }
}

using System.Globalization;

namespace Kvm.Libvirt;

/// <summary>
/// A number as libvirt reads some attributes (PCI address parts, 802.1Qbg ids): a C literal, 0x-prefixed
/// hex or decimal. libvirt writes such numbers back in its own form, so they compare by value.
/// </summary>
public static class CNumber
{
    /// <summary>The value, or null when <paramref name="text"/> is absent or not such a number.</summary>
    public static int? ParseOrNull(string? text)
    {
        if (text is null) return null;
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return int.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}

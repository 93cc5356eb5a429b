using System.Globalization;
using System.Text.RegularExpressions;
using Kvm.Libvirt;

namespace Kvm.Provider.Resources;

/// <summary>
/// A PCI address as the inputs spell it (a device's `pciAddress`, a hostdev network's `forward.pciAddresses`) (`0000:00:03.0`, lspci's form) and as
/// libvirt writes it (<c>&lt;address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/&gt;</c>).
/// </summary>
internal static partial class PciAddress
{
    [GeneratedRegex("^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])$")]
    private static partial Regex Form();

    /// <summary>What is wrong with <paramref name="text"/>, or null.</summary>
    public static string? Problem(string text)
    {
        var m = Form().Match(text);
        if (!m.Success) return $"\"{text}\" is not a PCI address: domain:bus:slot.function in hex, e.g. 0000:00:03.0";
        return int.Parse(m.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) > 0x1f
            ? $"\"{text}\": a PCI slot is 00 to 1f"
            : null;
    }

    /// <summary>The one spelling compared and reported: lower-case hex.</summary>
    public static string Normalize(string text) => text.ToLowerInvariant();

    /// <summary>libvirt's element for a valid address, with its numbers in the widths libvirt prints.</summary>
    public static DeviceAddress ToAddress(string text)
    {
        var m = Form().Match(text);
        int Hex(int group) => int.Parse(m.Groups[group].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new DeviceAddress
        {
            Type = "pci",
            Domain = $"0x{Hex(1):x4}",
            Bus = $"0x{Hex(2):x2}",
            Slot = $"0x{Hex(3):x2}",
            Function = $"0x{Hex(4):x}",
        };
    }

    /// <summary>The input's spelling of a PCI address, or null for another kind (drive, ccw, …) or one libvirt left incomplete.</summary>
    public static string? Of(DeviceAddress? address)
    {
        if (address is not { Type: "pci" } a) return null;
        if (CNumber.ParseOrNull(a.Domain) is not { } domain || CNumber.ParseOrNull(a.Bus) is not { } bus
            || CNumber.ParseOrNull(a.Slot) is not { } slot || CNumber.ParseOrNull(a.Function) is not { } function) return null;
        return $"{domain:x4}:{bus:x2}:{slot:x2}.{function:x}";
    }

    /// <summary>
    /// The address to write: the existing one when it is already there (so attributes such as multifunction
    /// stay), else the wanted one.
    /// </summary>
    public static DeviceAddress? Write(string? wanted, string? oldInput, DeviceAddress? existing)
    {
        if (wanted is null) return oldInput is not null ? null : existing;
        return Of(existing) == Normalize(wanted) ? existing : ToAddress(wanted);
    }
}

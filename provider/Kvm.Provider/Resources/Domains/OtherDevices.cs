using System.Xml.Linq;
using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The guest's devices that have no inputs of their own, as verbatim XML (`devicesXml`): controllers,
/// video, input, sound, RNG, TPM, hostdevs, channels, the emulator, ... and the NICs, disks, serial ports
/// and display when one of them is of a kind the typed inputs cannot describe (a vhost-user NIC, a
/// network disk): then all of that kind are here and the typed input is left unset, so nothing is lost.
/// Consoles on a serial port are not kept: libvirt makes them from the serial ports.
/// </summary>
internal static class OtherDevices
{
    /// <summary>Which device kinds of this definition the typed inputs describe; the rest are other devices.</summary>
    public sealed record Typed(bool Interfaces, bool Disks, bool Serials, bool Graphics)
    {
        public static Typed Of(DomainDefinition def) => new(
            def.Interfaces.All(IsTyped), def.Disks.All(IsTyped), def.Serials.All(IsTyped), def.Graphics.Count <= 1 && def.Graphics.All(IsTyped));

        // The kinds DomainInterfaceArgs, DomainDiskArgs, DomainSerialArgs and DomainGraphicsArgs describe.
        public static bool IsTyped(DomainInterface n) => n.Type is InterfaceType.Bridge or InterfaceType.Network or InterfaceType.Direct;
        public static bool IsTyped(DomainDisk d) => d.Type is DiskType.File or DiskType.Block;
        public static bool IsTyped(DomainCharDevice s) => s.Type is "pty" or "file" or "unix";
        public static bool IsTyped(DomainGraphics g) => g.Type is GraphicsType.Vnc or GraphicsType.Spice;

        /// <summary>Whether a device element is described by a typed input here.</summary>
        public bool Describes(XElement device) => device.Name.LocalName switch
        {
            "interface" => Interfaces,
            "disk" => Disks,
            "serial" => Serials,
            "graphics" => Graphics,
            "console" => (string?)device.Element("target")?.Attribute("type") is null or "serial",
            _ => false,
        };
    }

    /// <summary>The other devices of a definition, each in <see cref="XmlFragment.Canonical(XElement)"/> form, in libvirt's order.</summary>
    public static string[] Read(DomainDefinition def)
    {
        var typed = Typed.Of(def);
        return [.. Devices(def.Origin.Element).Where(d => !typed.Describes(d)).Select(d => XmlFragment.Canonical(d))];
    }

    /// <summary>
    /// Makes the other devices of <paramref name="root"/> (as <paramref name="existing"/> counts them) those of
    /// <paramref name="wanted"/>, touching only what differs: a device that already says what its fragment says
    /// stays as it is (with what libvirt added), others go, missing ones are added. Unset keeps them all.
    /// </summary>
    public static void Write(XElement root, string[]? wanted, DomainDefinition? existing)
    {
        if (wanted is null) return;
        var typed = existing is null ? new Typed(true, true, true, true) : Typed.Of(existing);
        var missing = wanted.Select(w => XElement.Parse(w)).ToList();
        foreach (var device in Devices(root).Where(d => !typed.Describes(d)).ToList())
        {
            var match = missing.FirstOrDefault(w => Subsumes(device, w));
            if (match is not null) missing.Remove(match);
            else device.Remove();
        }
        if (missing.Count == 0) return;
        var devices = root.Element("devices");
        if (devices is null) root.Add(devices = new XElement("devices"));
        foreach (var device in missing) devices.Add(device);
    }

    /// <summary>
    /// The observed devices in the program's own spelling where the program's fragment says the same with
    /// less (libvirt adds addresses, aliases and defaults): so what libvirt fills in is never a change.
    /// </summary>
    public static string[] InShapeOf(string[] observed, string[]? reference)
    {
        if (reference is null) return observed;
        var unused = reference.Select(r => XElement.Parse(r)).ToList();
        return [.. observed.Select(o =>
        {
            var element = XElement.Parse(o);
            var match = unused.FirstOrDefault(r => Subsumes(element, r));
            if (match is null) return o;
            unused.Remove(match);
            return XmlFragment.Canonical(match);
        })];
    }

    /// <summary>What a fragment is wrong with, or null: one well-formed element of a kind no typed input here describes.</summary>
    public static string? Problem(string fragment, DomainArgs a)
    {
        if (XmlFragment.Parse(fragment, out var notXml) is not { } element) return notXml;
        return element.Name.LocalName switch
        {
            "interface" when a.Interfaces is not null => "is an <interface>, but interfaces declares the NICs: a NIC goes in one or the other",
            "disk" when a.Disks is not null => "is a <disk>, but disks declares the disks: a disk goes in one or the other",
            "serial" when a.Serials is not null => "is a <serial>, but serials declares the serial ports: a port goes in one or the other",
            "graphics" when a.Graphics is not null => "is a <graphics>, but graphics declares the display: it goes in one or the other",
            _ => null,
        };
    }

    private static IEnumerable<XElement> Devices(XElement? root) => root?.Element("devices")?.Elements() ?? [];

    /// <summary>Whether <paramref name="observed"/> says all that <paramref name="wanted"/> says: its attributes, text and children, in order.</summary>
    public static bool Subsumes(XElement observed, XElement wanted)
    {
        if (observed.Name != wanted.Name) return false;
        if (wanted.Attributes().Any(a => (string?)observed.Attribute(a.Name) != a.Value)) return false;
        if (!wanted.HasElements) return wanted.Value.Trim().Length == 0 || observed.Value.Trim() == wanted.Value.Trim();
        var candidates = observed.Elements().ToList();
        var next = 0;
        foreach (var child in wanted.Elements())
        {
            while (next < candidates.Count && !Subsumes(candidates[next], child)) next++;
            if (next == candidates.Count) return false;
            next++;
        }
        return true;
    }
}

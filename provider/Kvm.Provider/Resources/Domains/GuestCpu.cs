using System.Text.RegularExpressions;
using System.Xml.Linq;
using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The guest CPU beyond its count: `cpuMode`, the whole <c>&lt;cpu&gt;</c> element as `cpuXml` when it says
/// more than a mode (a custom model, topology, features), and `vcpuCpuset`. Like `devicesXml`, where the
/// host's element says all the program's fragment says and more (libvirt adds <c>check</c>, a fallback),
/// the program's shorter form is what is reported, so libvirt's additions are never a change.
/// </summary>
internal static partial class GuestCpu
{
    // Attributes libvirt's qemu driver adds to a bare <cpu mode>: not "more than a mode".
    private static readonly string[] ModeOnly = ["mode", "check", "migratable"];

    [GeneratedRegex("^\\^?[0-9]+(-[0-9]+)?(,\\^?[0-9]+(-[0-9]+)?)*$")]
    private static partial Regex CpusetForm();

    public static DomainVcpu Vcpu(DomainVcpu vcpu, DomainArgs a, DomainArgs? old) =>
        vcpu with { Cpuset = DomainMapping.Pick(a.VcpuCpuset, old?.VcpuCpuset, vcpu.Cpuset) };

    public static DomainCpu? Write(DomainArgs a, DomainArgs? old, DomainCpu? existing)
    {
        if (a.CpuXml is { } xml)
        {
            var wanted = XElement.Parse(xml);
            return existing?.Origin.Element is { } current && OtherDevices.Subsumes(current, wanted)
                ? existing
                : new DomainCpu { Mode = wanted.Attribute("mode")?.Value, Origin = new XmlOrigin(wanted) };
        }
        // cpuXml dropped: start again from the mode alone (or libvirt's default).
        if (old?.CpuXml is not null) return a.CpuMode is { } m ? new DomainCpu { Mode = m } : null;
        return Mode(a.CpuMode, old?.CpuMode, existing);
    }

    private static DomainCpu? Mode(string? mode, string? oldMode, DomainCpu? existing)
    {
        if (mode is null) return oldMode is not null ? null : existing;
        // A different mode starts from a clean element: a custom model under host-passthrough means nothing.
        return existing is not null && existing.Mode == mode ? existing : new DomainCpu { Mode = mode };
    }

    /// <summary>`cpuXml` as reported: in the reference's spelling when the host's element says all of it, else the host's element when it says more than a mode.</summary>
    public static string? XmlOf(DomainCpu? cpu, string? reference)
    {
        if (cpu?.Origin.Element is not { } element) return null;
        if (reference is not null)
        {
            var wanted = XElement.Parse(reference);
            return OtherDevices.Subsumes(element, wanted) ? XmlFragment.Canonical(reference) : XmlFragment.Canonical(element);
        }
        var more = element.HasElements || element.Attributes().Any(a => !ModeOnly.Contains(a.Name.LocalName));
        return more ? XmlFragment.Canonical(element) : null;
    }

    /// <summary>What is wrong with a `cpuXml` value (and `cpuMode` beside it), or null.</summary>
    public static string? Problem(string xml, string? cpuMode)
    {
        if (XmlFragment.Parse(xml, out var notXml) is not { } element) return notXml;
        if (element.Name.LocalName != "cpu") return $"is a <{element.Name.LocalName}>; cpuXml holds the <cpu> element";
        // libvirt reads a <cpu> without a mode as custom.
        var mode = element.Attribute("mode")?.Value ?? "custom";
        return cpuMode is not null && cpuMode != mode ? $"says mode '{mode}' but cpuMode is {cpuMode}: leave cpuMode unset or make them agree" : null;
    }

    /// <summary>What is wrong with a `vcpuCpuset` value, or null.</summary>
    public static string? CpusetProblem(string cpuset)
    {
        if (!CpusetForm().IsMatch(cpuset)) return $"\"{cpuset}\" is not a CPU list: numbers and ranges separated by commas, ^ to exclude (e.g. 0-3,^2,8)";
        foreach (var part in cpuset.Split(','))
        {
            var range = part.TrimStart('^').Split('-');
            if (range.Length == 2 && long.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture) > long.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture))
                return $"\"{part}\" is a range that ends before it starts";
        }
        return cpuset.Split(',').All(p => p.StartsWith('^')) ? "excludes CPUs but includes none" : null;
    }
}

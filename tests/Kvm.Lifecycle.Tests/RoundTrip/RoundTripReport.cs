using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>The round trip's counts and every file's outcome, in artifacts/roundtrip-WHAT.md (what the README quotes).</summary>
public static class RoundTripReport
{
    public static string Summary(IReadOnlyList<RoundTripOutcome> outcomes)
    {
        var loaded = outcomes.Count(o => o.Kind != RoundTripOutcome.DriverRefuses);
        // What only the test driver takes (libvirtd refuses it at define) is no host's object: the rate leaves it out.
        var libvirtdRefuses = outcomes.Count(o => o.Kind == RoundTripOutcome.LibvirtdRefuses);
        var valid = loaded - libvirtdRefuses;
        var imported = outcomes.Count(o => o.Kind is not (RoundTripOutcome.DriverRefuses or RoundTripOutcome.ImportFails or RoundTripOutcome.LibvirtdRefuses));
        var identical = outcomes.Count(o => o.Kind == RoundTripOutcome.Identical);
        return $"{outcomes.Count} files, {loaded} loaded by the test driver ({libvirtdRefuses} of which libvirtd itself refuses), {imported} of the other {valid} imported, " +
               $"{identical} re-created identically ({(valid == 0 ? 0 : 100.0 * identical / valid):0}% of the {valid} libvirtd accepts)";
    }

    public static void Write(string what, IReadOnlyList<RoundTripOutcome> outcomes)
    {
        var folder = Path.Combine(RepoPaths.Root, "artifacts");
        Directory.CreateDirectory(folder);
        var lines = new List<string> { $"# Round trip of libvirt {LibvirtTestXml.Version}'s test {what}", "", Summary(outcomes), "" };
        lines.AddRange(outcomes.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => new[] { $"## {g.Key} ({g.Count()})", "" }.Concat(g.Select(o => $"- {o.File}{(o.Detail.Length > 0 ? $": {o.Detail}" : "")}")).Append("")));
        File.WriteAllLines(Path.Combine(folder, $"roundtrip-{what}.md"), lines);
    }
}

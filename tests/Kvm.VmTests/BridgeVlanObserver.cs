using System.Text.Json;
using Kvm.Lab;

namespace Kvm.VmTests;

/// <summary>
/// `bridge -j vlan show` as the independent observer of VLAN tables, read into one line per vid
/// range so scenarios can compare tables exactly.
/// </summary>
public static class BridgeVlanObserver
{
    public sealed record Row(int Vid, bool Pvid, bool Untagged)
    {
        public override string ToString() => $"{Vid}{(Pvid ? " PVID" : "")}{(Untagged ? " untagged" : "")}";
    }

    /// <summary>The table of one device, one row per vid (ranges expanded), in vid order.</summary>
    public static IReadOnlyList<Row> Table(LabNamespace ns, string dev)
    {
        var r = ns.Exec("bridge", "-j", "vlan", "show", "dev", dev);
        if (r.ExitCode != 0) throw new ScenarioFailure($"bridge vlan show dev {dev} failed: {r.StdErr}");
        var rows = new List<Row>();
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(r.StdOut) ? "[]" : r.StdOut);
        foreach (var port in doc.RootElement.EnumerateArray())
        {
            if (port.GetProperty("ifname").GetString() != dev) continue;
            foreach (var v in port.GetProperty("vlans").EnumerateArray())
            {
                var from = v.GetProperty("vlan").GetInt32();
                var to = v.TryGetProperty("vlanEnd", out var end) ? end.GetInt32() : from;
                var flags = v.TryGetProperty("flags", out var f) ? f.EnumerateArray().Select(x => x.GetString()).ToList() : [];
                for (var vid = from; vid <= to; vid++)
                    rows.Add(new Row(vid, flags.Contains("PVID"), flags.Contains("Egress Untagged")));
            }
        }
        return [.. rows.OrderBy(x => x.Vid)];
    }

    /// <summary>A compact rendering for messages: "1 PVID untagged, 20-22, ...".</summary>
    public static string Describe(IEnumerable<Row> rows) => string.Join(", ", rows);

    public static IEnumerable<Row> Range(int from, int to, bool pvid = false, bool untagged = false) =>
        Enumerable.Range(from, to - from + 1).Select(v => new Row(v, pvid, untagged));
}

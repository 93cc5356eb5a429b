using System.Text;
using System.Text.Json;

namespace Kvm.Lab;

/// <summary>
/// Everything a user could see of a lab host, taken with the independent observers (<c>ip -j -d
/// link</c>, <c>bridge -j vlan</c>, virsh) so two snapshots show whether something changed it:
/// one entry per link, the VLAN tables, and per libvirt domain and network its live and inactive
/// XML and its state, persistence and autostart. The kernel's running timers (<c>*_timer</c>
/// fields of bridges and ports) are left out: they count down by themselves.
/// </summary>
public sealed record HostSnapshot(IReadOnlyDictionary<string, string> Entries)
{
    public static HostSnapshot Take(LabNamespace ns, PrivateLibvirtd? libvirt = null)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var link in ns.Links().EnumerateArray())
            entries[$"ip link {link.GetProperty("ifname").GetString()}"] = WithoutTimers(link);
        entries["bridge vlan"] = ns.Exec("bridge", "-j", "vlan", "show").EnsureSuccess("bridge -j vlan show").StdOut;
        if (libvirt is not null)
        {
            foreach (var dom in Names(libvirt.Virsh("list", "--all", "--name")))
            {
                entries[$"domain {dom} xml"] = libvirt.Virsh("dumpxml", dom);
                entries[$"domain {dom} inactive xml"] = libvirt.Virsh("dumpxml", "--inactive", dom);
                // dominfo without the CPU time a running guest keeps adding to
                entries[$"domain {dom} info"] = string.Join("\n", libvirt.Virsh("dominfo", dom).Split('\n').Where(l => !l.StartsWith("CPU time", StringComparison.Ordinal)));
            }
            foreach (var net in Names(libvirt.Virsh("net-list", "--all", "--name")))
            {
                entries[$"network {net} xml"] = libvirt.Virsh("net-dumpxml", net);
                entries[$"network {net} inactive xml"] = libvirt.Virsh("net-dumpxml", "--inactive", net);
                entries[$"network {net} info"] = libvirt.Virsh("net-info", net);
            }
        }
        return new HostSnapshot(entries);
    }

    /// <summary>What differs from <paramref name="later"/>, one line per entry; empty when nothing does.</summary>
    public string Differences(HostSnapshot later)
    {
        var sb = new StringBuilder();
        foreach (var key in Entries.Keys.Union(later.Entries.Keys).Order(StringComparer.Ordinal))
        {
            Entries.TryGetValue(key, out var before);
            later.Entries.TryGetValue(key, out var after);
            if (before == after) continue;
            sb.Append(key).Append(": ").Append(before is null ? "appeared" : after is null ? "disappeared" : "changed")
                .Append("\n  before: ").Append(before?.Trim()).Append("\n  after:  ").Append(after?.Trim()).Append('\n');
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Names(string list) =>
        list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The link's JSON without fields whose name ends in <c>_timer</c>, at any depth.</summary>
    private static string WithoutTimers(JsonElement link)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
            Write(w, link);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject().Where(p => !p.Name.EndsWith("_timer", StringComparison.Ordinal)))
                {
                    w.WritePropertyName(p.Name);
                    Write(w, p.Value);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) Write(w, item);
                w.WriteEndArray();
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }
}

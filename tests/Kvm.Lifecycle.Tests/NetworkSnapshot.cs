using System.Text.Json.Nodes;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// `ip -d -j link`, `ip -j addr`, `ip -j route` and `bridge -j vlan` output made comparable across a reboot: one line
/// per object, sorted. Left out: what a re-created link cannot keep (its ifindex, and its IPv6 link-local address, which
/// the kernel derives from the random MAC a bridge has before its first port joins: never managed, new at every boot),
/// and what moves by itself (timers, counters).
/// </summary>
internal static class NetworkSnapshot
{
    public static string Lines(string json) => string.Join("\n", JsonNode.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json)!.AsArray()
        .Select(n => Clean(n)!.ToJsonString()).Order(StringComparer.Ordinal));

    private static JsonNode? Clean(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(p => p.Key).ToList())
            {
                if (key is "ifindex" or "stats" or "stats64" or "link_index" || key.EndsWith("_timer", StringComparison.Ordinal)) o.Remove(key);
                else Clean(o[key]);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a.Where(i => i is JsonObject o && (string?)o["scope"] == "link" && o["local"] is not null).ToList()) a.Remove(item);
            foreach (var item in a) Clean(item);
        }
        return node;
    }
}

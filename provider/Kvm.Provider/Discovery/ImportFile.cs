using System.Text;
using System.Text.Json;

namespace Kvm.Provider.Discovery;

/// <summary>Pulumi's bulk import file: `pulumi import --file host.json`.</summary>
internal static class ImportFile
{
    public static string Render(DiscoveryResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("resources");
            foreach (var r in result.Resources)
            {
                w.WriteStartObject();
                w.WriteString("type", r.Token);
                w.WriteString("name", r.LogicalName);
                w.WriteString("id", r.Id);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

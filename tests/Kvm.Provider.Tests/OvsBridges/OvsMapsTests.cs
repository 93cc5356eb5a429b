using System.Text.Json;
using Kvm.Provider.Discovery;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Values;
using Kvm.SdkGen.Schema;

namespace Kvm.Provider.Tests.OvsBridges;

/// <summary>otherConfig and externalIds as string maps: what the schema says and what discover writes.</summary>
public class OvsMapsTests
{
    [Fact]
    public void The_schema_says_maps_of_strings_and_has_no_entry_type()
    {
        using var doc = JsonDocument.Parse(Program.SchemaText());
        var resource = doc.RootElement.GetProperty("resources").GetProperty(OvsBridgeResource.TypeToken);
        foreach (var side in new[] { "inputProperties", "properties" })
        {
            foreach (var name in new[] { "otherConfig", "externalIds" })
            {
                var p = resource.GetProperty(side).GetProperty(name);
                Assert.Equal("object", p.GetProperty("type").GetString());
                Assert.Equal("string", p.GetProperty("additionalProperties").GetProperty("type").GetString());
            }
        }
        Assert.False(doc.RootElement.GetProperty("types").TryGetProperty("kvm:index:OvsConfigEntry", out _));
    }

    [Fact]
    public void Discover_writes_the_maps_as_index_initializers_in_key_order()
    {
        var inputs = (ObjectValue)Writer.Write(OvsFixtures.Args("""
            {"name": "ovsbr0", "otherConfig": {"stp-priority": "100", "mac-aging-time": "60"}, "externalIds": {"say \"hi\"": "a\\b"}}
            """), inputsOnly: true);
        var found = new Found(OvsBridgeResource.TypeToken, "ovsbr0", "ovsbr0", inputs, inputs) { LogicalName = "ovsbr0" };
        var program = new CSharpProgram(SchemaLoader.Load(Program.SchemaText())).Render(new DiscoveryResult([found], []));
        Assert.Contains("        OtherConfig = { [\"mac-aging-time\"] = \"60\", [\"stp-priority\"] = \"100\" },\n", program);
        Assert.Contains("        ExternalIds = { [\"say \\\"hi\\\"\"] = \"a\\\\b\" },\n", program);
    }
}

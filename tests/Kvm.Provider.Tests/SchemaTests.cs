using System.Text.Json;


namespace Kvm.Provider.Tests;

public class SchemaTests
{
    [Fact]
    public void Committed_schema_json_is_what_the_code_derives()
    {
        var committed = File.ReadAllText(Path.Combine(RepoRoot(), "schema.json"));
        Assert.True(committed == Program.SchemaText(),
            "schema.json is stale: run `make schema` (bin/pulumi-resource-kvm schema > schema.json) and commit it");
    }

    [Fact]
    public void Every_resource_input_output_and_type_has_a_description()
    {
        using var doc = JsonDocument.Parse(Program.SchemaText());
        var missing = new List<string>();
        void CheckProps(string owner, JsonElement props)
        {
            foreach (var p in props.EnumerateObject())
                if (!p.Value.TryGetProperty("description", out var d) || d.GetString() is not { Length: > 0 }) missing.Add($"{owner}.{p.Name}");
        }
        var root = doc.RootElement;
        foreach (var r in root.GetProperty("resources").EnumerateObject())
        {
            if (r.Value.GetProperty("description").GetString() is not { Length: > 0 }) missing.Add(r.Name);
            CheckProps(r.Name, r.Value.GetProperty("properties"));
            CheckProps(r.Name, r.Value.GetProperty("inputProperties"));
        }
        foreach (var t in root.GetProperty("types").EnumerateObject())
        {
            if (t.Value.GetProperty("description").GetString() is not { Length: > 0 }) missing.Add(t.Name);
            CheckProps(t.Name, t.Value.GetProperty("properties"));
        }
        CheckProps("config", root.GetProperty("config").GetProperty("variables"));
        Assert.Empty(missing);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KvmProvider.sln"))) return dir.FullName;
        throw new InvalidOperationException("no repository root");
    }
}

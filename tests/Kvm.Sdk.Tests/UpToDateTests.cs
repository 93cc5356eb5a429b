using Kvm.SdkGen;

namespace Kvm.Sdk.Tests;

/// <summary>The committed generated files are exactly what the generator makes from the committed schemas.</summary>
public class UpToDateTests
{
    [Fact]
    public void Committed_sdk_and_docs_match_a_fresh_generation_from_schema_json()
    {
        var generated = Generator.Run(File.ReadAllText(RepoPaths.At("schema.json")));
        var diffs = OutputTree.Diff(RepoPaths.At("sdk", "dotnet"), generated.Sdk, OutputTree.SdkOwns).Select(d => $"{d.Kind}: sdk/dotnet/{d.Path}")
            .Concat(OutputTree.Diff(RepoPaths.At("docs"), generated.Docs, DocsGenerator.Owns).Select(d => $"{d.Kind}: docs/{d.Path}"))
            .ToList();
        Assert.True(diffs.Count == 0,
            "sdk/dotnet or docs/ is stale against schema.json; run `make sdk` (or `dotnet run --project sdk/Kvm.SdkGen -- schema.json sdk/dotnet docs`) and commit:\n  "
            + string.Join("\n  ", diffs));
    }

    [Fact]
    public void Committed_sample_golden_files_match_a_fresh_generation_from_the_sample_schema()
    {
        var generated = Generator.Run(File.ReadAllText(Sample.SchemaPath));
        var diffs = OutputTree.Diff(Sample.SdkDir, generated.Sdk, OutputTree.SdkOwns).Select(d => $"{d.Kind}: sample-sdk/{d.Path}")
            .Concat(OutputTree.Diff(Sample.DocsDir, generated.Docs, DocsGenerator.Owns).Select(d => $"{d.Kind}: sample-docs/{d.Path}"))
            .ToList();
        Assert.True(diffs.Count == 0,
            "the sample golden files are stale; review the change, then run `make sdk-sample-golden` and commit:\n  " + string.Join("\n  ", diffs));
    }
}

internal static class Sample
{
    public static string SchemaPath => RepoPaths.At("tests", "Kvm.Sdk.Tests", "testdata", "sample-schema.json");
    public static string SdkDir => RepoPaths.At("tests", "Kvm.Sdk.Tests", "testdata", "sample-sdk");
    public static string DocsDir => RepoPaths.At("tests", "Kvm.Sdk.Tests", "testdata", "sample-docs");

    private static readonly Lazy<Generated> Lazy = new(() => Generator.Run(File.ReadAllText(SchemaPath)));

    public static Generated Generated => Lazy.Value;

    public static string Text(string path) => System.Text.Encoding.UTF8.GetString(Generated.Sdk[path]);

    public static string Doc(string path) => System.Text.Encoding.UTF8.GetString(Generated.Docs[path]);
}

using System.Text;
using Kvm.SdkGen;
using Microsoft.CodeAnalysis;

namespace Kvm.Sdk.Tests;

/// <summary>
/// The generated code compiles against the Pulumi reference assembly with C# 10 (the default of
/// the generated csproj's net6.0 target), nullable analysis and XML doc checks, with no warning;
/// and so do the C# examples of the generated docs.
/// </summary>
public class CompileTests
{
    [Fact]
    public void Sample_sdk_compiles_without_warnings()
    {
        var result = Roslyn.CompileSdk("Pulumi.Sample", Sample.Generated.Sdk);
        Assert.True(result.Problems.IsEmpty, result.Report());
    }

    [Fact]
    public void Sdk_from_schema_json_compiles_without_warnings()
    {
        var result = Roslyn.CompileSdk("Pulumi.Kvm", Generator.Run(File.ReadAllText(RepoPaths.At("schema.json"))).Sdk);
        Assert.True(result.Problems.IsEmpty, result.Report());
    }

    private static readonly Lazy<(Generated, Roslyn.Result)> SampleSdk = new(() => (Sample.Generated, Roslyn.CompileSdk("Pulumi.Sample", Sample.Generated.Sdk)));
    private static readonly Lazy<(Generated, Roslyn.Result)> KvmSdk = new(() =>
    {
        var generated = Generator.Run(File.ReadAllText(RepoPaths.At("schema.json")));
        return (generated, Roslyn.CompileSdk("Pulumi.Kvm", generated.Sdk));
    });

    public static TheoryData<string, string> DocPages()
    {
        var data = new TheoryData<string, string>();
        foreach (var page in Sample.Generated.Docs.Keys.Where(HasExample)) data.Add("sample", page);
        foreach (var page in Generator.Run(File.ReadAllText(RepoPaths.At("schema.json"))).Docs.Keys.Where(HasExample)) data.Add("schema.json", page);
        return data;
    }

    private static bool HasExample(string page) => page != DocsGenerator.IndexPage;

    [Theory]
    [MemberData(nameof(DocPages))]
    public void Csharp_examples_in_the_docs_compile_against_the_generated_sdk(string schema, string page)
    {
        var (generated, sdk) = schema == "sample" ? SampleSdk.Value : KvmSdk.Value;
        Assert.True(sdk.Image is not null, sdk.Report());
        // The generated examples are whole programs; code blocks quoted from descriptions are not checked.
        var blocks = Roslyn.CSharpBlocks(Encoding.UTF8.GetString(generated.Docs[page])).Where(b => b.Contains("Deployment.RunAsync(", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(blocks);
        foreach (var (block, i) in blocks.Select((b, i) => (b, i)))
        {
            var result = Roslyn.Compile($"Example{i}", [($"{page}#{i}", block)],
                [Roslyn.PulumiReference, MetadataReference.CreateFromImage(sdk.Image!)], OutputKind.ConsoleApplication,
                Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
            Assert.True(result.Problems.IsEmpty, $"{page} example {i}:\n{result.Report()}\n{block}");
        }
    }
}

using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kvm.Sdk.Tests;

/// <summary>In-memory C# compilation against the Pulumi reference assemblies and the framework.</summary>
internal static class Roslyn
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> Framework = new(() =>
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return [.. tpa.Where(p => Path.GetDirectoryName(p) == frameworkDir).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    public static MetadataReference PulumiReference { get; } =
        MetadataReference.CreateFromFile(RepoPaths.ReferenceAssembly("Pulumi"));

    /// <summary>Diagnostics the generated csproj silences (NoWarn 1701;1702;1591).</summary>
    private static readonly HashSet<string> Silenced = ["CS1701", "CS1702", "CS1591"];

    public sealed record Result(ImmutableArray<Diagnostic> Problems, byte[]? Image)
    {
        public string Report() => string.Join("\n", Problems.Select(d => d.ToString()));
    }

    /// <summary>
    /// Compiles <paramref name="sources"/> (path, text) with C# <paramref name="languageVersion"/>,
    /// nullable on and XML doc comments checked; returns every warning and error.
    /// </summary>
    public static Result Compile(string assemblyName, IEnumerable<(string Path, string Text)> sources, IEnumerable<MetadataReference> references,
        OutputKind kind = OutputKind.DynamicallyLinkedLibrary, LanguageVersion languageVersion = LanguageVersion.CSharp10,
        IEnumerable<(string Name, byte[] Bytes)>? resources = null)
    {
        var parse = new CSharpParseOptions(languageVersion, DocumentationMode.Diagnose);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path, Encoding.UTF8)).ToList();
        var options = new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable,
            specificDiagnosticOptions: Silenced.ToDictionary(id => id, _ => ReportDiagnostic.Suppress));
        var compilation = CSharpCompilation.Create(assemblyName, trees, Framework.Value.Concat(references), options);
        using var pe = new MemoryStream();
        using var xml = new MemoryStream();
        var manifest = resources?.Select(r => new ResourceDescription(r.Name, () => new MemoryStream(r.Bytes), isPublic: true)).ToList();
        var emit = compilation.Emit(pe, xmlDocumentationStream: xml, manifestResources: manifest);
        var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        return new Result(problems, emit.Success ? pe.ToArray() : null);
    }

    /// <summary>Compiles a generated SDK (every .cs file of <paramref name="files"/>) the way its csproj would.</summary>
    public static Result CompileSdk(string assemblyName, IReadOnlyDictionary<string, byte[]> files) =>
        Compile(assemblyName,
            files.Where(f => f.Key.EndsWith(".cs", StringComparison.Ordinal)).Select(f => (f.Key, Encoding.UTF8.GetString(f.Value))),
            [PulumiReference],
            resources: files.Where(f => f.Key is "version.txt" or "pulumi-plugin.json").Select(f => ($"{assemblyName}.{f.Key}", f.Value)));

    /// <summary>The fenced ```csharp blocks of a Markdown page.</summary>
    public static List<string> CSharpBlocks(string markdown)
    {
        var blocks = new List<string>();
        StringBuilder? current = null;
        foreach (var line in markdown.Split('\n'))
        {
            if (current is null && line == "```csharp") current = new StringBuilder();
            else if (current is not null && line == "```")
            {
                blocks.Add(current.ToString());
                current = null;
            }
            else current?.Append(line).Append('\n');
        }
        return blocks;
    }
}

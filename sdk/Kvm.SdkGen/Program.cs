using Kvm.SdkGen;
using Kvm.SdkGen.Schema;

// Kvm.SdkGen <schema.json> <sdk-dir> <docs-dir> [--check]
//   Generates the C# SDK (Pulumi.Kvm) into <sdk-dir> and the resource docs into <docs-dir>.
//   --check writes nothing and exits 1 when either directory differs from a fresh generation.
var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var check = args.Contains("--check");
if (positional.Count != 3 || args.Any(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--check"))
{
    Console.Error.WriteLine("usage: Kvm.SdkGen <schema.json> <sdk-dir> <docs-dir> [--check]");
    return 2;
}

var (schemaPath, sdkDir, docsDir) = (positional[0], positional[1], positional[2]);
Generated generated;
try
{
    generated = Generator.Run(File.ReadAllText(schemaPath));
}
catch (SchemaException e)
{
    Console.Error.WriteLine($"{schemaPath}: {e.Message}");
    return 1;
}

if (check)
{
    var diffs = OutputTree.Diff(sdkDir, generated.Sdk, OutputTree.SdkOwns).Select(d => (sdkDir, d))
        .Concat(OutputTree.Diff(docsDir, generated.Docs, DocsGenerator.Owns).Select(d => (docsDir, d))).ToList();
    foreach (var (dir, d) in diffs) Console.Error.WriteLine($"{d.Kind.ToString().ToLowerInvariant()}: {Path.Combine(dir, d.Path)}");
    if (diffs.Count > 0)
    {
        Console.Error.WriteLine($"{diffs.Count} generated file(s) are stale: run `make sdk` and commit the result");
        return 1;
    }
    Console.WriteLine($"{sdkDir} and {docsDir} are up to date with {schemaPath}");
    return 0;
}

var changed = OutputTree.Write(sdkDir, generated.Sdk, OutputTree.SdkOwns).Select(p => Path.Combine(sdkDir, p))
    .Concat(OutputTree.Write(docsDir, generated.Docs, DocsGenerator.Owns).Select(p => Path.Combine(docsDir, p))).ToList();
foreach (var c in changed) Console.WriteLine($"wrote {c}");
Console.WriteLine($"{generated.Sdk.Count} SDK files, {generated.Docs.Count} doc pages; {changed.Count} changed");
return 0;

using Kvm.SdkGen.Schema;

namespace Kvm.SdkGen;

/// <summary>Both outputs of one generation: SDK files and doc pages, by relative path.</summary>
public sealed record Generated(SortedDictionary<string, byte[]> Sdk, SortedDictionary<string, byte[]> Docs);

public static class Generator
{
    /// <summary>Loads <paramref name="schemaJson"/> and generates the SDK and the docs from it.</summary>
    public static Generated Run(string schemaJson)
    {
        var pkg = SchemaLoader.Load(schemaJson);
        var sdk = new CSharpGenerator(pkg);
        return new Generated(sdk.Generate(), new DocsGenerator(pkg, sdk).Generate());
    }
}

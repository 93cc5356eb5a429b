using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kvm.Provider.Generators;

/// <summary>
/// Finds every record with a property marked [Input] or [Output] (Kvm.Provider.Schema) and writes
/// its other half: the schema shape (properties, their types and rules, typed accessors and a
/// constructor from bound values), property path constants, and for a State record deriving from
/// its Args record the projection of inputs into a state. See <see cref="RecordWriter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ShapeGenerator : IIncrementalGenerator
{
    internal const string Schema = "Kvm.Provider.Schema";
    internal const string InputAttribute = Schema + ".InputAttribute";
    internal const string OutputAttribute = Schema + ".OutputAttribute";
    internal const string SchemaTypeAttribute = Schema + ".SchemaTypeAttribute";
    internal const string NetlinkAttribute = Schema + ".NetlinkAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<GeneratedRecord> RecordsMarkedBy(string attribute) =>
            context.SyntaxProvider.ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is PropertyDeclarationSyntax,
                static (ctx, ct) => RecordWriter.Write(ctx.TargetSymbol.ContainingType, ct));

        // A record is found once per marked property: keep one of each.
        var records = RecordsMarkedBy(InputAttribute).Collect()
            .Combine(RecordsMarkedBy(OutputAttribute).Collect())
            .SelectMany(static (pair, _) => pair.Left.Concat(pair.Right)
                .GroupBy(r => r.HintName)
                .Select(g => g.First())
                .ToImmutableArray());

        context.RegisterSourceOutput(records, static (spc, record) =>
        {
            foreach (var problem in record.Problems)
                spc.ReportDiagnostic(Diagnostic.Create(problem.Descriptor, problem.Location, problem.Message));
            if (record.Source is { } source) spc.AddSource(record.HintName, source);
        });
    }
}

using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Kvm.Provider.Generators;

/// <summary>A reason the generator cannot write a record's other half; reported as a compile error.</summary>
internal sealed class Problem(DiagnosticDescriptor descriptor, Location? location, string message) : IEquatable<Problem>
{
    public DiagnosticDescriptor Descriptor { get; } = descriptor;
    public Location? Location { get; } = location;
    public string Message { get; } = message;

    public bool Equals(Problem? other) => other is not null && Descriptor.Id == other.Descriptor.Id && Message == other.Message && Equals(Location, other.Location);
    public override bool Equals(object? obj) => Equals(obj as Problem);
    public override int GetHashCode() => Message.GetHashCode();

    public static readonly DiagnosticDescriptor NotPartial = new(
        "KVMG001", "Schema record must be partial", "{0}", "Kvm.Provider.Generators", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedType = new(
        "KVMG002", "Schema property type not supported", "{0}", "Kvm.Provider.Generators", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedRecord = new(
        "KVMG003", "Schema record shape not supported", "{0}", "Kvm.Provider.Generators", DiagnosticSeverity.Error, isEnabledByDefault: true);
}

/// <summary>What the generator writes for one record: a file, or the problems that stop it. Compared by value, so unchanged records cost nothing.</summary>
internal sealed class GeneratedRecord(string hintName, string? source, ImmutableArray<Problem> problems) : IEquatable<GeneratedRecord>
{
    public string HintName { get; } = hintName;
    public string? Source { get; } = source;
    public ImmutableArray<Problem> Problems { get; } = problems;

    public bool Equals(GeneratedRecord? other) =>
        other is not null && HintName == other.HintName && Source == other.Source && Problems.SequenceEqual(other.Problems);

    public override bool Equals(object? obj) => Equals(obj as GeneratedRecord);
    public override int GetHashCode() => HintName.GetHashCode();
}

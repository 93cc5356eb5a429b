namespace Kvm.Bench;

/// <summary>One resource of a `discover --format import` file: what `pulumi import TYPE NAME ID` takes.</summary>
public sealed record ImportEntry(string Type, string Name, string Id);

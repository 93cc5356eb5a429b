namespace Kvm.Provider.Values;

/// <summary>Why an input is refused, and where: the property path the user wrote.</summary>
internal sealed record CheckFailure(string Property, string Reason)
{
    public override string ToString() => Property.Length == 0 ? Reason : $"{Property}: {Reason}";
}

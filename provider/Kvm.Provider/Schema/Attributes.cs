namespace Kvm.Provider.Schema;

/// <summary>
/// Marks a property of an Args/State record as a resource input (and so also an output). Everything
/// the schema, the binder and the diff need to know about it is said here, once.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class InputAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    public bool Required { get; init; }
    public bool ReplaceOnChanges { get; init; }
    public bool Secret { get; init; }
    /// <summary>Inclusive bounds for integer and number inputs.</summary>
    public double Min { get; init; } = double.NaN;
    public double Max { get; init; } = double.NaN;
    /// <summary>Longest accepted string (0: the binder's default); for arrays, most items accepted.</summary>
    public int MaxLength { get; init; }
    /// <summary>The only accepted values of a string input.</summary>
    public string[]? OneOf { get; init; }
    /// <summary>The default Check fills in when the input is absent (bool, int, double or string).</summary>
    public object? Default { get; init; }
    /// <summary>For arrays: order does not matter, so the diff matches items by value.</summary>
    public bool Unordered { get; init; }
}

/// <summary>Marks a property of a State record that only the host can tell (an output, never an input).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OutputAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    /// <summary>Always present once the resource exists.</summary>
    public bool Required { get; init; }
    public bool Secret { get; init; }
}

/// <summary>Names an object type of the schema (<c>kvm:index:VlanEntry</c>) and describes it.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SchemaTypeAttribute(string token, string description) : Attribute
{
    public string Token { get; } = token;
    public string Description { get; } = description;
}

/// <summary>
/// The rtnetlink attribute that carries a boolean property of a bridge: a u8 IFLA_BR_* on/off setting
/// (Kvm.Netlink.BridgeSwitch). The Bridge writes it when the program sets it and reads it back, with
/// no code of its own.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NetlinkAttribute(ushort type) : Attribute
{
    public ushort Type { get; } = type;
}

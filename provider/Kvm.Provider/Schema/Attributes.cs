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
    /// <summary>Longest accepted string (0: the binder's default); for arrays and maps, most items (entries) accepted.</summary>
    public int MaxLength { get; init; }
    /// <summary>The only accepted values of a string input.</summary>
    public string[]? OneOf { get; init; }
    /// <summary>The default Check fills in when the input is absent (bool, int, double or string).</summary>
    public object? Default { get; init; }
    /// <summary>For arrays: order does not matter, so the diff matches items by value.</summary>
    public bool Unordered { get; init; }
    /// <summary>
    /// For arrays of objects: the item field (its schema name) that names an item. Order does not matter: the diff
    /// matches items by it and reports a matched item's changes field by field (<c>ports[2].tag</c>).
    /// </summary>
    public string? Key { get; init; }
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
/// The rtnetlink attribute that carries a property: a u8 IFLA_BR_* on/off setting of a bridge
/// (Kvm.Netlink.BridgeSwitch), or a u8/u16/u32 IFLA_BRPORT_* setting of a bridge port
/// (Kvm.Netlink.BridgePortAttribute). The resource writes it when the program sets it and reads it
/// back, with no code of its own.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NetlinkAttribute(ushort type) : Attribute
{
    public ushort Type { get; } = type;

    /// <summary>The attribute's size on the wire in bytes (1, 2 or 4); booleans are u8.</summary>
    public int Size { get; init; } = 1;

    /// <summary>
    /// The values the kernel gives the setting by itself (a new port's), which import leaves out so that
    /// it declares only what someone changed. Several when the kernel derives it (a port's cost from the link speed).
    /// </summary>
    public long[]? KernelDefaults { get; init; }
}

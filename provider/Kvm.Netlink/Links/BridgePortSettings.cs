using System.Collections.Immutable;

namespace Kvm.Netlink;

/// <summary>
/// Settings of one bridge port carried as fixed-size IFLA_BRPORT_* attributes (u8, u16 or u32), by
/// attribute number: read, every such attribute the kernel reports in IFLA_INFO_SLAVE_DATA;
/// written, the ones to set. A setting of this kind needs no code of its own here, only its number
/// (<see cref="BridgePortAttribute"/>) and its size.
/// </summary>
public sealed class BridgePortSettings : IEquatable<BridgePortSettings>
{
    private readonly ImmutableSortedDictionary<ushort, (uint Value, byte Size)> _values;

    private BridgePortSettings(ImmutableSortedDictionary<ushort, (uint Value, byte Size)> values) => _values = values;

    public static BridgePortSettings None { get; } = new(ImmutableSortedDictionary<ushort, (uint, byte)>.Empty);

    public bool IsEmpty => _values.IsEmpty;

    /// <summary>The value of attribute <paramref name="type"/>, or null when it is not there.</summary>
    public uint? this[ushort type] => _values.TryGetValue(type, out var v) ? v.Value : null;

    /// <param name="size">The attribute's size in bytes on the wire: 1, 2 or 4 (the kernel's policy for it).</param>
    public BridgePortSettings With(ushort type, uint value, int size)
    {
        if (size is not (1 or 2 or 4)) throw new ArgumentOutOfRangeException(nameof(size), size, "an IFLA_BRPORT_* setting is a u8, u16 or u32");
        if (size < 4 && value >> (8 * size) != 0) throw new ArgumentOutOfRangeException(nameof(value), value, $"does not fit in {size} byte(s)");
        return new(_values.SetItem(type, (value, (byte)size)));
    }

    /// <summary>The settings in attribute-number order, with their sizes.</summary>
    public IEnumerable<(ushort Type, uint Value, int Size)> All => _values.Select(v => (v.Key, v.Value.Value, (int)v.Value.Size));

    public bool Equals(BridgePortSettings? other) => other is not null && _values.SequenceEqual(other._values);
    public override bool Equals(object? obj) => Equals(obj as BridgePortSettings);
    public override int GetHashCode() => _values.Count;
    public override string ToString() => string.Join(", ", _values.Select(v => $"{v.Key}={v.Value.Value}"));
}

/// <summary>Numbers of the IFLA_BRPORT_* attributes the provider names (include/uapi/linux/if_link.h), with their sizes.</summary>
public static class BridgePortAttribute
{
    /// <summary>IFLA_BRPORT_PRIORITY, u16: the port's STP priority; the kernel accepts 0-63 (BR_MAX_PORT_PRIORITY), default 32.</summary>
    public const ushort Priority = 2;

    /// <summary>IFLA_BRPORT_COST, u32: the port's STP path cost; the kernel accepts 1-65535 and derives the default from the link speed.</summary>
    public const ushort Cost = 3;

    /// <summary>IFLA_BRPORT_MODE, u8: hairpin (reflective relay), frames may leave by the port they came in on.</summary>
    public const ushort Hairpin = 4;

    /// <summary>IFLA_BRPORT_LEARNING, u8: source MACs seen on the port are learnt into the FDB (default on).</summary>
    public const ushort Learning = 8;

    /// <summary>IFLA_BRPORT_UNICAST_FLOOD, u8: unicast to unknown MACs is flooded to the port (default on).</summary>
    public const ushort UnicastFlood = 9;

    /// <summary>IFLA_BRPORT_MCAST_FLOOD, u8: unknown multicast is flooded to the port (default on).</summary>
    public const ushort MulticastFlood = 27;

    /// <summary>IFLA_BRPORT_ISOLATED, u8: the port forwards only to ports that are not isolated (default off).</summary>
    public const ushort Isolated = 33;
}

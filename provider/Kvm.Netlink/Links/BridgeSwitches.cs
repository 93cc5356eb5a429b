using System.Collections.Immutable;

namespace Kvm.Netlink;

/// <summary>
/// On/off bridge settings carried as u8 IFLA_BR_* attributes, by attribute number: read, every one
/// the kernel reports; written, the ones to set. A setting of this kind needs no code of its own
/// here, only its number (<see cref="BridgeSwitch"/>).
/// </summary>
public sealed class BridgeSwitches : IEquatable<BridgeSwitches>
{
    private readonly ImmutableSortedDictionary<ushort, bool> _values;

    private BridgeSwitches(ImmutableSortedDictionary<ushort, bool> values) => _values = values;

    public static BridgeSwitches None { get; } = new(ImmutableSortedDictionary<ushort, bool>.Empty);

    public bool IsEmpty => _values.IsEmpty;

    /// <summary>The setting of attribute <paramref name="type"/>, or null when it is not there.</summary>
    public bool? this[ushort type] => _values.TryGetValue(type, out var on) ? on : null;

    public BridgeSwitches With(ushort type, bool on) => new(_values.SetItem(type, on));

    /// <summary>The settings in attribute-number order.</summary>
    public IEnumerable<KeyValuePair<ushort, bool>> All => _values;

    public bool Equals(BridgeSwitches? other) => other is not null && _values.SequenceEqual(other._values);
    public override bool Equals(object? obj) => Equals(obj as BridgeSwitches);
    public override int GetHashCode() => _values.Count;
    public override string ToString() => string.Join(", ", _values.Select(v => $"{v.Key}={(v.Value ? 1 : 0)}"));
}

/// <summary>Numbers of the u8 on/off IFLA_BR_* attributes the provider names (include/uapi/linux/if_link.h).</summary>
public static class BridgeSwitch
{
    /// <summary>IFLA_BR_NF_CALL_IPTABLES: bridged IPv4 traffic passes the host's iptables (with br_netfilter loaded).</summary>
    public const ushort NfCallIptables = 36;

    /// <summary>IFLA_BR_NF_CALL_IP6TABLES: the same for IPv6 and ip6tables.</summary>
    public const ushort NfCallIp6tables = 37;

    /// <summary>IFLA_BR_NF_CALL_ARPTABLES: the same for ARP and arptables.</summary>
    public const ushort NfCallArptables = 38;
}

using Kvm.Netlink;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// A port's options declared with [Netlink] (<see cref="BridgePortOptionsArgs"/>): IFLA_BRPORT_* settings
/// written, read back and imported by attribute number and size. Such an option needs its declaration and nothing else.
/// </summary>
internal static class NetlinkPortOptions
{
    private static readonly ObjectShape Shape = ObjectShape.Of<BridgePortOptionsArgs>();
    private static readonly PropertyShape[] Options = [.. Shape.Inputs.Where(p => p.Netlink is not null)];

    /// <summary>What to write to a port: the options the entry sets, where the kernel holds something else.</summary>
    public static BridgePortSettings Wanted(BridgePortOptionsArgs entry, Link port)
    {
        var wanted = BridgePortSettings.None;
        foreach (var p in Options)
        {
            var field = p.Netlink!;
            if (ToWire(p.Get(entry)) is { } value && port.PortSettings[field.Type] != value) wanted = wanted.With(field.Type, value, field.Size);
        }
        return wanted;
    }

    /// <summary>The declared entries as the kernel reports those ports, in the program's order (so the diff lines up item by item); an entry whose port is not on the bridge keeps only its name.</summary>
    public static BridgePortOptionsArgs[] Observed(IEnumerable<BridgePortOptionsArgs> declared, IReadOnlyList<Link> ports) =>
        [.. declared.Select(d => ports.FirstOrDefault(l => l.Name == d.Port) is { } port
            ? Construct(port.Name, p => FromWire(p, port.PortSettings[p.Netlink!.Type]))
            : Construct(d.Port, _ => null))];

    /// <summary>For import: each port with options that differ from what the kernel gives a new port, only those options; null when there are none, so a default bridge imports short.</summary>
    public static BridgePortOptionsArgs[]? Changed(IEnumerable<Link> ports)
    {
        var changed = new List<BridgePortOptionsArgs>();
        foreach (var port in ports.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            var any = false;
            var entry = Construct(port.Name, p =>
            {
                if (port.PortSettings[p.Netlink!.Type] is not { } value || IsKernelDefault(p.Netlink, port, value)) return null;
                any = true;
                return FromWire(p, value);
            });
            if (any) changed.Add(entry);
        }
        return changed.Count == 0 ? null : [.. changed];
    }

    /// <summary>What a new port of this kind holds by itself: a declared value, or (the cost) the one its speed gives.</summary>
    private static bool IsKernelDefault(NetlinkField field, Link port, uint value) =>
        field.IsKernelDefault(value) || (field.Type == BridgePortAttribute.Cost && PortCost.KernelDefault(port) == value);

    private static BridgePortOptionsArgs Construct(string? port, Func<PropertyShape, object?> option) =>
        (BridgePortOptionsArgs)Shape.Construct([.. Shape.Properties.Select(p =>
            p.Netlink is not null ? option(p) : p.Name == BridgePortOptionsArgs.Paths.Port ? port : null)]);

    private static uint? ToWire(object? value) => value switch
    {
        bool b => b ? 1u : 0u,
        int i => (uint)i,
        _ => null,
    };

    private static object? FromWire(PropertyShape p, uint? value) => value is not { } v ? null : p.Type switch
    {
        ScalarShape { Kind: ScalarKind.Boolean } => v != 0,
        ScalarShape { Kind: ScalarKind.Integer } => (int)v,
        _ => throw new InvalidOperationException($"[Netlink] on {p.Name}: only bool and int port options are read from the kernel"),
    };
}

/// <summary>
/// The STP path cost the kernel gives a port by itself: port_cost() in net/bridge/br_if.c maps the link speed
/// ethtool reports (10 Mb/s: 100, 100 Mb/s: 19, 1 Gb/s: 4, 10 Gb/s: 2, faster: 1 on newer kernels) and falls back to
/// 100 when the driver reports none (after a "lec" name heuristic: 7). Netlink carries IFLA_BRPORT_COST but not the
/// speed, nor whether the cost was set by hand (BR_ADMIN_COST), so the default is known only where the link's kind
/// fixes the speed: a veth always reports 10 Gb/s, a tap 10 Mb/s, a dummy nothing. For anything else (a physical
/// NIC, a bond, a VLAN) the honest answer is "unknown": its cost is imported as the kernel holds it, because leaving
/// out a value a user set (4 on a 10 Gb/s NIC, say) would lose it, while declaring the kernel's own value only pins it.
/// </summary>
internal static class PortCost
{
    public static uint? KernelDefault(Link port) => port.Kind switch
    {
        LinkKinds.Veth => 2,            // veth_get_link_ksettings: SPEED_10000
        "tun" => 100,                   // tun's default link settings: SPEED_10
        "dummy" => port.Name.StartsWith("lec", StringComparison.Ordinal) ? 7u : 100u, // no ethtool link settings
        _ => null,
    };
}

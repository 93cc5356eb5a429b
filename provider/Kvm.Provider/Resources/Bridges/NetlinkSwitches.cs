using Kvm.Netlink;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// The Bridge's inputs declared with [Netlink]: on/off settings the kernel carries as u8 IFLA_BR_*
/// attributes, written and read back by number. Such an input needs its declaration and nothing else.
/// </summary>
internal static class NetlinkSwitches
{
    private static readonly PropertyShape[] Inputs = [.. ObjectShape.Of<BridgeArgs>().Inputs.Where(p => p.Netlink is not null)];

    /// <summary>What to write: the settings the program makes, where the kernel holds something else (for a new bridge, all of them).</summary>
    public static BridgeSwitches Wanted(BridgeArgs args, Link? observed)
    {
        var wanted = BridgeSwitches.None;
        foreach (var p in Inputs)
        {
            var type = p.Netlink!.Type;
            if (p.Get(args) is bool on && observed?.BridgeSwitches[type] != on) wanted = wanted.With(type, on);
        }
        return wanted;
    }

    /// <summary><paramref name="state"/> with those settings as the kernel reports them.</summary>
    public static BridgeState Observed(BridgeState state, Link link)
    {
        if (Inputs.Length == 0) return state;
        var shape = ObjectShape.Of<BridgeState>();
        var values = shape.Properties.Select(p => p.Netlink is { } field ? link.BridgeSwitches[field.Type] : p.Get(state)).ToArray();
        return (BridgeState)shape.Construct(values);
    }
}

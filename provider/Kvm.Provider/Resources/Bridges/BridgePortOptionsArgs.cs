using Kvm.Netlink;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// The settings of one port of a Bridge. Every option is an IFLA_BRPORT_* attribute declared with [Netlink]:
/// <see cref="NetlinkPortOptions"/> writes, reads and imports them by that declaration alone.
/// </summary>
[SchemaType("kvm:index:BridgePortOptions", "Settings of one port of the bridge (`ip link set PORT type bridge_slave ...`). Each option left unset is not managed: the kernel keeps its value and it is never drift. The kernel resets them when a port leaves and joins a bridge; the provider writes them again after it enslaves the port.")]
internal sealed partial record BridgePortOptionsArgs
{
    [Input("port", "The port these settings are for: one of the bridge's `ports`.", Required = true, MaxLength = 15)]
    public string? Port { get; init; }

    [Input("hairpin", "Hairpin mode (reflective relay): frames may leave by the port they came in on, as a VEPA-style switch behind the port needs. Kernel default: off.")]
    [Netlink(BridgePortAttribute.Hairpin, KernelDefaults = [0])]
    public bool? Hairpin { get; init; }

    [Input("isolated", "An isolated port forwards only to ports that are not isolated (guests on isolated ports reach the uplink, not each other). Kernel default: off.")]
    [Netlink(BridgePortAttribute.Isolated, KernelDefaults = [0])]
    public bool? Isolated { get; init; }

    [Input("learning", "Whether the bridge learns source MAC addresses seen on this port. Kernel default: on.")]
    [Netlink(BridgePortAttribute.Learning, KernelDefaults = [1])]
    public bool? Learning { get; init; }

    [Input("unicastFlood", "Whether unicast to unknown MAC addresses is flooded to this port. Kernel default: on.")]
    [Netlink(BridgePortAttribute.UnicastFlood, KernelDefaults = [1])]
    public bool? UnicastFlood { get; init; }

    [Input("multicastFlood", "Whether unknown multicast is flooded to this port. Kernel default: on.")]
    [Netlink(BridgePortAttribute.MulticastFlood, KernelDefaults = [1])]
    public bool? MulticastFlood { get; init; }

    // The kernel derives a port's cost from its link speed (port_cost() in net/bridge/br_if.c), which netlink does not
    // report: import leaves a cost out only where the port's kind tells the speed (PortCost.KernelDefault).
    [Input("cost", "The STP path cost of this port (1-65535). Kernel default: derived from the link speed (100 at 10 Mb/s, 19 at 100 Mb/s, 4 at 1 Gb/s, 2 at 10 Gb/s, 100 unknown). Import leaves it out only when it is what the kernel gives such a port (2 for a veth, 100 for a tap or dummy); a physical NIC's cost is imported as it is, since its speed is not known from netlink.", Min = 1, Max = 65535)]
    [Netlink(BridgePortAttribute.Cost, Size = 4)]
    public int? Cost { get; init; }

    [Input("priority", "The STP priority of this port (0-63). Kernel default: 32.", Min = 0, Max = 63)]
    [Netlink(BridgePortAttribute.Priority, Size = 2, KernelDefaults = [32])]
    public int? Priority { get; init; }
}

using System.Collections.Immutable;
using Kvm.Ovsdb;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>
/// The Bridge, Port and Interface tables as one select each (one transaction: a consistent view),
/// with the columns the resource reads. Everything else derives from it without the host.
/// </summary>
internal sealed record OvsSnapshot(ImmutableArray<OvsdbRow> Bridges, ImmutableDictionary<Guid, OvsdbRow> Ports, ImmutableDictionary<Guid, OvsdbRow> Interfaces)
{
    public const string Database = "Open_vSwitch";

    /// <summary>The Bridge columns the resource manages; a change guard waits on exactly these, as read.</summary>
    public static readonly ImmutableArray<string> BridgeColumns = ["name", "datapath_type", "fail_mode", "stp_enable", "rstp_enable", "other_config", "external_ids", "ports"];

    public static readonly ImmutableArray<string> PortColumns = ["name", "interfaces", "vlan_mode", "tag", "trunks", "bond_mode", "lacp"];

    public static readonly ImmutableArray<string> InterfaceColumns = ["name", "type", "options", "mtu_request", "mac", "external_ids"];

    /// <summary>The three selects; <see cref="Of"/> reads their results.</summary>
    public static IReadOnlyList<Operation> Selects =>
    [
        new Select("Bridge", [], [.. BridgeColumns, "_uuid"]),
        new Select("Port", [], [.. PortColumns, "_uuid"]),
        new Select("Interface", [], [.. InterfaceColumns, "_uuid"]),
    ];

    public static OvsSnapshot Of(ImmutableArray<OperationResult> results) => new(
        results[0].Rows ?? [],
        (results[1].Rows ?? []).ToImmutableDictionary(r => r.Uuid),
        (results[2].Rows ?? []).ToImmutableDictionary(r => r.Uuid));

    public static async Task<OvsSnapshot> ReadAsync(IOvsdbClient ovsdb, CancellationToken ct) =>
        Of(await ovsdb.TransactAsync(Database, Selects, ct).ConfigureAwait(false));

    public OvsdbRow? Bridge(string name) => Bridges.FirstOrDefault(b => b.String("name") == name);

    public IEnumerable<OvsdbRow> PortsOf(OvsdbRow bridge) => bridge.Uuids("ports").Select(u => Ports.GetValueOrDefault(u)).OfType<OvsdbRow>();

    public IEnumerable<OvsdbRow> InterfacesOf(OvsdbRow port) => port.Uuids("interfaces").Select(u => Interfaces.GetValueOrDefault(u)).OfType<OvsdbRow>();

    /// <summary>The bridge a port (by name) is on, if any.</summary>
    public string? BridgeOfPort(string portName)
    {
        foreach (var b in Bridges)
        {
            if (PortsOf(b).Any(p => p.String("name") == portName)) return b.String("name");
        }
        return null;
    }

    /// <summary>A port of one internal interface: a link of the host that Open vSwitch makes (named like the port).</summary>
    public bool IsInternal(OvsdbRow port) => InterfacesOf(port).ToList() is [var only] && only.String("type") == "internal";

    /// <summary>The port holding an interface (by name), if any: a bond member is an interface of a port of another name.</summary>
    public OvsdbRow? PortOfInterface(string interfaceName) =>
        Ports.Values.FirstOrDefault(p => InterfacesOf(p).Any(i => i.String("name") == interfaceName));

    /// <summary>
    /// A guest's port: libvirt marks the interface it adds for a domain's NIC (vnetN) with the domain's uuid
    /// (vm-id), the NIC's MAC (attached-mac) and its interface id (iface-id) in external_ids.
    /// </summary>
    public bool IsGuestPort(OvsdbRow port) =>
        InterfacesOf(port).Any(i => i.Map("external_ids") is var ids && (ids.ContainsKey("vm-id") || ids.ContainsKey("attached-mac") || ids.ContainsKey("iface-id")));
}

using System.Collections.Immutable;
using Kvm.Ovsdb;
using Kvm.Provider.Resources.Bridges;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>Rows of the Open_vSwitch database as the resource's records, and back. Pure.</summary>
internal static class OvsBridgeMapping
{
    /// <summary>
    /// The bridge as read: every managed column, ports in the order <paramref name="form"/> lists them (then by
    /// name), guests' ports apart, and the internal port's side in the kernel (<paramref name="hostSide"/>, null when
    /// ovs-vswitchd has not made the link). With <paramref name="importing"/>, settings at Open vSwitch's defaults are
    /// left out of the inputs (a new bridge would have them anyway), so imported programs stay short.
    /// </summary>
    /// <param name="portSides">The kernel's side of internal ports, by name (those read: declared or imported).</param>
    public static (OvsBridgeState State, OvsBridgeArgs Inputs) Observe(OvsSnapshot snapshot, OvsdbRow bridge, OvsHostSide? hostSide, OvsBridgeArgs? form, bool importing,
        IReadOnlyDictionary<string, OvsHostSide>? portSides = null)
    {
        if (!importing) return Read(snapshot, bridge, hostSide, form, importing: false, portSides);
        // The state of an import is what a refresh of the imported program reads back (every column, the sides of the
        // ports the imported inputs declare one for), so the first refresh after an import has nothing to report.
        var imported = Read(snapshot, bridge, hostSide, form, importing: true, portSides).Inputs;
        var declared = portSides?.Where(s => imported.Ports?.Any(p => p.Name == s.Key && OvsInternalPort.Declares(p)) == true)
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        return (Read(snapshot, bridge, hostSide, imported, importing: false, declared).State, imported);
    }

    private static (OvsBridgeState State, OvsBridgeArgs Inputs) Read(OvsSnapshot snapshot, OvsdbRow bridge, OvsHostSide? hostSide, OvsBridgeArgs? form, bool importing,
        IReadOnlyDictionary<string, OvsHostSide>? portSides)
    {
        var name = bridge.String("name")!;
        var own = snapshot.PortsOf(bridge).FirstOrDefault(p => p.String("name") == name);
        var ownInterface = own is null ? null : snapshot.InterfacesOf(own).FirstOrDefault(i => i.String("name") == name);
        var all = snapshot.PortsOf(bridge).Where(p => p.String("name") != name).ToList();
        var guests = all.Where(snapshot.IsGuestPort).Select(p => p.String("name")!).Order(StringComparer.Ordinal).ToArray();
        var declaredOrder = (form?.Ports ?? []).Select(p => p?.Name).ToList();
        var ports = all.Where(p => !snapshot.IsGuestPort(p))
            .Select(p => PortOf(snapshot, p, form?.Ports?.FirstOrDefault(d => d?.Name == p.String("name")), portSides?.GetValueOrDefault(p.String("name")!), importing))
            .OrderBy(p => declaredOrder.IndexOf(p.Name) is var i and >= 0 ? i : int.MaxValue)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToArray();

        var host = HostInputs(hostSide, form, importing);
        var datapath = bridge.String("datapath_type") is { Length: > 0 } dp ? dp : importing ? null : "system";
        var inputs = new OvsBridgeArgs
        {
            Name = name,
            DatapathType = datapath,
            FailMode = bridge.String("fail_mode"),
            StpEnable = bridge.Boolean("stp_enable") is var stp && importing && stp != true ? null : stp,
            RstpEnable = bridge.Boolean("rstp_enable") is var rstp && importing && rstp != true ? null : rstp,
            Mtu = ownInterface?.Integer("mtu_request") is { } mtu ? (int)mtu : null,
            OtherConfig = Entries(bridge.Map("other_config"), importing),
            ExternalIds = Entries(bridge.Map("external_ids"), importing),
            Ports = importing && ports.Length == 0 ? null : ports,
            Addresses = host.Addresses,
            Gateway = host.Gateway,
            Gateway6 = host.Gateway6,
            Routes = host.Routes,
            Up = host.Up,
            TakeOverManagedLinks = form?.TakeOverManagedLinks,
            ForceDestroy = form?.ForceDestroy ?? false,
        };
        var state = OvsBridgeState.FromInputs(inputs) with
        {
            Uuid = bridge.Uuid.ToString("D"),
            GuestPorts = guests,
            Addresses = hostSide?.Layer3.Addresses,
            Routes = hostSide?.Layer3.Routes,
            Up = hostSide?.Up,
        };
        return (state, inputs);
    }

    /// <summary>
    /// A link's side as inputs. An empty list declares "exactly none", so it reads back so only when the program declares
    /// the list (as a Bridge's); Open vSwitch makes its internal ports down, so an import records `up` only for an up one.
    /// </summary>
    private static (string[]? Addresses, string? Gateway, string? Gateway6, BridgeRouteArgs[]? Routes, bool? Up) HostInputs(OvsHostSide? side, IHostAddressing? form, bool importing)
    {
        if (side is null) return default;
        var l3 = side.Layer3;
        var addresses = l3.Addresses is { Length: 0 } && form?.Addresses is null ? null : l3.Addresses;
        var routes = l3.Routes is { Length: 0 } && form?.Routes is null ? null : l3.Routes;
        var declaresLayer3 = addresses is not null || l3.Gateway is not null || l3.Gateway6 is not null || routes is not null;
        // Declared layer 3 brings the port up (up unset), so an import records only an up port without any: the
        // program that declares the addresses as they are then has no change.
        return (addresses, l3.Gateway, l3.Gateway6, routes, !importing || (side.Up && !declaresLayer3) ? side.Up : null);
    }

    /// <summary>A string map column, keys in ordinal order (as the program's map binds), so a re-read compares equal.</summary>
    private static ImmutableSortedDictionary<string, string>? Entries(IReadOnlyDictionary<string, string> map, bool importing) =>
        importing && map.Count == 0 ? null : map.ToImmutableSortedDictionary(StringComparer.Ordinal);

    /// <summary>
    /// A Port row as the program writes it: one interface is the port itself (with its type), several a bond; an
    /// internal port with the kernel's side of its link (<paramref name="side"/>) when that was read.
    /// </summary>
    public static OvsPortArgs PortOf(OvsSnapshot snapshot, OvsdbRow port, OvsPortArgs? declared, OvsHostSide? side = null, bool importing = false)
    {
        var interfaces = snapshot.InterfacesOf(port).ToList();
        var single = interfaces.Count == 1 ? interfaces[0] : null;
        var type = single?.String("type") is { Length: > 0 } t ? t : null;
        var memberOrder = (declared?.Bond?.Members ?? []).ToList();
        var host = type == "internal" ? HostInputs(side, declared, importing) : default;
        return new OvsPortArgs
        {
            Addresses = host.Addresses,
            Gateway = host.Gateway,
            Gateway6 = host.Gateway6,
            Routes = host.Routes,
            Up = host.Up,
            Name = port.String("name"),
            Type = type,
            Peer = type == "patch" && single!.Map("options").TryGetValue("peer", out var peer) ? peer : null,
            MacAddress = type == "internal" && single!.String("mac") is { Length: > 0 } mac ? mac.ToLowerInvariant() : null,
            VlanMode = port.String("vlan_mode"),
            Tag = port.Integer("tag") is { } tag ? (int)tag : null,
            Trunks = port.Integers("trunks") is { Count: > 0 } trunks ? [.. trunks.Select(v => (int)v).Order()] : declared?.Trunks is { Length: 0 } ? [] : null,
            Bond = interfaces.Count > 1
                ? new OvsBondArgs
                {
                    Members = [.. interfaces.Select(i => i.String("name")!)
                        .OrderBy(m => memberOrder.IndexOf(m) is var i and >= 0 ? i : int.MaxValue).ThenBy(m => m, StringComparer.Ordinal)],
                    BondMode = port.String("bond_mode"),
                    Lacp = port.String("lacp"),
                }
                : null,
        };
    }

    /// <summary>What an interface of <paramref name="port"/> is to be: its type and options.</summary>
    public static (string Type, IReadOnlyList<KeyValuePair<string, string>> Options) InterfaceKind(OvsPortArgs port) => port.Type switch
    {
        "internal" => ("internal", []),
        "patch" => ("patch", [new("peer", port.Peer ?? "")]),
        _ => ("", []),
    };

    /// <summary>The interface names of a port: its bond's members, else the port's own name.</summary>
    public static IReadOnlyList<string> InterfaceNames(OvsPortArgs port) => port.Bond?.Members is { Length: > 0 } members ? [.. members.OfType<string>()] : [port.Name!];

    /// <summary>
    /// Two ports the same, field by field (the records hold arrays, which compare by reference); <paramref name="b"/> is
    /// the declared or new side, whose unset MAC is not managed.
    /// </summary>
    public static bool Equivalent(OvsPortArgs a, OvsPortArgs b) =>
        a.Name == b.Name && a.Type == b.Type && a.Peer == b.Peer && a.VlanMode == b.VlanMode && a.Tag == b.Tag
        && (b.MacAddress is null || string.Equals(a.MacAddress, b.MacAddress, StringComparison.OrdinalIgnoreCase))
        && (a.Trunks ?? []).SequenceEqual(b.Trunks ?? [])
        && (a.Bond is null) == (b.Bond is null)
        && (a.Bond is null || (a.Bond.BondMode == b.Bond!.BondMode && a.Bond.Lacp == b.Bond.Lacp && (a.Bond.Members ?? []).SequenceEqual(b.Bond.Members ?? [])));
}

using System.Collections.Immutable;
using Kvm.Ovsdb;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>
/// The one transaction each change is: the operations, guarded by waits on what was read, so that an
/// edit made by someone else in between aborts it whole ("timed out" on the wait) instead of being
/// overwritten. Pure: unit-tested on snapshots.
/// </summary>
internal static class OvsTransactions
{
    private const string BridgeRef = "bridge";
    private const string OwnInterfaceRef = "iface_self";
    private const string OwnPortRef = "port_self";

    private static ImmutableDictionary<string, OvsdbValue> Row() => ImmutableDictionary<string, OvsdbValue>.Empty.WithComparers(StringComparer.Ordinal);

    private static Condition ByUuid(Guid uuid) => Condition.Uuid(uuid);

    private static Condition ByName(string name) => Condition.Equal("name", OvsdbValue.Of(name));

    /// <summary>A new bridge, its own internal port and its ports; fails if a bridge of that name appeared meanwhile.</summary>
    public static IReadOnlyList<Operation> Create(OvsBridgeArgs a)
    {
        var name = a.Name!;
        var ops = new List<Operation>
        {
            new Wait("Bridge", [ByName(name)], ["name"], "==", []),
            new Insert("Interface", OwnInterface(name, a.Mtu), OwnInterfaceRef),
            new Insert("Port", Row().Add("name", OvsdbValue.Of(name)).Add("interfaces", new NamedUuidAtom(OwnInterfaceRef)), OwnPortRef),
        };
        var portRefs = new List<OvsdbAtom> { new NamedUuidAtom(OwnPortRef) };
        var ports = a.Ports ?? [];
        for (var i = 0; i < ports.Length; i++) portRefs.Add(InsertPort(ops, ports[i], $"port{i}", existing: null));
        ops.Add(new Insert("Bridge", BridgeSettings(a).Add("name", OvsdbValue.Of(name)).Add("ports", OvsdbValue.Set(portRefs)), BridgeRef));
        ops.Add(new Mutate("Open_vSwitch", [], [Mutation.Insert("bridges", new NamedUuidAtom(BridgeRef))]));
        ops.Add(new Comment($"pulumi-resource-kvm: create OvsBridge {name}"));
        return ops;
    }

    /// <summary>
    /// The change from what <paramref name="snapshot"/> holds to <paramref name="a"/>: the bridge's declared settings,
    /// the internal port's MTU, and, when ports are declared, exactly those ports (guests' ports untouched). Empty when
    /// nothing differs. Guarded by waits on the bridge's row and on every port row it changes, as read.
    /// </summary>
    public static IReadOnlyList<Operation> Update(OvsBridgeArgs a, OvsSnapshot snapshot, OvsdbRow bridge)
    {
        var name = a.Name!;
        var changes = new List<Operation>();
        var guards = new List<Operation> { Guard("Bridge", bridge, OvsSnapshot.BridgeColumns) };

        var settings = BridgeSettings(a).Where(c => !Same(bridge[c.Key], c.Value)).ToImmutableDictionary(StringComparer.Ordinal);
        if (!settings.IsEmpty) changes.Add(new Update("Bridge", [ByUuid(bridge.Uuid)], settings));

        var own = snapshot.PortsOf(bridge).FirstOrDefault(p => p.String("name") == name);
        var ownInterface = own is null ? null : snapshot.InterfacesOf(own).FirstOrDefault(i => i.String("name") == name);
        if (a.Mtu is { } mtu && ownInterface is not null && ownInterface.Integer("mtu_request") != mtu)
            changes.Add(new Update("Interface", [ByUuid(ownInterface.Uuid)], Row().Add("mtu_request", OvsdbValue.Of(mtu))));

        if (a.Ports is { } ports)
        {
            var managed = snapshot.PortsOf(bridge).Where(p => p.String("name") != name && !snapshot.IsGuestPort(p)).ToDictionary(p => p.String("name")!, StringComparer.Ordinal);
            var wanted = ports.Select(p => p.Name!).ToHashSet(StringComparer.Ordinal);
            var removed = managed.Values.Where(p => !wanted.Contains(p.String("name")!)).Select(p => (OvsdbAtom)new UuidAtom(p.Uuid)).ToList();
            var added = new List<OvsdbAtom>();
            for (var i = 0; i < ports.Length; i++)
            {
                var port = ports[i];
                if (!managed.TryGetValue(port.Name!, out var row))
                {
                    added.Add(InsertPort(changes, port, $"port{i}", existing: null));
                    continue;
                }
                if (OvsBridgeMapping.Equivalent(OvsBridgeMapping.PortOf(snapshot, row, port), Canonical(port))) continue;
                guards.Add(Guard("Port", row, OvsSnapshot.PortColumns));
                InsertPort(changes, port, $"port{i}", existing: (row, snapshot.InterfacesOf(row).ToList()));
            }
            // Removing the reference is enough: Port and Interface are not root tables, so the rows no bridge
            // references any more are deleted with the commit (RFC 7047 section 3.2, "isRoot").
            if (removed.Count > 0) changes.Add(new Mutate("Bridge", [ByUuid(bridge.Uuid)], [Mutation.Delete("ports", OvsdbValue.Set(removed))]));
            if (added.Count > 0) changes.Add(new Mutate("Bridge", [ByUuid(bridge.Uuid)], [Mutation.Insert("ports", OvsdbValue.Set(added))]));
        }
        if (changes.Count == 0) return [];
        return [.. guards, .. changes, new Comment($"pulumi-resource-kvm: update OvsBridge {name}")];
    }

    /// <summary>
    /// The rollback of an <see cref="Update"/>: the bridge back to <paramref name="was"/> (its row before the change, in
    /// <paramref name="before"/>). Ports as <see cref="Update"/> writes <paramref name="previous"/> (the inputs read from
    /// that row); the settings columns and the internal port's mtu_request as read, the empty ones too: an unset input is
    /// not managed, so <see cref="Update"/> alone would leave a column the change filled (fail_mode: secure) as it is.
    /// Empty when nothing differs.
    /// </summary>
    public static IReadOnlyList<Operation> Revert(OvsBridgeArgs previous, OvsSnapshot before, OvsdbRow was, OvsSnapshot snapshot, OvsdbRow bridge)
    {
        var name = previous.Name!;
        var ops = Update(previous with { DatapathType = null, FailMode = null, StpEnable = null, RstpEnable = null, OtherConfig = null, ExternalIds = null, Mtu = null },
            snapshot, bridge).ToList();
        var changes = new List<Operation>();
        var settings = SettingColumns.Where(c => was[c] is { } old && !Same(bridge[c], old)).ToImmutableDictionary(c => c, c => was[c]!, StringComparer.Ordinal);
        if (!settings.IsEmpty) changes.Add(new Update("Bridge", [ByUuid(bridge.Uuid)], settings));
        if (OwnInterface(before, was, name) is { } oldOwn && oldOwn["mtu_request"] is { } oldMtu
            && OwnInterface(snapshot, bridge, name) is { } own && !Same(own["mtu_request"], oldMtu))
            changes.Add(new Update("Interface", [ByUuid(own.Uuid)], Row().Add("mtu_request", oldMtu)));
        if (changes.Count == 0) return ops;
        if (ops.Count == 0) return [Guard("Bridge", bridge, OvsSnapshot.BridgeColumns), .. changes, new Comment($"pulumi-resource-kvm: roll back OvsBridge {name}")];
        ops.InsertRange(ops.FindIndex(o => o is Comment), changes);
        return ops;
    }

    /// <summary>The Bridge columns an OvsBridge's settings are written to (<see cref="BridgeSettings"/>).</summary>
    private static readonly ImmutableArray<string> SettingColumns = ["datapath_type", "fail_mode", "stp_enable", "rstp_enable", "other_config", "external_ids"];

    private static OvsdbRow? OwnInterface(OvsSnapshot snapshot, OvsdbRow bridge, string name) =>
        snapshot.PortsOf(bridge).FirstOrDefault(p => p.String("name") == name) is { } own
            ? snapshot.InterfacesOf(own).FirstOrDefault(i => i.String("name") == name)
            : null;

    /// <summary>The bridge off the root table (its ports and interfaces go with it), if its ports are still those read.</summary>
    public static IReadOnlyList<Operation> Delete(OvsdbRow bridge) =>
    [
        Guard("Bridge", bridge, ["ports"]),
        new Mutate("Open_vSwitch", [], [Mutation.Delete("bridges", new UuidAtom(bridge.Uuid))]),
        new Comment($"pulumi-resource-kvm: delete OvsBridge {bridge.String("name")}"),
    ];

    /// <summary>A port as it reads back once written: what <see cref="OvsBridgeMapping.PortOf"/> returns for it.</summary>
    public static OvsPortArgs Canonical(OvsPortArgs p) => p with
    {
        Peer = p.Type == "patch" ? p.Peer : null,
        Trunks = p.Trunks is { } t ? [.. t.Distinct().Order()] : null,
        Bond = p.Bond is { } b ? b with { Members = [.. b.Members ?? []] } : null,
        MacAddress = p.Type == "internal" ? p.MacAddress?.ToLowerInvariant() : null,
    };

    /// <summary>A wait that the row still holds, in <paramref name="columns"/>, what was read.</summary>
    private static Wait Guard(string table, OvsdbRow row, ImmutableArray<string> columns) =>
        new(table, [ByUuid(row.Uuid)], columns, "==",
            [columns.Where(c => row[c] is not null).ToImmutableDictionary(c => c, c => row[c]!, StringComparer.Ordinal)]);

    private static ImmutableDictionary<string, OvsdbValue> OwnInterface(string name, int? mtu)
    {
        var row = Row().Add("name", OvsdbValue.Of(name)).Add("type", OvsdbValue.Of("internal"));
        return mtu is { } m ? row.Add("mtu_request", OvsdbValue.Of(m)) : row;
    }

    /// <summary>The declared bridge settings (unset ones are not managed, so not written).</summary>
    private static ImmutableDictionary<string, OvsdbValue> BridgeSettings(OvsBridgeArgs a)
    {
        var row = Row();
        if (a.DatapathType is { } dp) row = row.Add("datapath_type", OvsdbValue.Of(dp));
        if (a.FailMode is { } fm) row = row.Add("fail_mode", OvsdbValue.Of(fm));
        if (a.StpEnable is { } stp) row = row.Add("stp_enable", OvsdbValue.Of(stp));
        if (a.RstpEnable is { } rstp) row = row.Add("rstp_enable", OvsdbValue.Of(rstp));
        if (a.OtherConfig is { } oc) row = row.Add("other_config", Map(oc));
        if (a.ExternalIds is { } ids) row = row.Add("external_ids", Map(ids));
        return row;
    }

    private static OvsdbMap Map(ImmutableSortedDictionary<string, string> entries) => OvsdbValue.Map(entries);

    /// <summary>The VLAN and bond columns of a port, every one written (unset: the empty set, Open vSwitch's default).</summary>
    private static ImmutableDictionary<string, OvsdbValue> PortSettings(OvsPortArgs p) => Row()
        .Add("vlan_mode", Optional(p.VlanMode))
        .Add("tag", p.Tag is { } tag ? OvsdbValue.Of(tag) : OvsdbSet.Empty)
        .Add("trunks", OvsdbValue.Set((p.Trunks ?? []).Distinct().Order().Select(v => (OvsdbAtom)new IntegerAtom(v))))
        .Add("bond_mode", Optional(p.Bond?.BondMode))
        .Add("lacp", Optional(p.Bond?.Lacp));

    private static OvsdbValue Optional(string? s) => s is null ? OvsdbSet.Empty : OvsdbValue.Of(s);

    /// <summary>
    /// Writes a port: a new one (inserted, its reference returned for the bridge's ports), or an existing
    /// <paramref name="existing"/> row updated in place, keeping the interfaces it already has by name.
    /// </summary>
    private static OvsdbAtom InsertPort(List<Operation> ops, OvsPortArgs port, string reference, (OvsdbRow Row, List<OvsdbRow> Interfaces)? existing)
    {
        var (type, options) = OvsBridgeMapping.InterfaceKind(port);
        var interfaces = new List<OvsdbAtom>();
        var names = OvsBridgeMapping.InterfaceNames(port);
        for (var j = 0; j < names.Count; j++)
        {
            var kind = Row().Add("type", OvsdbValue.Of(type)).Add("options", OvsdbValue.Map(options));
            // An internal port's MAC, when declared: without it Open vSwitch makes a random one each time it makes the port.
            if (type == "internal" && port.MacAddress is { } mac) kind = kind.Add("mac", OvsdbValue.Of(mac));
            if (existing?.Interfaces.FirstOrDefault(i => i.String("name") == names[j]) is { } current)
            {
                if (current.String("type") != type || !Same(current["options"], kind["options"]) || (kind.TryGetValue("mac", out var m) && !Same(current["mac"], m)))
                    ops.Add(new Update("Interface", [ByUuid(current.Uuid)], kind));
                interfaces.Add(new UuidAtom(current.Uuid));
                continue;
            }
            var ifaceRef = $"{reference}_iface{j}";
            ops.Add(new Insert("Interface", kind.Add("name", OvsdbValue.Of(names[j])), ifaceRef));
            interfaces.Add(new NamedUuidAtom(ifaceRef));
        }
        var settings = PortSettings(port).Add("interfaces", OvsdbValue.Set(interfaces));
        if (existing is { } e)
        {
            ops.Add(new Update("Port", [ByUuid(e.Row.Uuid)], settings));
            return new UuidAtom(e.Row.Uuid);
        }
        ops.Add(new Insert("Port", settings.Add("name", OvsdbValue.Of(port.Name!)), reference));
        return new NamedUuidAtom(reference);
    }

    /// <summary>Whether a column read equals a value to write (sets and maps by content).</summary>
    internal static bool Same(OvsdbValue? read, OvsdbValue wanted) => (read, wanted) switch
    {
        (null, _) => false,
        (OvsdbMap r, OvsdbMap w) => r.AsStrings().Count == w.AsStrings().Count && r.AsStrings().All(kv => w.AsStrings().TryGetValue(kv.Key, out var v) && v == kv.Value),
        (OvsdbMap, _) or (_, OvsdbMap) => false,
        _ => read.Items.ToHashSet().SetEquals(wanted.Items),
    };
}

using System.Collections.Immutable;
using System.Text.Json;
using Kvm.Ovsdb;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.OvsBridges;

/// <summary>
/// The tables of a host with bridge ovsbr0: its own port, an uplink eth1 (trunk 10,20), an access port acc (tag 10),
/// and a guest's vnet0 as libvirt adds it (external_ids as in the captured transcript).
/// </summary>
internal static class OvsFixtures
{
    public const string Bridge = "11111111-0000-0000-0000-000000000001";
    public const string OwnPort = "22222222-0000-0000-0000-000000000000";
    public const string Eth1Port = "22222222-0000-0000-0000-000000000001";
    public const string AccPort = "22222222-0000-0000-0000-000000000002";
    public const string GuestPort = "22222222-0000-0000-0000-000000000003";

    private static OvsdbRow Row(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return OvsdbJson.ReadRow(doc.RootElement);
    }

    public static OvsSnapshot HostTables(string bridgeExtra = "", string accExtra = "\"tag\":10") => new(
        [Row($$"""{"_uuid":["uuid","{{Bridge}}"],"name":"ovsbr0","datapath_type":"netdev","fail_mode":["set",[]],"stp_enable":false,"rstp_enable":false,"other_config":["map",[]],"external_ids":["map",[]],"ports":["set",[["uuid","{{OwnPort}}"],["uuid","{{Eth1Port}}"],["uuid","{{AccPort}}"],["uuid","{{GuestPort}}"]]]{{bridgeExtra}}}""")],
        new[]
        {
            Row($$"""{"_uuid":["uuid","{{OwnPort}}"],"name":"ovsbr0","interfaces":["uuid","33333333-0000-0000-0000-000000000000"],"vlan_mode":["set",[]],"tag":["set",[]],"trunks":["set",[]],"bond_mode":["set",[]],"lacp":["set",[]]}"""),
            Row($$"""{"_uuid":["uuid","{{Eth1Port}}"],"name":"eth1","interfaces":["uuid","33333333-0000-0000-0000-000000000001"],"vlan_mode":"trunk","tag":["set",[]],"trunks":["set",[10,20]],"bond_mode":["set",[]],"lacp":["set",[]]}"""),
            Row($$"""{"_uuid":["uuid","{{AccPort}}"],"name":"acc","interfaces":["uuid","33333333-0000-0000-0000-000000000002"],"vlan_mode":["set",[]],{{accExtra}},"trunks":["set",[]],"bond_mode":["set",[]],"lacp":["set",[]]}"""),
            Row($$"""{"_uuid":["uuid","{{GuestPort}}"],"name":"vnet0","interfaces":["uuid","33333333-0000-0000-0000-000000000003"],"vlan_mode":["set",[]],"tag":42,"trunks":["set",[]],"bond_mode":["set",[]],"lacp":["set",[]]}"""),
        }.ToImmutableDictionary(r => r.Uuid),
        new[]
        {
            Row("""{"_uuid":["uuid","33333333-0000-0000-0000-000000000000"],"name":"ovsbr0","type":"internal","options":["map",[]],"mtu_request":1500,"external_ids":["map",[]]}"""),
            Row("""{"_uuid":["uuid","33333333-0000-0000-0000-000000000001"],"name":"eth1","type":"","options":["map",[]],"mtu_request":["set",[]],"external_ids":["map",[]]}"""),
            Row("""{"_uuid":["uuid","33333333-0000-0000-0000-000000000002"],"name":"acc","type":"internal","options":["map",[]],"mtu_request":["set",[]],"external_ids":["map",[]]}"""),
            Row("""{"_uuid":["uuid","33333333-0000-0000-0000-000000000003"],"name":"vnet0","type":"","options":["map",[]],"mtu_request":["set",[]],"external_ids":["map",[["attached-mac","52:54:00:6d:1e:01"],["iface-id","6f1b6f2a-3c5d-4c1e-9a57-2b9f0e0d6a11"],["iface-status","active"],["vm-id","0b6a2d3e-5f4c-4e7a-9d1b-8c2f3e4a5b6c"]]]}"""),
        }.ToImmutableDictionary(r => r.Uuid));

    /// <summary>What the program for that host declares.</summary>
    public const string Declared = """
        {"name": "ovsbr0", "datapathType": "netdev", "mtu": 1500, "ports": [
          {"name": "eth1", "vlanMode": "trunk", "trunks": [20, 10]},
          {"name": "acc", "type": "internal", "tag": 10}
        ]}
        """;

    public static Bound<OvsBridgeArgs> Bind(string json)
    {
        var bound = PropertyBinder.Bind<OvsBridgeArgs>(NetworkHarness.Obj(json));
        Assert.True(bound.Ok, string.Join("; ", bound.Failures));
        return bound;
    }

    public static OvsBridgeArgs Args(string json) => Bind(json).Value;
}

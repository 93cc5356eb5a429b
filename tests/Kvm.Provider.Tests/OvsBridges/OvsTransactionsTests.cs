using System.Text;
using Kvm.Ovsdb;
using Kvm.Provider.Resources.OvsBridges;
using static Kvm.Provider.Tests.OvsBridges.OvsFixtures;

namespace Kvm.Provider.Tests.OvsBridges;

/// <summary>What each change sends: one transaction, guarded by what was read; guests' ports never in it.</summary>
public class OvsTransactionsTests
{
    private static string Text(IEnumerable<Operation> ops) =>
        Encoding.UTF8.GetString(OvsdbJson.Request("transact", 1, w => OvsdbJson.WriteTransactParams(w, "Open_vSwitch", ops)));

    [Fact]
    public void Create_is_one_transaction_that_fails_if_the_name_was_taken_meanwhile()
    {
        var ops = OvsTransactions.Create(Args("""{"name": "ovsbr1", "datapathType": "netdev", "stpEnable": true, "ports": [{"name": "p1", "type": "internal", "tag": 7}]}"""));
        Assert.Equal(["wait", "insert", "insert", "insert", "insert", "insert", "mutate", "comment"], ops.Select(o => o.Op));
        Assert.Equal(
            """{"method":"transact","params":["Open_vSwitch",""" +
            """{"op":"wait","table":"Bridge","where":[["name","==","ovsbr1"]],"columns":["name"],"until":"==","rows":[],"timeout":0},""" +
            """{"op":"insert","table":"Interface","row":{"name":"ovsbr1","type":"internal"},"uuid-name":"iface_self"},""" +
            """{"op":"insert","table":"Port","row":{"interfaces":["named-uuid","iface_self"],"name":"ovsbr1"},"uuid-name":"port_self"},""" +
            """{"op":"insert","table":"Interface","row":{"name":"p1","options":["map",[]],"type":"internal"},"uuid-name":"port0_iface0"},""" +
            """{"op":"insert","table":"Port","row":{"bond_mode":["set",[]],"interfaces":["set",[["named-uuid","port0_iface0"]]],"lacp":["set",[]],"name":"p1","tag":7,"trunks":["set",[]],"vlan_mode":["set",[]]},"uuid-name":"port0"},""" +
            """{"op":"insert","table":"Bridge","row":{"datapath_type":"netdev","name":"ovsbr1","ports":["set",[["named-uuid","port_self"],["named-uuid","port0"]]],"stp_enable":true},"uuid-name":"bridge"},""" +
            """{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","bridge"]]]},""" +
            """{"op":"comment","comment":"pulumi-resource-kvm: create OvsBridge ovsbr1"}],"id":1}""",
            Text(ops));
    }

    [Fact]
    public void The_program_as_the_host_holds_it_sends_nothing()
    {
        var host = HostTables();
        Assert.Empty(OvsTransactions.Update(Args(Declared), host, host.Bridge("ovsbr0")!));
    }

    [Fact]
    public void A_change_of_ports_leaves_the_guest_s_port_alone_and_is_guarded_by_the_ports_as_read()
    {
        var host = HostTables();
        // acc leaves; eth1 becomes native-untagged on VLAN 10; new joins. vnet0 is in no declaration.
        var ops = OvsTransactions.Update(Args("""
            {"name": "ovsbr0", "ports": [
              {"name": "eth1", "vlanMode": "native-untagged", "tag": 10, "trunks": [10, 20]},
              {"name": "new", "type": "internal", "tag": 30}
            ]}
            """), host, host.Bridge("ovsbr0")!);
        var text = Text(ops);
        Assert.Equal("wait", ops[0].Op);
        var guard = (Wait)ops[0];
        Assert.Equal(("Bridge", "=="), (guard.Table, guard.Until));
        Assert.Equal(4, guard.Rows.Single()["ports"].Items.Length);           // all four ports, the guest's included, as read
        Assert.Contains(ops, o => o is Wait { Table: "Port" } w && w.Where.Single().Value == new UuidAtom(Guid.Parse(Eth1Port)));
        Assert.Contains(ops, o => o is Mutate { Table: "Bridge" } m && m.Mutations.Single() is { Mutator: "delete" } d && d.Value.Items.SequenceEqual([new UuidAtom(Guid.Parse(AccPort))]));
        Assert.Contains(ops, o => o is Mutate { Table: "Bridge" } m && m.Mutations.Single() is { Mutator: "insert" } i && i.Value.Items.Single() is NamedUuidAtom);
        Assert.Contains(ops, o => o is Update { Table: "Port" } u && u.Row["vlan_mode"] == OvsdbValue.Of("native-untagged") && u.Row["tag"] == OvsdbValue.Of(10));
        // Only the guard mentions the guest's port (the bridge's ports as read); nothing writes it.
        Assert.DoesNotContain(GuestPort, Text(ops.Skip(1)));
        Assert.DoesNotContain("vnet0", text);
        Assert.Equal("comment", ops[^1].Op);
    }

    [Fact]
    public void Unset_settings_are_not_written_and_set_ones_are_compared_with_the_host()
    {
        var host = HostTables();
        var ops = OvsTransactions.Update(Args("""{"name": "ovsbr0", "failMode": "secure", "datapathType": "netdev", "otherConfig": {"mac-aging-time": "60"}}"""), host, host.Bridge("ovsbr0")!);
        var update = Assert.Single(ops.OfType<Update>());
        Assert.Equal(["fail_mode", "other_config"], update.Row.Keys.Order(StringComparer.Ordinal));   // datapath_type is already netdev; ports are not managed
        Assert.DoesNotContain(ops, o => o is Mutate);
    }

    [Fact]
    public void A_rollback_puts_settings_back_as_read_the_empty_ones_too()
    {
        // The change set failMode secure and other_config on a bridge that had neither (unset inputs: not managed).
        var before = HostTables();
        var was = before.Bridge("ovsbr0")!;
        var changed = was with { Columns = was.Columns.SetItem("fail_mode", OvsdbValue.Of("secure")).SetItem("other_config", OvsdbValue.Map(new Dictionary<string, string> { ["mac-aging-time"] = "60" })) };
        var now = before with { Bridges = [changed] };
        var previous = Args("""{"name": "ovsbr0"}""");

        var ops = OvsTransactions.Revert(previous, before, was, now, changed);
        Assert.Equal(["wait", "update", "comment"], ops.Select(o => o.Op));
        var update = Assert.Single(ops.OfType<Update>());
        Assert.Equal(["fail_mode", "other_config"], update.Row.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(update.Row["fail_mode"].Items);
        Assert.Empty(Assert.IsType<OvsdbMap>(update.Row["other_config"]).Pairs);
        Assert.Equal(OvsdbValue.Of("secure"), ((Wait)ops[0]).Rows.Single()["fail_mode"]);   // guarded by the row as the change left it

        // Nothing differs: nothing to send.
        Assert.Empty(OvsTransactions.Revert(previous, before, was, before, was));
    }

    [Fact]
    public void Delete_waits_on_the_ports_as_read()
    {
        var host = HostTables();
        var ops = OvsTransactions.Delete(host.Bridge("ovsbr0")!);
        Assert.Equal(["wait", "mutate", "comment"], ops.Select(o => o.Op));
        Assert.Equal(["ports"], ((Wait)ops[0]).Columns.ToArray());
        Assert.Contains($"[\"bridges\",\"delete\",[\"uuid\",\"{Bridge}\"]]", Text(ops));
    }

    [Fact]
    public void An_internal_port_s_declared_mac_is_written_and_an_unset_one_left_to_open_vswitch()
    {
        var created = Text(OvsTransactions.Create(Args("""{"name": "ovsbr1", "ports": [{"name": "m", "type": "internal", "macAddress": "52:54:00:aa:00:01"}]}""")));
        Assert.Contains("""{"op":"insert","table":"Interface","row":{"mac":"52:54:00:aa:00:01","name":"m","options":["map",[]],"type":"internal"}""", created);

        var host = HostTables();
        Assert.Empty(OvsTransactions.Update(Args(Declared), host, host.Bridge("ovsbr0")!));   // acc has no mac declared: nothing to send
        var pinned = Declared.Replace("{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10}", "{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10, \"macAddress\": \"52:54:00:aa:00:02\"}");
        var update = Text(OvsTransactions.Update(Args(pinned), host, host.Bridge("ovsbr0")!));
        Assert.Contains("""{"op":"update","table":"Interface",""", update);
        Assert.Contains("\"mac\":\"52:54:00:aa:00:02\"", update);
    }
}

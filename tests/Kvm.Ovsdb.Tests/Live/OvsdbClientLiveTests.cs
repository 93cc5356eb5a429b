using System.Collections.Immutable;
using Kvm.Lab;

namespace Kvm.Ovsdb.Tests.Live;

/// <summary>The client against a real ovsdb-server of our own (userspace datapath) in a lab namespace.</summary>
[Trait("Category", "Live")]
public sealed class OvsdbClientLiveTests : IDisposable
{
    private readonly OvsSwitch _ovs = OvsSwitch.Start();
    private readonly OvsdbClient _client;

    public OvsdbClientLiveTests() => _client = new OvsdbClient(_ovs.DbSocket);

    public void Dispose()
    {
        _client.Dispose();
        _ovs.Dispose();
    }

    private static ImmutableDictionary<string, OvsdbValue> Row(params (string Column, OvsdbValue Value)[] columns) =>
        columns.ToImmutableDictionary(c => c.Column, c => c.Value);

    /// <summary>A bridge with its own internal port and an access port on VLAN 10, in one transaction.</summary>
    private static Operation[] AddBridge(string name, string port) =>
    [
        new Wait("Bridge", [Condition.Equal("name", OvsdbValue.Of(name))], ["name"], "==", []),
        new Insert("Interface", Row(("name", OvsdbValue.Of(name)), ("type", OvsdbValue.Of("internal"))), "ifself"),
        new Insert("Port", Row(("name", OvsdbValue.Of(name)), ("interfaces", new NamedUuidAtom("ifself"))), "portself"),
        new Insert("Interface", Row(("name", OvsdbValue.Of(port)), ("type", OvsdbValue.Of("internal"))), "if1"),
        new Insert("Port", Row(("name", OvsdbValue.Of(port)), ("interfaces", new NamedUuidAtom("if1")), ("tag", OvsdbValue.Of(10))), "port1"),
        new Insert("Bridge", Row(("name", OvsdbValue.Of(name)), ("datapath_type", OvsdbValue.Of("netdev")),
            ("ports", OvsdbValue.Set([new NamedUuidAtom("portself"), new NamedUuidAtom("port1")]))), "br"),
        new Mutate("Open_vSwitch", [], [Mutation.Insert("bridges", new NamedUuidAtom("br"))]),
        new Comment($"kvm tests: add {name}"),
    ];

    [Fact]
    public async Task One_transaction_makes_a_bridge_that_ovs_vsctl_then_shows()
    {
        var results = await _client.TransactAsync("Open_vSwitch", AddBridge("ovst0", "p10"));
        Assert.NotNull(results[5].Uuid);
        Assert.Equal("10", _ovs.Vsctl("get", "port", "p10", "tag").Trim());
        Assert.Equal("netdev", _ovs.Vsctl("get", "bridge", "ovst0", "datapath_type").Trim());
        Assert.Equal(["ovst0", "p10"], _ovs.Vsctl("list-ports", "ovst0").Split('\n', StringSplitOptions.RemoveEmptyEntries).Prepend("ovst0").Order().Distinct());

        var select = await _client.TransactAsync("Open_vSwitch", [new Select("Port", [Condition.Equal("name", OvsdbValue.Of("p10"))], ImmutableArray.Create("tag", "trunks", "vlan_mode"))]);
        var row = select[0].Rows!.Value.Single();
        Assert.Equal(10, row.Integer("tag"));
        Assert.Empty(row.Integers("trunks"));
    }

    [Fact]
    public async Task A_wait_on_what_was_read_detects_a_change_made_in_between_and_nothing_is_committed()
    {
        await _client.TransactAsync("Open_vSwitch", AddBridge("ovst1", "p11"));
        var read = (await _client.TransactAsync("Open_vSwitch", [new Select("Bridge", [Condition.Equal("name", OvsdbValue.Of("ovst1"))], ImmutableArray.Create("ports"))]))[0].Rows!.Value.Single();

        _ovs.Vsctl("add-port", "ovst1", "p12", "--", "set", "interface", "p12", "type=internal");   // someone else, meanwhile

        var e = await Assert.ThrowsAsync<OvsdbException>(() => _client.TransactAsync("Open_vSwitch",
        [
            new Wait("Bridge", [Condition.Equal("name", OvsdbValue.Of("ovst1"))], ["ports"], "==", [Row(("ports", read["ports"]!))]),
            new Update("Bridge", [Condition.Equal("name", OvsdbValue.Of("ovst1"))], Row(("stp_enable", OvsdbValue.Of(true)))),
        ]));
        Assert.True(e.IsConcurrentChange);
        Assert.Equal("false", _ovs.Vsctl("get", "bridge", "ovst1", "stp_enable").Trim());
    }

    [Fact]
    public async Task Errors_come_back_in_ovsdb_s_own_words()
    {
        await _client.TransactAsync("Open_vSwitch", AddBridge("ovst2", "p13"));
        var range = await Assert.ThrowsAsync<OvsdbException>(() => _client.TransactAsync("Open_vSwitch",
            [new Update("Port", [Condition.Equal("name", OvsdbValue.Of("p13"))], Row(("tag", OvsdbValue.Of(5000))))]));
        Assert.Equal("constraint violation: 5000 is not in the valid range 0 to 4095 (inclusive) (operation 1, update)", range.Message);

        var duplicate = await Assert.ThrowsAsync<OvsdbException>(() => _client.TransactAsync("Open_vSwitch", AddBridge("ovst3", "p13")));
        Assert.Equal("constraint violation", duplicate.Error);
        Assert.StartsWith("Transaction causes multiple rows in \"Interface\" table to have identical values (p13) for index on column \"name\".", duplicate.Details);

        var database = await Assert.ThrowsAsync<OvsdbException>(() => _client.TransactAsync("Nope", [new Comment("")]));
        Assert.Equal("unknown database: transact request specifies unknown database Nope", database.Message);
        Assert.Equal(["Open_vSwitch", "_Server"], await _client.ListDatabasesAsync());   // the connection survived all three
    }

    [Fact]
    public async Task Requests_in_flight_together_each_get_their_own_reply()
    {
        await _client.TransactAsync("Open_vSwitch", AddBridge("ovst4", "p14"));
        var selects = Enumerable.Range(0, 50).Select(i => _client.TransactAsync("Open_vSwitch",
            [new Select("Port", [Condition.Equal("name", OvsdbValue.Of(i % 2 == 0 ? "p14" : "ovst4"))], ImmutableArray.Create("name"))]));
        var results = await Task.WhenAll(selects);
        for (var i = 0; i < results.Length; i++)
            Assert.Equal(i % 2 == 0 ? "p14" : "ovst4", results[i][0].Rows!.Value.Single().String("name"));
    }

    [Fact]
    public async Task A_missing_socket_says_where_it_looked()
    {
        using var nowhere = new OvsdbClient(_ovs.DbSocket + ".missing");
        var e = await Assert.ThrowsAsync<OvsdbConnectionException>(() => nowhere.ListDatabasesAsync());
        Assert.StartsWith($"cannot connect to ovsdb-server at unix:{_ovs.DbSocket}.missing: ", e.Message);
    }
}

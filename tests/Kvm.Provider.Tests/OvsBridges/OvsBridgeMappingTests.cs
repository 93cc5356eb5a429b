using Kvm.Provider.Resources.OvsBridges;
using static Kvm.Provider.Tests.OvsBridges.OvsFixtures;

namespace Kvm.Provider.Tests.OvsBridges;

/// <summary>Rows read back as the program wrote them; guests' ports apart; import leaves defaults out.</summary>
public class OvsBridgeMappingTests
{
    [Fact]
    public void Read_back_in_the_program_s_order_with_the_guest_s_port_apart()
    {
        var host = HostTables();
        var (state, inputs) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, null, Args(Declared), importing: false);
        Assert.Equal(["eth1", "acc"], inputs.Ports!.Select(p => p.Name));
        Assert.Equal([10, 20], inputs.Ports![0].Trunks!);
        Assert.Equal("trunk", inputs.Ports[0].VlanMode);
        Assert.Equal(10, inputs.Ports[1].Tag);
        Assert.Equal("internal", inputs.Ports[1].Type);
        Assert.Equal(1500, inputs.Mtu);
        Assert.Equal(["vnet0"], state.GuestPorts!);
        Assert.Equal(Bridge, state.Uuid);
        Assert.Equal(false, inputs.StpEnable);
    }

    [Fact]
    public void Import_leaves_out_what_a_new_bridge_would_have_anyway()
    {
        var host = HostTables();
        var (_, inputs) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, null, null, importing: true);
        Assert.Null(inputs.StpEnable);
        Assert.Null(inputs.RstpEnable);
        Assert.Null(inputs.FailMode);
        Assert.Null(inputs.OtherConfig);
        Assert.Equal("netdev", inputs.DatapathType);
        Assert.Equal(["acc", "eth1"], inputs.Ports!.Select(p => p.Name));   // by name
    }

    [Fact]
    public void Import_records_up_only_when_the_internal_port_is_up_without_layer_3()
    {
        var host = HostTables();
        var layer3 = new Kvm.Provider.Resources.Bridges.Layer3(["192.168.0.90/24"], "192.168.0.1", null, []);
        var none = new Kvm.Provider.Resources.Bridges.Layer3([], null, null, []);

        // Up with an address: implied by the addresses (up unset brings it up), so the program declaring them matches.
        var (imported, withAddress) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, new OvsHostSide(true, layer3), null, importing: true);
        Assert.Equal(["192.168.0.90/24"], withAddress.Addresses!);
        Assert.Equal("192.168.0.1", withAddress.Gateway);
        Assert.Null(withAddress.Routes);
        Assert.Null(withAddress.Up);
        var program = Args("""{"name": "ovsbr0", "datapathType": "netdev", "addresses": ["192.168.0.90/24"], "gateway": "192.168.0.1"}""");
        var diff = Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(imported, program with { Ports = withAddress.Ports, Mtu = withAddress.Mtu, ForceDestroy = false }, withAddress);
        Assert.Empty(diff.Detailed.Keys);

        // Up without layer 3: only up: true keeps it so. Down, as Open vSwitch makes it: nothing to record.
        Assert.Equal(true, OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, new OvsHostSide(true, none), null, importing: true).Inputs.Up);
        Assert.Null(OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, new OvsHostSide(false, none), null, importing: true).Inputs.Up);
    }

    [Fact]
    public void String_maps_read_back_in_key_order_and_match_the_program_s_map()
    {
        var host = HostTables();
        var row = host.Bridge("ovsbr0")!;
        row = row with { Columns = row.Columns
            .SetItem("other_config", Kvm.Ovsdb.OvsdbValue.Map([new("stp-priority", "100"), new("mac-aging-time", "60")]))
            .SetItem("external_ids", Kvm.Ovsdb.OvsdbValue.Map([new("owner", "pulumi")])) };
        var program = Args("""{"name": "ovsbr0", "otherConfig": {"stp-priority": "100", "mac-aging-time": "60"}, "externalIds": {"owner": "pulumi"}}""");
        var (state, inputs) = OvsBridgeMapping.Observe(host, row, null, program, importing: false);
        Assert.Equal(["mac-aging-time", "stp-priority"], inputs.OtherConfig!.Keys);
        Assert.Equal("100", inputs.OtherConfig["stp-priority"]);
        Assert.False(Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, program, program).HasChanges);

        var (imported, importedInputs) = OvsBridgeMapping.Observe(host, row, null, null, importing: true);
        Assert.False(Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(imported, importedInputs, importedInputs).HasChanges);
        var changed = program with { OtherConfig = program.OtherConfig!.SetItem("stp-priority", "200") };
        Assert.Equal(["otherConfig[\"stp-priority\"]"], Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, changed, program).Detailed.Keys);
    }

    [Fact]
    public void A_port_of_several_interfaces_is_a_bond()
    {
        var host = HostTables();
        var port = host.Ports[Guid.Parse(Eth1Port)] with { };
        var bond = port.Columns.SetItem("interfaces", Kvm.Ovsdb.OvsdbValue.Set([new Kvm.Ovsdb.UuidAtom(Guid.Parse("33333333-0000-0000-0000-000000000001")), new Kvm.Ovsdb.UuidAtom(Guid.Parse("33333333-0000-0000-0000-000000000002"))]))
            .SetItem("bond_mode", Kvm.Ovsdb.OvsdbValue.Of("balance-slb"));
        var read = OvsBridgeMapping.PortOf(host, port with { Columns = bond }, declared: null);
        Assert.Equal(["acc", "eth1"], read.Bond!.Members!);
        Assert.Equal("balance-slb", read.Bond.BondMode);
        Assert.Null(read.Type);
    }

    private static readonly OvsHostSide Addressed = new(true, new Kvm.Provider.Resources.Bridges.Layer3(["192.168.0.90/24"], "192.168.0.1", null, []));

    [Fact]
    public void The_internal_port_s_side_reads_back_as_declared_and_an_undeclared_empty_list_stays_unmanaged()
    {
        var host = HostTables();
        var program = Args("""{"name": "ovsbr0", "addresses": ["192.168.0.90/24"], "gateway": "192.168.0.1"}""");
        var (state, inputs) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, Addressed, program, importing: false);
        Assert.Equal(["192.168.0.90/24"], inputs.Addresses!);
        Assert.Equal("192.168.0.1", inputs.Gateway);
        Assert.Null(inputs.Routes);            // none declared, none held: left unmanaged
        Assert.Equal([], state.Routes!);       // while the state says there are none
        Assert.True(state.Up);
        Assert.False(Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, program, program).HasChanges);
    }

    [Fact]
    public void Import_records_the_internal_port_s_addresses_and_leaves_up_to_them_and_a_down_bare_one_out()
    {
        var host = HostTables();
        var (_, inputs) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, Addressed, null, importing: true);
        Assert.Null(inputs.Up);   // the addresses bring it up
        Assert.Equal(["192.168.0.90/24"], inputs.Addresses!);

        var bare = new OvsHostSide(false, new Kvm.Provider.Resources.Bridges.Layer3([], null, null, []));
        var (_, plain) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, bare, null, importing: true);
        Assert.Null(plain.Up);
        Assert.Null(plain.Addresses);
        Assert.Null(plain.Routes);
    }

    [Fact]
    public void Without_the_link_a_declared_address_shows_as_a_change()
    {
        var host = HostTables();
        var program = Args("""{"name": "ovsbr0", "addresses": ["192.168.0.90/24"]}""");
        var (state, _) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, null, program, importing: false);
        Assert.Equal(["addresses"], Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, program, program).Detailed.Keys);
    }

    [Fact]
    public void An_internal_port_s_side_reads_back_on_its_port_and_only_internal_ports_get_one()
    {
        var host = HostTables();
        var program = Args(Declared.Replace("{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10}", "{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10, \"addresses\": [\"192.168.0.90/24\"], \"gateway\": \"192.168.0.1\"}"));
        var sides = new Dictionary<string, OvsHostSide> { ["acc"] = Addressed, ["eth1"] = Addressed };
        var (state, inputs) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, null, program, importing: false, sides);
        Assert.Equal(["192.168.0.90/24"], inputs.Ports![1].Addresses!);
        Assert.Equal("192.168.0.1", inputs.Ports[1].Gateway);
        Assert.True(inputs.Ports[1].Up);
        Assert.Null(inputs.Ports[0].Addresses);   // eth1 is an uplink, not the host's interface
        Assert.False(Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, program, program).HasChanges);
    }

    [Fact]
    public void An_import_s_state_is_what_the_first_refresh_reads_back()
    {
        var host = HostTables();
        var bridge = host.Bridge("ovsbr0")!;
        var sides = new Dictionary<string, OvsHostSide> { ["acc"] = Addressed };
        var (imported, inputs) = OvsBridgeMapping.Observe(host, bridge, Addressed, null, importing: true, sides);
        var (refreshed, _) = OvsBridgeMapping.Observe(host, bridge, Addressed, inputs, importing: false, sides);
        Assert.Null(inputs.StpEnable);   // the import's inputs stay short...
        Assert.Equal(false, imported.StpEnable);   // ...while its state is whole
        Assert.True(Kvm.Provider.Values.PropertyValue.SameContent(Kvm.Provider.Values.Writer.Write(refreshed), Kvm.Provider.Values.Writer.Write(imported)),
            "a refresh right after the import would report a change");
    }

    [Fact]
    public void Ports_are_told_apart_by_name_in_any_order_and_a_change_reads_field_by_field()
    {
        var old = Args("""{"name": "ovsbr0", "ports": [{"name": "acc", "type": "internal", "tag": 10}, {"name": "eth1", "vlanMode": "trunk", "trunks": [10, 20]}]}""");
        var reordered = Args("""{"name": "ovsbr0", "ports": [{"name": "eth1", "vlanMode": "trunk", "trunks": [10, 20]}, {"name": "acc", "type": "internal", "tag": 10}]}""");
        var state = OvsBridgeState.FromInputs(old);
        Assert.False(Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, reordered, old).HasChanges);

        var retagged = reordered with { Ports = [reordered.Ports![0], reordered.Ports[1] with { Tag = 11 }] };
        Assert.Equal(["ports[1].tag"], Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, retagged, old).Detailed.Keys);

        var swapped = retagged with { Ports = [reordered.Ports[0], new OvsPortArgs { Name = "eth2" }] };
        var diff = Kvm.Provider.Resources.RecordDiff.Compare<OvsBridgeArgs>(state, swapped, old).Detailed;
        Assert.Equal(["ports[0]", "ports[1]"], diff.Keys);
        Assert.Equal(Kvm.Provider.Resources.DiffKind.Delete, diff["ports[0]"]);   // acc, at its old index
        Assert.Equal(Kvm.Provider.Resources.DiffKind.Add, diff["ports[1]"]);      // eth2, at its new one
    }
}

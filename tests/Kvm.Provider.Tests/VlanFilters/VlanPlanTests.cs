using Kvm.Netlink;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.VlanFilters;

namespace Kvm.Provider.Tests.VlanFilters;

public class VlanPlanTests
{
    private static readonly Func<string, bool> Known = _ => false;

    private static VlanFilterArgs Port(VlanEntryArgs[]? vlans = null, int? access = null, VlanTrunkArgs? trunk = null) =>
        new() { Bridge = "br0", Port = "eth1", Vlans = vlans, Access = access, Trunk = trunk };

    private static VlanEntryArgs Vid(int vid, bool pvid = false, bool untagged = false) => new() { Vid = vid, Pvid = pvid, Untagged = untagged };
    private static VlanEntryArgs Range(string r, bool untagged = false) => new() { Range = r, Untagged = untagged };

    [Fact]
    public void Access_is_one_vlan_as_pvid_and_untagged() =>
        Assert.Equal([new VlanEntry(100, 100, true, true)], VlanPlan.Desired(Port(access: 100)));

    [Fact]
    public void Trunk_with_native_vlan_and_ranges_compresses()
    {
        var table = VlanPlan.Desired(Port(trunk: new VlanTrunkArgs { Native = 10, Vids = [20, 21, 22, 40], Ranges = ["200-299"] }));
        Assert.Equal([new VlanEntry(10, 10, true, true), new VlanEntry(20, 22, false, false), new VlanEntry(40, 40, false, false), new VlanEntry(200, 299, false, false)], table);
    }

    [Fact]
    public void A_whole_trunk_is_one_range() =>
        Assert.Equal([new VlanEntry(1, 4094, false, false)], VlanPlan.Desired(Port(trunk: new VlanTrunkArgs { Ranges = ["1-4094"] })));

    // The arguments come in as object: VlanFilterArgs is internal to the plugin, and a theory method is public.
    public static TheoryData<object, string, string> Bad => new()
    {
        { Port(), "vlans", "exactly one of vlans, access or trunk" },
        { Port(access: 10, vlans: [Vid(10)]), "access", "not vlans and access" },
        { Port(vlans: []), "vlans", "empty table" },
        { Port(vlans: [Vid(10, pvid: true), Vid(20, pvid: true)]), "vlans[1]", "one PVID" },
        { Port(vlans: [Range("100-200"), Vid(150)]), "vlans[1]", "VLAN 150 is also given by vlans[0]" },
        { Port(vlans: [Range("300-200")]), "vlans[0].range", "not a range" },
        { Port(vlans: [Range("0-20")]), "vlans[0].range", "not a range" },
        { Port(vlans: [Range("20-4095")]), "vlans[0].range", "not a range" },
        { Port(vlans: [Range("a-b")]), "vlans[0].range", "not a range" },
        { Port(vlans: [new VlanEntryArgs { Range = "10-20", Pvid = true }]), "vlans[0].pvid", "single VLAN" },
        { Port(vlans: [new VlanEntryArgs { Vid = 5, Range = "10-20" }]), "vlans[0]", "exactly one of vid and range" },
        { Port(vlans: [new VlanEntryArgs { Pvid = true }]), "vlans[0]", "exactly one of vid and range" },
        { Port(trunk: new VlanTrunkArgs { Native = 10, Vids = [10] }), "trunk.vids[0]", "also given by trunk.native" },
        { Port(trunk: new VlanTrunkArgs()), "trunk", "needs tagged vids" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_tables_are_refused_with_the_property_and_reason(object args, string property, string reason)
    {
        var failures = VlanPlan.Validate((VlanFilterArgs)args, Known);
        Assert.Contains(failures, f => f.Property == property && f.Reason.Contains(reason));
    }

    [Fact]
    public void A_good_table_passes() =>
        Assert.Empty(VlanPlan.Validate(Port(vlans: [Vid(10, pvid: true, untagged: true), Range("20-30"), Vid(40)]), Known));

    [Fact]
    public void Diff_names_each_changed_entry_where_it_is_written()
    {
        var observed = new[] { new VlanEntry(1, 1, true, true), new VlanEntry(10, 10, false, false), new VlanEntry(20, 30, false, false) };
        var diff = VlanPlan.Diff(Port(vlans: [Vid(10, pvid: true, untagged: true), Range("20-30"), Vid(40)]), observed);
        Assert.Equal(DiffKind.Update, diff["vlans[0]"]);   // 10 gains pvid+untagged (and vid 1, observed at index 0, goes)
        Assert.False(diff.ContainsKey("vlans[1]"));         // 20-30 as it is
        Assert.Equal(DiffKind.Add, diff["vlans[2]"]);       // 40 is new
        Assert.Equal(2, diff.Count);
    }

    [Fact]
    public void Undeclared_default_vlan_is_a_deletion_at_its_observed_index()
    {
        // a port that just joined has VLAN 1 as PVID; the program declares only VLAN 10
        var observed = new[] { new VlanEntry(1, 1, true, true), new VlanEntry(10, 10, false, false) };
        Assert.Equal(new Dictionary<string, DiffKind> { ["vlans[0]"] = DiffKind.Delete }, VlanPlan.Diff(Port(vlans: [Vid(10)]), observed));
        // when the new table also has an entry at that index, the key is an update from the old entry to the new one
        var diff = VlanPlan.Diff(Port(vlans: [Vid(5), Vid(10)]), observed);
        Assert.Equal(new Dictionary<string, DiffKind> { ["vlans[0]"] = DiffKind.Update }, diff);
    }

    [Fact]
    public void One_changed_vlan_of_a_full_trunk_is_one_key()
    {
        var observed = new[] { new VlanEntry(1, 99, false, false), new VlanEntry(101, 4094, false, false) };
        var diff = VlanPlan.Diff(Port(trunk: new VlanTrunkArgs { Ranges = ["1-4094"] }), observed);
        Assert.Equal(["trunk.ranges[0]"], diff.Keys);
        Assert.Empty(VlanPlan.Diff(Port(trunk: new VlanTrunkArgs { Ranges = ["1-99", "101-4094"] }), observed));
    }

    [Fact]
    public void Access_and_trunk_differences_use_their_own_keys()
    {
        Assert.Equal(["access"], VlanPlan.Diff(Port(access: 20), [new VlanEntry(10, 10, true, true)]).Keys.Order());
        var trunk = VlanPlan.Diff(Port(trunk: new VlanTrunkArgs { Native = 10, Vids = [20] }), [new VlanEntry(11, 11, true, true), new VlanEntry(20, 20, false, false)]);
        Assert.Equal(DiffKind.Add, trunk["trunk.native"]);
        Assert.Equal(DiffKind.Update, trunk["trunk"]);
    }

    [Fact]
    public void Inputs_of_a_table_keep_the_form_the_program_used()
    {
        var access = VlanPlan.InputsOf("br0", "eth1", [new VlanEntry(100, 100, true, true)], Port(access: 7));
        Assert.Equal(100, access.Access);
        Assert.Null(access.Vlans);

        var trunk = VlanPlan.InputsOf("br0", "eth1", [new VlanEntry(10, 10, true, true), new VlanEntry(20, 22, false, false)], Port(trunk: new VlanTrunkArgs { Vids = [1] }));
        Assert.Equal(10, trunk.Trunk!.Native);
        Assert.Equal([20, 21, 22], trunk.Trunk.Vids!);

        // Both vids and ranges: each vid is written where the program wrote it, never in both (a refresh that did
        // would record 10 twice).
        var both = VlanPlan.InputsOf("br0", "eth1", [new VlanEntry(5, 5, true, true), new VlanEntry(10, 10, false, false), new VlanEntry(30, 30, false, false), new VlanEntry(100, 102, false, false)],
            Port(trunk: new VlanTrunkArgs { Vids = [10, 30], Ranges = ["100-102"], Native = 5 }));
        Assert.Equal([10, 30], both.Trunk!.Vids!);
        Assert.Equal(["100-102"], both.Trunk.Ranges!);
        var ranges = VlanPlan.InputsOf("br0", "eth1", [new VlanEntry(10, 10, false, false), new VlanEntry(100, 102, false, false)], Port(trunk: new VlanTrunkArgs { Ranges = ["10-10"] }));
        Assert.Null(ranges.Trunk!.Vids);
        Assert.Equal(["10-10", "100-102"], ranges.Trunk.Ranges!);

        var imported = VlanPlan.InputsOf("br0", "eth1", [new VlanEntry(1, 1, true, true), new VlanEntry(20, 22, false, false)], form: null);
        Assert.Equal(2, imported.Vlans!.Length);
        Assert.Equal("20-22", imported.Vlans[1].Range);
        Assert.Empty(VlanPlan.Diff(imported, VlanPlan.Desired(imported)));
    }

    [Fact]
    public void A_table_that_no_longer_fits_the_form_falls_back_to_entries()
    {
        var inputs = VlanPlan.InputsOf("br0", "eth1", [new VlanEntry(100, 100, true, true), new VlanEntry(7, 7, false, true)], Port(access: 100));
        Assert.Null(inputs.Access);
        Assert.NotNull(inputs.Vlans);
    }
}

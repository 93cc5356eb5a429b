using Kvm.Provider.Resources;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests;

public class RefreshedInputsTests
{
    private static ObjectValue Obj(params (string Key, PropertyValue Value)[] fields) =>
        ObjectValue.From(fields.Select(f => new KeyValuePair<string, PropertyValue>(f.Key, f.Value)));

    private static ObjectValue Refreshed(ObjectValue oldInputs, ObjectValue observed) =>
        RefreshedInputs.Project(ObjectShape.Of<ThingArgs>(), observed, oldInputs);

    [Fact]
    public void Observed_values_take_the_shape_of_the_old_inputs_down_to_nested_fields()
    {
        var old = Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(9000)),
            ("ports", PropertyValue.Of([Obj(("name", PropertyValue.Of("eth1")))])), ("up", PropertyValue.True));
        var observed = Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(1500)), ("ratio", PropertyValue.Of(0.5)),
            ("ports", PropertyValue.Of([Obj(("name", PropertyValue.Of("eth1")), ("cost", PropertyValue.Of(100)))])));

        var refreshed = RefreshedInputs.Project(ObjectShape.Of<ThingArgs>(), observed, old);

        Assert.Equal(1500, ((NumberValue)refreshed["mtu"]!).Value);            // drift is recorded
        Assert.Null(refreshed["ratio"]);                                       // what the program never set stays unset
        Assert.Null(((ObjectValue)((ArrayValue)refreshed["ports"]!).Items[0])["cost"]); // also inside list items
        Assert.Equal(PropertyValue.True, refreshed["up"]);                     // what the host cannot report keeps its value
    }

    [Fact]
    public void Nested_values_the_program_never_set_stay_out_of_the_inputs()
    {
        var old = Obj(("name", PropertyValue.Of("a")), ("ports", new ArrayValue([Obj(("name", PropertyValue.Of("p0")))])));
        var observed = Obj(("name", PropertyValue.Of("a")), ("mtu", PropertyValue.Of(1500)),
            ("ports", new ArrayValue([Obj(("name", PropertyValue.Of("p0")), ("cost", PropertyValue.Of(100))), Obj(("name", PropertyValue.Of("p1")))])));
        var result = Refreshed(old, observed);
        Assert.Equal(["name", "ports"], result.Fields.Keys);
        var ports = (ArrayValue)result["ports"]!;
        Assert.Equal(Obj(("name", PropertyValue.Of("p0"))), ports.Items[0]);
        // An item the program does not have (made outside) is kept whole: it shows as drift.
        Assert.Equal(Obj(("name", PropertyValue.Of("p1"))), ports.Items[1]);
    }

    [Fact]
    public void Items_of_a_keyed_list_take_the_shape_of_the_old_item_of_the_same_key_wherever_it_stands()
    {
        // An OvsBridge's ports are keyed by name: the host may list them in another order than the program.
        var old = ObjectValue.From([new("name", PropertyValue.Of("ovsbr0")), new("ports", new ArrayValue([
            Obj(("name", PropertyValue.Of("acc")), ("tag", PropertyValue.Of(10))),
            Obj(("name", PropertyValue.Of("eth1"))),
        ]))]);
        var observed = ObjectValue.From([new("name", PropertyValue.Of("ovsbr0")), new("ports", new ArrayValue([
            Obj(("name", PropertyValue.Of("eth1")), ("vlanMode", PropertyValue.Of("trunk"))),
            Obj(("name", PropertyValue.Of("acc")), ("tag", PropertyValue.Of(11)), ("vlanMode", PropertyValue.Of("access"))),
        ]))]);
        var ports = (ArrayValue)RefreshedInputs.Project(ObjectShape.Of<Kvm.Provider.Resources.OvsBridges.OvsBridgeArgs>(), observed, old)["ports"]!;
        Assert.Equal(Obj(("name", PropertyValue.Of("eth1"))), ports.Items[0]);                               // cut to eth1's old input
        Assert.Equal(Obj(("name", PropertyValue.Of("acc")), ("tag", PropertyValue.Of(11))), ports.Items[1]);  // acc's drift, nothing more
    }

    [Fact]
    public void Drift_in_set_values_is_taken_and_lists_of_scalars_are_taken_whole()
    {
        var old = Obj(("mtu", PropertyValue.Of(1400)), ("tags", new ArrayValue([PropertyValue.Of("a")])));
        var observed = Obj(("mtu", PropertyValue.Of(1300)), ("tags", new ArrayValue([PropertyValue.Of("a"), PropertyValue.Of("b")])));
        var result = Refreshed(old, observed);
        Assert.Equal(PropertyValue.Of(1300), result["mtu"]);
        Assert.Equal(2, ((ArrayValue)result["tags"]!).Items.Length);
    }

    [Fact]
    public void Values_the_host_cannot_report_and_secrets_keep_their_form()
    {
        var old = Obj(("password", PropertyValue.Secret(PropertyValue.Of("s"))), ("up", PropertyValue.True));
        var observed = Obj(("password", PropertyValue.Secret(PropertyValue.Of("t"))));
        var result = Refreshed(old, observed);
        Assert.True(result["password"]!.IsSecret);
        Assert.Equal(PropertyValue.Of("t"), result["password"]!.Reveal());
        Assert.Equal(PropertyValue.True, result["up"]);
    }
}

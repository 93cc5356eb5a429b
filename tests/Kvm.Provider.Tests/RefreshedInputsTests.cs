using Kvm.Provider.Resources;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests;

public class RefreshedInputsTests
{
    private static ObjectValue Obj(params (string Key, PropertyValue Value)[] fields) =>
        ObjectValue.From(fields.Select(f => new KeyValuePair<string, PropertyValue>(f.Key, f.Value)));

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
}

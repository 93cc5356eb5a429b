using Kvm.Provider.Resources;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests;

public class DiffEngineTests
{
    private static readonly ObjectShape Shape = ObjectShape.Of<ThingArgs>();

    private static ObjectValue Obj(params (string Key, PropertyValue Value)[] fields) =>
        ObjectValue.From(fields.Select(f => new KeyValuePair<string, PropertyValue>(f.Key, f.Value)));

    private static PropertyValue Strs(params string[] s) => PropertyValue.Of(s.Select(PropertyValue.Of));

    private static DiffResult Diff(ObjectValue olds, ObjectValue news, ObjectValue? oldInputs = null, params string[] ignore) =>
        DiffEngine.Compute(Shape, olds, news, oldInputs ?? olds, ignore, deleteBeforeReplace: true);

    [Fact]
    public void Same_inputs_give_no_changes()
    {
        var o = Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(1500)));
        var d = Diff(o, o);
        Assert.False(d.HasChanges);
        Assert.Empty(d.Diffs);
    }

    [Fact]
    public void Unset_inputs_are_not_compared_with_observed_values()
    {
        var observed = Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(1500)), ("ifindex", PropertyValue.Of(4)));
        var d = Diff(observed, Obj(("name", PropertyValue.Of("br0"))), oldInputs: Obj(("name", PropertyValue.Of("br0"))));
        Assert.False(d.HasChanges);
    }

    [Fact]
    public void Drift_in_a_set_input_shows_as_update()
    {
        var d = Diff(Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(1400))),
            Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(9000))));
        Assert.Equal(DiffKind.Update, d.Detailed["mtu"]);
        Assert.Equal(["mtu"], d.Diffs.ToArray());
        Assert.True(d.Replaces.IsEmpty);
    }

    [Fact]
    public void An_input_the_program_stops_setting_is_a_delete()
    {
        var old = Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(9000)));
        var d = Diff(old, Obj(("name", PropertyValue.Of("br0"))));
        Assert.Equal(DiffKind.Delete, d.Detailed["mtu"]);
    }

    [Fact]
    public void Replace_on_changes_marks_the_replacement_and_delete_before_replace()
    {
        var d = Diff(Obj(("name", PropertyValue.Of("br0"))), Obj(("name", PropertyValue.Of("br1"))));
        Assert.Equal(DiffKind.UpdateReplace, d.Detailed["name"]);
        Assert.Equal(["name"], d.Replaces.ToArray());
        Assert.True(d.DeleteBeforeReplace);
    }

    [Fact]
    public void Unknown_new_value_is_an_update()
    {
        var d = Diff(Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Of(1500))),
            Obj(("name", PropertyValue.Of("br0")), ("mtu", PropertyValue.Unknown)));
        Assert.Equal(DiffKind.Update, d.Detailed["mtu"]);
    }

    [Fact]
    public void Unordered_lists_diff_per_item_by_value()
    {
        var d = Diff(Obj(("name", PropertyValue.Of("b")), ("tags", Strs("a", "b", "c"))),
            Obj(("name", PropertyValue.Of("b")), ("tags", Strs("c", "a", "d"))));
        Assert.Equal(new Dictionary<string, DiffKind> { ["tags[1]"] = DiffKind.Delete, ["tags[2]"] = DiffKind.Add }.OrderBy(x => x.Key),
            d.Detailed.OrderBy(x => x.Key));
        var reordered = Diff(Obj(("name", PropertyValue.Of("b")), ("tags", Strs("a", "b"))), Obj(("name", PropertyValue.Of("b")), ("tags", Strs("b", "a"))));
        Assert.False(reordered.HasChanges);
    }

    [Fact]
    public void Ordered_lists_of_objects_diff_per_field()
    {
        static PropertyValue Port(string name, int? cost = null) => cost is null
            ? Obj(("name", PropertyValue.Of(name)))
            : Obj(("name", PropertyValue.Of(name)), ("cost", PropertyValue.Of(cost.Value)));
        var d = Diff(Obj(("name", PropertyValue.Of("b")), ("ports", PropertyValue.Of([Port("a", 1), Port("b")]))),
            Obj(("name", PropertyValue.Of("b")), ("ports", PropertyValue.Of([Port("a", 2)]))));
        Assert.Equal(DiffKind.Update, d.Detailed["ports[0].cost"]);
        Assert.Equal(DiffKind.Delete, d.Detailed["ports[1]"]);
        Assert.Equal(["ports"], d.Diffs.ToArray());
    }

    [Fact]
    public void Secrets_compare_by_content()
    {
        var d = Diff(Obj(("name", PropertyValue.Of("b")), ("password", PropertyValue.Secret(PropertyValue.Of("p")))),
            Obj(("name", PropertyValue.Of("b")), ("password", PropertyValue.Secret(PropertyValue.Of("p")))));
        Assert.False(d.HasChanges);
    }

    [Fact]
    public void Ignore_changes_keeps_the_old_input()
    {
        var old = Obj(("name", PropertyValue.Of("b")), ("mtu", PropertyValue.Of(1500)));
        var d = Diff(old, Obj(("name", PropertyValue.Of("c")), ("mtu", PropertyValue.Of(9000))), old, "mtu", "name");
        Assert.False(d.HasChanges);
    }

    [Fact]
    public void Every_top_level_diff_has_a_detailed_path_and_back()
    {
        var d = Diff(Obj(("name", PropertyValue.Of("b")), ("tags", Strs("a"))),
            Obj(("name", PropertyValue.Of("c")), ("tags", Strs("z")), ("mtu", PropertyValue.Of(1500))));
        Assert.Equal(d.Diffs.Order(), d.Detailed.Keys.Select(PropertyPath.TopLevel).Distinct().Order());
    }
}

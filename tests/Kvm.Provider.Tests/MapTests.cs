using Kvm.Provider.Resources;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests;

/// <summary>String maps end to end: binding, writing back, the typed diff, the schema.</summary>
public class MapTests
{
    private static readonly ObjectShape Shape = ObjectShape.Of<ThingArgs>();

    private static ObjectValue Obj(params (string Key, PropertyValue Value)[] fields) =>
        ObjectValue.From(fields.Select(f => new KeyValuePair<string, PropertyValue>(f.Key, f.Value)));

    private static ObjectValue Thing(params (string Key, PropertyValue Value)[] labels) =>
        Obj(("name", PropertyValue.Of("x")), ("labels", Obj(labels)));

    private static DiffResult Diff(ObjectValue olds, ObjectValue news) =>
        DiffEngine.Compute(Shape, olds, news, olds, [], deleteBeforeReplace: false);

    [Fact]
    public void A_map_binds_in_key_order_and_writes_back_the_same()
    {
        var input = Thing(("stp-priority", PropertyValue.Of("100")), ("a", PropertyValue.Of("1")));
        var b = PropertyBinder.Bind<ThingArgs>(input);
        Assert.True(b.Ok);
        Assert.Equal(["a", "stp-priority"], b.Value.Labels!.Keys);
        Assert.Equal("100", b.Value.Labels["stp-priority"]);
        Assert.Equal(input, Writer.Write(b.Value, inputsOnly: true));
    }

    [Fact]
    public void A_wrong_value_a_null_value_and_too_many_entries_are_refused_at_their_paths()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Thing(("stp-priority", PropertyValue.Of(5)), ("b", PropertyValue.Null)));
        Assert.Contains(new CheckFailure("labels[\"stp-priority\"]", "expected a string, got a number (5)"), b.Failures);
        Assert.Contains(new CheckFailure("labels.b", "is null: give the entry a value, or leave the key out"), b.Failures);

        var many = PropertyBinder.Bind<ThingArgs>(Thing(("a", PropertyValue.Of("1")), ("b", PropertyValue.Of("2")), ("c", PropertyValue.Of("3")), ("d", PropertyValue.Of("4"))));
        Assert.Equal(new CheckFailure("labels", "has 4 entries; at most 3 are accepted"), Assert.Single(many.Failures));

        var list = PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Of("x")), ("labels", PropertyValue.Of([PropertyValue.Of("a")]))));
        Assert.Equal(new CheckFailure("labels", "expected a map, got a list"), Assert.Single(list.Failures));
    }

    [Fact]
    public void A_control_character_in_a_key_is_refused_naming_the_property()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Thing(("a\u0001", PropertyValue.Of("1"))));
        Assert.Equal(new CheckFailure("labels", "has a key with the control character U+0001, which no host name or setting can hold"), Assert.Single(b.Failures));
    }

    [Fact]
    public void Unknown_and_secret_entries_are_recorded_at_their_key()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Thing(("later", PropertyValue.Unknown), ("token", PropertyValue.Secret(PropertyValue.Of("s3cret")))));
        Assert.True(b.Ok);
        Assert.Equal(["token"], b.Value.Labels!.Keys);
        Assert.Contains("labels.later", b.UnknownPaths);
        Assert.Contains("labels.token", b.SecretPaths);
        var wrong = PropertyBinder.Bind<ThingArgs>(Thing(("token", PropertyValue.Secret(PropertyValue.Of(7)))));
        Assert.Equal(new CheckFailure("labels.token", "expected a string, got a secret value"), Assert.Single(wrong.Failures));
    }

    [Fact]
    public void A_change_of_one_key_reads_as_that_key()
    {
        var d = Diff(Thing(("stp-priority", PropertyValue.Of("100")), ("a", PropertyValue.Of("1")), ("gone", PropertyValue.Of("x"))),
            Thing(("stp-priority", PropertyValue.Of("200")), ("a", PropertyValue.Of("1")), ("new key", PropertyValue.Of("y"))));
        Assert.Equal(["labels.gone", "labels[\"new key\"]", "labels[\"stp-priority\"]"], d.Detailed.Keys);
        Assert.Equal(DiffKind.Delete, d.Detailed["labels.gone"]);
        Assert.Equal(DiffKind.Add, d.Detailed["labels[\"new key\"]"]);
        Assert.Equal(DiffKind.Update, d.Detailed["labels[\"stp-priority\"]"]);
    }

    [Fact]
    public void The_same_entries_in_another_order_are_no_change()
    {
        var d = Diff(Thing(("b", PropertyValue.Of("2")), ("a", PropertyValue.Of("1"))), Thing(("a", PropertyValue.Of("1")), ("b", PropertyValue.Of("2"))));
        Assert.False(d.HasChanges);
    }

    [Fact]
    public void An_unknown_entry_is_an_update_of_that_key()
    {
        var d = Diff(Thing(("a", PropertyValue.Of("1")), ("b", PropertyValue.Of("2"))), Thing(("a", PropertyValue.Of("1")), ("b", PropertyValue.Unknown)));
        Assert.Equal(DiffKind.Update, Assert.Single(d.Detailed).Value);
        Assert.Equal("labels.b", d.Detailed.Keys.Single());
    }

    [Fact]
    public void IgnoreChanges_on_one_key_keeps_its_old_value()
    {
        var old = Thing(("stp-priority", PropertyValue.Of("100")), ("a", PropertyValue.Of("1")));
        var news = Thing(("stp-priority", PropertyValue.Of("200")), ("a", PropertyValue.Of("2")));
        var d = DiffEngine.Compute(Shape, old, news, old, ["labels[\"stp-priority\"]"], deleteBeforeReplace: false);
        Assert.Equal(["labels.a"], d.Detailed.Keys);
    }

    [Fact]
    public void The_schema_says_a_map_of_strings()
    {
        var shape = Shape.Find("labels")!;
        Assert.Equal("a map", shape.Type.Describe());
        Assert.Equal(ScalarShape.String, ((MapShape)shape.Type).Value);
    }

    [Theory]
    [InlineData("otherConfig", "stp-priority", "otherConfig[\"stp-priority\"]")]
    [InlineData("otherConfig", "mac_aging", "otherConfig.mac_aging")]
    [InlineData("tags", "a$b", "tags[\"a$b\"]")]
    [InlineData("tags", "say \"hi\"", "tags[\"say \\\"hi\\\"\"]")]
    [InlineData("tags", "back\\slash", "tags[\"back\\slash\"]")]
    public void Map_keys_are_written_as_Pulumi_writes_them_and_parse_back(string path, string key, string expected)
    {
        var written = PropertyPath.Append(path, key);
        Assert.Equal(expected, written);
        Assert.Equal([PathSegment.Field(path), PathSegment.Field(key)], PropertyPath.Parse(written).ToArray());
    }
}

using Kvm.Provider.Values;

namespace Kvm.Provider.Tests;

public class BinderTests
{
    private static ObjectValue Obj(params (string Key, PropertyValue Value)[] fields) =>
        ObjectValue.From(fields.Select(f => new KeyValuePair<string, PropertyValue>(f.Key, f.Value)));

    private static CheckFailure Single(Bound<ThingArgs> b) => Assert.Single(b.Failures);

    [Fact]
    public void Binds_every_kind_of_input()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Obj(
            ("name", PropertyValue.Of("br0")),
            ("mtu", PropertyValue.Of(9000)),
            ("ratio", PropertyValue.Of(0.5)),
            ("up", PropertyValue.False),
            ("tags", PropertyValue.Of([PropertyValue.Of("a"), PropertyValue.Of("b")])),
            ("ports", PropertyValue.Of([Obj(("name", PropertyValue.Of("eth1")), ("cost", PropertyValue.Of(4)))]))));
        Assert.True(b.Ok, string.Join("; ", b.Failures));
        Assert.Equal("br0", b.Value.Name);
        Assert.Equal(9000, b.Value.Mtu);
        Assert.Equal(0.5, b.Value.Ratio);
        Assert.False(b.Value.Up);
        Assert.Equal(["a", "b"], b.Value.Tags!);
        Assert.Equal(new PortArgs { Name = "eth1", Cost = 4 }, Assert.Single(b.Value.Ports!));
    }

    [Fact]
    public void Wrong_type_names_the_path_and_both_types()
    {
        var f = Single(PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Of("x")), ("mtu", PropertyValue.Of("big")))));
        Assert.Equal("mtu", f.Property);
        Assert.Equal("expected an integer, got a string (\"big\")", f.Reason);
    }

    [Fact]
    public void Missing_required_is_reported()
    {
        var f = Single(PropertyBinder.Bind<ThingArgs>(Obj(("mtu", PropertyValue.Of(1500)))));
        Assert.Equal(new CheckFailure("name", "missing required property"), f);
    }

    [Fact]
    public void Unknown_property_suggests_the_close_one()
    {
        var f = Single(PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Of("x")), ("mtuu", PropertyValue.Of(1500)))));
        Assert.Equal("mtuu", f.Property);
        Assert.Contains("did you mean \"mtu\"", f.Reason);
    }

    [Theory]
    [InlineData(0, "must be between 68 and 65535; got 0")]
    [InlineData(70000, "must be between 68 and 65535; got 70000")]
    [InlineData(1500.5, "must be a whole number; got 1500.5")]
    [InlineData(double.NaN, "must be a finite number; got NaN")]
    [InlineData(double.PositiveInfinity, "must be a finite number; got Infinity")]
    public void Numbers_out_of_range_or_not_whole_are_refused(double mtu, string reason)
    {
        var f = Single(PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Of("x")), ("mtu", PropertyValue.Of(mtu)))));
        Assert.Equal(new CheckFailure("mtu", reason), f);
    }

    [Fact]
    public void Strings_longer_than_allowed_or_not_in_the_set_are_refused()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Of(new string('x', 16))), ("protocol", PropertyValue.Of("802.1X"))));
        Assert.Contains(new CheckFailure("name", "is 16 characters long; at most 15 are accepted"), b.Failures);
        Assert.Contains(b.Failures, f => f.Property == "protocol" && f.Reason.StartsWith("must be one of \"802.1Q\", \"802.1ad\""));
    }

    [Fact]
    public void An_arrays_max_length_counts_items_not_the_characters_of_each()
    {
        // bootDevices allows at most 4 devices: "cdrom" and "network" are longer than 4 characters.
        var ok = PropertyBinder.Bind<Resources.Domains.DomainArgs>(Obj(("name", PropertyValue.Of("g")), ("memoryMib", PropertyValue.Of(64)),
            ("bootDevices", PropertyValue.Of([PropertyValue.Of("cdrom"), PropertyValue.Of("network"), PropertyValue.Of("hd")]))));
        Assert.DoesNotContain(ok.Failures, f => f.Property.StartsWith("bootDevices", StringComparison.Ordinal));
        Assert.Equal(["cdrom", "network", "hd"], ok.Value.BootDevices!);

        var five = PropertyBinder.Bind<Resources.Domains.DomainArgs>(Obj(("name", PropertyValue.Of("g")), ("memoryMib", PropertyValue.Of(64)),
            ("bootDevices", PropertyValue.Of([.. Enumerable.Repeat(PropertyValue.Of("hd"), 5)]))));
        Assert.Contains(new CheckFailure("bootDevices", "has 5 items; at most 4 are accepted"), five.Failures);
    }

    [Fact]
    public void Nested_failures_carry_the_full_path()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Of("x")),
            ("ports", PropertyValue.Of([Obj(("name", PropertyValue.Of("a"))), Obj(("cost", PropertyValue.Of(0)))]))));
        Assert.Contains(new CheckFailure("ports[1].name", "missing required property"), b.Failures);
        Assert.Contains(new CheckFailure("ports[1].cost", "must be between 1 and 65535; got 0"), b.Failures);
    }

    [Fact]
    public void Unknowns_are_left_at_default_and_recorded()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Unknown), ("mtu", PropertyValue.Secret(PropertyValue.Unknown))));
        Assert.True(b.Ok);
        Assert.Null(b.Value.Name);
        Assert.Equal(["mtu", "name"], b.UnknownPaths.Order());
        Assert.Contains("mtu", b.SecretPaths);
    }

    [Fact]
    public void Secrets_bind_to_their_value_and_are_recorded()
    {
        var b = PropertyBinder.Bind<ThingArgs>(Obj(("name", PropertyValue.Of("x")), ("password", PropertyValue.Secret(PropertyValue.Of("p")))));
        Assert.Equal("p", b.Value.Password);
        Assert.Contains("password", b.SecretPaths);
    }

    [Fact]
    public void State_mode_ignores_unknown_keys_and_takes_outputs()
    {
        var b = PropertyBinder.Bind<ThingState>(Obj(("ifindex", PropertyValue.Of(7)), ("somethingNew", PropertyValue.True)), BindMode.State);
        Assert.True(b.Ok);
        Assert.Equal(7, b.Value.Ifindex);
    }

    [Fact]
    public void Inputs_mode_refuses_outputs()
    {
        var f = Assert.Single(PropertyBinder.Bind<ThingState>(Obj(("name", PropertyValue.Of("x")), ("ifindex", PropertyValue.Of(7)))).Failures);
        Assert.Equal("ifindex", f.Property);
    }

    [Fact]
    public void Writer_round_trips_and_wraps_secret_properties()
    {
        var state = new ThingState { Name = "br0", Mtu = 1500, Password = "p", Ports = [new PortArgs { Name = "eth0" }], Ifindex = 3 };
        var written = Writer.Write(state);
        Assert.IsType<SecretValue>(written["password"]);
        Assert.Null(written["ratio"]);
        var back = PropertyBinder.Bind<ThingState>(written, BindMode.State).Value;
        Assert.Equal(state.Name, back.Name);
        Assert.Equal(state.Ifindex, back.Ifindex);
        Assert.Equal("eth0", back.Ports![0].Name);
        Assert.False(Writer.Write(state, inputsOnly: true).Fields.ContainsKey("ifindex"));
    }
}

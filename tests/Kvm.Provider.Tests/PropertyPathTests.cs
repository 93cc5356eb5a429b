using Kvm.Provider.Values;

namespace Kvm.Provider.Tests;

public class PropertyPathTests
{
    [Theory]
    [InlineData("", "mtu", "mtu")]
    [InlineData("vlans[2]", "pvid", "vlans[2].pvid")]
    [InlineData("tags", "a.b", "tags[\"a.b\"]")]
    [InlineData("", "9lives", "[\"9lives\"]")]
    public void Append_quotes_keys_that_are_not_identifiers(string path, string key, string expected) =>
        Assert.Equal(expected, PropertyPath.Append(path, key));

    [Fact]
    public void Parse_reads_keys_indexes_quoted_keys_and_wildcards()
    {
        var segments = PropertyPath.Parse("a.b[3][\"c.d\"][*].e");
        Assert.Equal(
            [PathSegment.Field("a"), PathSegment.Field("b"), PathSegment.At(3), PathSegment.Field("c.d"), PathSegment.Any, PathSegment.Field("e")],
            segments.ToArray());
    }

    [Fact]
    public void Parse_refuses_a_bad_index() => Assert.Throws<FormatException>(() => PropertyPath.Parse("a[x"));

    [Fact]
    public void Top_level_is_the_first_key() => Assert.Equal("vlans", PropertyPath.TopLevel("vlans[2].pvid"));

    [Fact]
    public void Set_with_a_wildcard_reaches_every_item_and_keeps_secrets()
    {
        var root = ObjectValue.From(new Dictionary<string, PropertyValue>
        {
            ["ports"] = PropertyValue.Secret(PropertyValue.Of([
                ObjectValue.From(new Dictionary<string, PropertyValue> { ["name"] = PropertyValue.Of("a") }),
                ObjectValue.From(new Dictionary<string, PropertyValue> { ["name"] = PropertyValue.Of("b") }),
            ])),
        });
        var result = PropertyPath.Set(root, PropertyPath.Parse("ports[*].name").AsSpan(), _ => PropertyValue.Unknown);
        var ports = Assert.IsType<SecretValue>(((ObjectValue)result)["ports"]);
        Assert.All(((ArrayValue)ports.Inner).Items, p => Assert.IsType<UnknownValue>(((ObjectValue)p)["name"]));
    }
}

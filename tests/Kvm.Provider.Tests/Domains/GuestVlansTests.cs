using System.Xml.Linq;
using Kvm.Netlink;
using Kvm.Provider.Resources.Domains;

namespace Kvm.Provider.Tests.Domains;

public class GuestVlansTests
{
    private static DomainVlanArgs V(int[] tags, bool? trunk = null, int? native = null, string? mode = null) =>
        new() { Tags = tags, Trunk = trunk, NativeTag = native, NativeMode = mode };

    [Fact]
    public void One_tag_is_an_access_port_the_pvid_untagged()
    {
        Assert.Equal([new VlanEntry(10, 10, Pvid: true, Untagged: true)], GuestVlans.Entries(V([10])));
    }

    [Fact]
    public void A_trunk_carries_its_tags_tagged_and_ranges_are_compressed()
    {
        Assert.Equal([VlanEntry.Of(10, 12), VlanEntry.Of(20)], GuestVlans.Entries(V([12, 10, 11, 20])));
        Assert.Equal([VlanEntry.Of(10)], GuestVlans.Entries(V([10], trunk: true)));
    }

    [Fact]
    public void The_native_tag_of_a_trunk_is_the_pvid_untagged_unless_said_tagged()
    {
        Assert.Equal([new VlanEntry(10, 10, true, true), VlanEntry.Of(20)], GuestVlans.Entries(V([10, 20], native: 10)));
        Assert.Equal([new VlanEntry(10, 10, true, false), VlanEntry.Of(11, 12)], GuestVlans.Entries(V([10, 11, 12], native: 10, mode: "tagged")));
    }

    [Fact]
    public void A_table_reads_back_in_the_programs_spelling_when_it_is_what_was_asked()
    {
        var asked = V([10], trunk: true, native: 10, mode: "untagged");
        Assert.Same(asked, GuestVlans.FromEntries(GuestVlans.Entries(asked), asked));
    }

    [Fact]
    public void A_different_table_reads_back_in_canonical_form()
    {
        Assert.Equal([30], GuestVlans.FromEntries([new VlanEntry(30, 30, true, true)], V([10]))!.Tags!);
        var trunk = GuestVlans.FromEntries([new VlanEntry(1, 1, true, true), VlanEntry.Of(5, 6)], V([10]))!;
        Assert.Equal([1, 5, 6], trunk.Tags!);
        Assert.True(trunk.Trunk);
        Assert.Equal(1, trunk.NativeTag);
        Assert.Equal("untagged", trunk.NativeMode);
        Assert.Null(GuestVlans.FromEntries([], V([10])));
    }

    [Fact]
    public void Metadata_round_trips_keyed_by_mac_and_leaves_other_metadata_alone()
    {
        var domain = XElement.Parse("<domain><name>g</name><uuid>x</uuid><metadata><app:x xmlns:app='urn:other'/></metadata></domain>");
        GuestVlans.Write(domain, new Dictionary<string, DomainVlanArgs>
        {
            ["52:54:00:00:00:02"] = V([10, 20], native: 20, mode: "tagged"),
            ["52:54:00:00:00:01"] = V([7]),
        });
        var read = GuestVlans.Read(XElement.Parse(domain.ToString()));
        Assert.Equal(2, read.Count);
        Assert.Equal([7], read["52:54:00:00:00:01"].Tags!);
        Assert.Equal(V([10, 20], native: 20, mode: "tagged") with { Tags = read["52:54:00:00:00:02"].Tags }, read["52:54:00:00:00:02"]);
        Assert.Equal([10, 20], read["52:54:00:00:00:02"].Tags!);
        Assert.NotNull(domain.Element("metadata")!.Element(XName.Get("x", "urn:other")));

        GuestVlans.Write(domain, new Dictionary<string, DomainVlanArgs>());
        Assert.Empty(GuestVlans.Read(domain));
        Assert.NotNull(domain.Element("metadata"));
    }

    [Fact]
    public void Removing_the_last_vlans_removes_an_empty_metadata_element()
    {
        var domain = XElement.Parse("<domain><name>g</name></domain>");
        GuestVlans.Write(domain, new Dictionary<string, DomainVlanArgs> { ["52:54:00:00:00:01"] = V([7]) });
        Assert.Equal("name", domain.Elements().First().Name.LocalName);
        Assert.Equal("metadata", domain.Elements().ElementAt(1).Name.LocalName);
        GuestVlans.Write(domain, new Dictionary<string, DomainVlanArgs>());
        Assert.Null(domain.Element("metadata"));
    }

    [Theory]
    [InlineData(new[] { 10 }, null, null, "VLAN 10")]
    [InlineData(new[] { 20, 10 }, null, null, "trunk 10,20")]
    [InlineData(new[] { 20, 10 }, 10, null, "trunk 10,20 (native 10 untagged)")]
    public void Describes_vlans_for_people(int[] tags, int? native, string? mode, string text) =>
        Assert.Equal(text, GuestVlans.Describe(V(tags, native: native, mode: mode)));
}

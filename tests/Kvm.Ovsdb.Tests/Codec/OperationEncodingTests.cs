using System.Collections.Immutable;

namespace Kvm.Ovsdb.Tests.Codec;

/// <summary>Our operations, written, mean exactly what ovs-vsctl sent for the same change.</summary>
public class OperationEncodingTests
{
    private static readonly Guid Root = Guid.Parse("d7183c59-863e-457c-9d9d-ab4f1b8cf7be");

    private static string Op(Operation op) => Json.Canonical(Json.Of(w => OvsdbJson.WriteOperation(w, op)));

    private static string Captured(int index) => Json.Canonical(Json.Parse(Transcripts.AddBridgeRequestOps)[index]);

    [Fact]
    public void Wait_on_an_empty_set_is_written_as_ovs_vsctl_writes_it()
    {
        var wait = new Wait("Open_vSwitch", [Condition.Uuid(Root)], ["bridges"], "==",
            [ImmutableDictionary<string, OvsdbValue>.Empty.Add("bridges", OvsdbSet.Empty)]);
        Assert.Equal(Captured(0), Op(wait));
    }

    [Fact]
    public void Insert_with_a_uuid_name_and_a_named_uuid_reference()
    {
        var insert = new Insert("Port", ImmutableDictionary<string, OvsdbValue>.Empty
            .Add("name", OvsdbValue.Of("br9"))
            .Add("interfaces", new NamedUuidAtom("row7bffa356_2efb_4228_90a1_26c196d0b0f4")),
            "row03311938_4281_4624_8009_44a3e391b3d6");
        Assert.Equal(Captured(1), Op(insert));
    }

    [Fact]
    public void A_set_of_several_named_uuids()
    {
        var insert = new Insert("Bridge", ImmutableDictionary<string, OvsdbValue>.Empty
            .Add("name", OvsdbValue.Of("br9"))
            .Add("datapath_type", OvsdbValue.Of("netdev"))
            .Add("ports", OvsdbValue.Set([new NamedUuidAtom("row03311938_4281_4624_8009_44a3e391b3d6"), new NamedUuidAtom("row3c25534e_ebb5_482f_9bb2_f5364661977c")])),
            "row01f51db5_1440_48fc_a366_873718f3234f");
        Assert.Equal(Captured(2), Op(insert));
    }

    [Fact]
    public void Mutate_with_an_integer()
    {
        var mutate = new Mutate("Open_vSwitch", [Condition.Uuid(Root)], [new Mutation("next_cfg", "+=", OvsdbValue.Of(1))]);
        Assert.Equal(Captured(3), Op(mutate));
    }

    [Fact]
    public void Map_insert_mutation_as_libvirt_s_ovs_vsctl_sends_it()
    {
        var mutate = new Mutate("Interface", [Condition.Equal("_uuid", new NamedUuidAtom("rowf711a7c5_cf37_428d_bb92_1057d8b26300"))],
            [Mutation.Insert("external_ids", OvsdbValue.Map([new("iface-status", "active")]))]);
        Assert.Equal(
            Json.Canonical("""{"mutations":[["external_ids","insert",["map",[["iface-status","active"]]]]],"where":[["_uuid","==",["named-uuid","rowf711a7c5_cf37_428d_bb92_1057d8b26300"]]],"op":"mutate","table":"Interface"}"""),
            Op(mutate));
    }

    [Fact]
    public void Select_delete_update_and_comment()
    {
        Assert.Equal(Json.Canonical("""{"op":"select","table":"Port","where":[["name","==","p1"]],"columns":["name","tag"]}"""),
            Op(new Select("Port", [Condition.Equal("name", OvsdbValue.Of("p1"))], ImmutableArray.Create("name", "tag"))));
        Assert.Equal(Json.Canonical("""{"op":"select","table":"Bridge","where":[]}"""), Op(new Select("Bridge", [])));
        Assert.Equal(Json.Canonical("""{"op":"delete","table":"Interface","where":[["name","==","p1"]]}"""),
            Op(new Delete("Interface", [Condition.Equal("name", OvsdbValue.Of("p1"))])));
        Assert.Equal(Json.Canonical("""{"op":"update","table":"Port","where":[["name","==","p1"]],"row":{"tag":["set",[]],"trunks":["set",[10,20]]}}"""),
            Op(new Update("Port", [Condition.Equal("name", OvsdbValue.Of("p1"))], ImmutableDictionary<string, OvsdbValue>.Empty
                .Add("tag", OvsdbValue.Optional(null)).Add("trunks", OvsdbValue.Set([new IntegerAtom(10), new IntegerAtom(20)])))));
        Assert.Equal(Json.Canonical("""{"op":"comment","comment":"kvm: ovsbr0"}"""), Op(new Comment("kvm: ovsbr0")));
    }

    [Fact]
    public void A_transact_request_is_method_params_and_id()
    {
        var bytes = OvsdbJson.Request("transact", 4, w => OvsdbJson.WriteTransactParams(w, "Open_vSwitch", [new Comment("x")]));
        Assert.Equal(Json.Canonical("""{"method":"transact","params":["Open_vSwitch",{"op":"comment","comment":"x"}],"id":4}"""),
            Json.Canonical(System.Text.Encoding.UTF8.GetString(bytes)));
    }

    [Fact]
    public void Strings_with_quotes_and_control_characters_are_escaped()
    {
        var text = Json.Of(w => OvsdbJson.WriteValue(w, OvsdbValue.Of("a\"b\\c\n")));
        Assert.Equal("a\"b\\c\n", Json.Parse(text).GetString());
    }
}

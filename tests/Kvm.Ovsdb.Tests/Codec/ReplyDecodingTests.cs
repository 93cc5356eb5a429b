namespace Kvm.Ovsdb.Tests.Codec;

/// <summary>ovsdb-server's own replies, read: results, rows, values and every kind of error.</summary>
public class ReplyDecodingTests
{
    private static readonly Operation[] TenOps = [.. Enumerable.Range(0, 10).Select(_ => (Operation)new Comment(""))];

    [Fact]
    public void Transact_results_carry_new_uuids_counts_and_rows()
    {
        var results = OvsdbJson.ReadTransactResult(Json.Result(Transcripts.AddBridgeReply), TenOps);
        Assert.Equal(10, results.Length);
        Assert.Equal(OperationResult.Empty, results[0]);
        Assert.Equal(Guid.Parse("455df13a-b958-4f9d-b988-87bc5d663659"), results[1].Uuid);
        Assert.Equal(1, results[3].Count);
        Assert.Equal(1, results[8].Rows!.Value.Single().Integer("next_cfg"));
    }

    [Fact]
    public void A_port_row_reads_as_its_columns()
    {
        var row = OvsdbJson.ReadTransactResult(Json.Result(Transcripts.SelectPortReply), [new Comment("")])[0].Rows!.Value.Single();
        Assert.Equal("p1", row.String("name"));
        Assert.Equal(10, row.Integer("tag"));
        Assert.Empty(row.Integers("trunks"));
        Assert.Null(row.String("vlan_mode"));           // ["set",[]]: unset
        Assert.Empty(row.Map("other_config"));
        Assert.Equal([Guid.Parse("31d1d3d3-b747-4034-8013-d2763568d233")], row.Uuids("interfaces"));  // one uuid: a set of one
    }

    [Fact]
    public void A_guest_interface_s_external_ids_read_as_a_map()
    {
        var row = OvsdbJson.ReadTransactResult(Json.Result(Transcripts.SelectGuestInterfaceReply), [new Comment("")])[0].Rows!.Value.Single();
        var ids = row.Map("external_ids");
        Assert.Equal("52:54:00:6d:1e:01", ids["attached-mac"]);
        Assert.Equal("0b6a2d3e-5f4c-4e7a-9d1b-8c2f3e4a5b6c", ids["vm-id"]);
        Assert.Equal("", row.String("type"));
        Assert.Null(row.Integer("mtu_request"));
    }

    [Fact]
    public void An_operation_s_error_keeps_ovsdb_s_words_and_names_the_operation()
    {
        var e = Assert.Throws<OvsdbException>(() => OvsdbJson.ReadTransactResult(Json.Result(Transcripts.ConstraintViolationReply), [new Update("Port", [], [])]));
        Assert.Equal("constraint violation", e.Error);
        Assert.Equal("5000 is not in the valid range 0 to 4095 (inclusive)", e.Details);
        Assert.Equal(0, e.OperationIndex);
        Assert.Equal("constraint violation: 5000 is not in the valid range 0 to 4095 (inclusive) (operation 1, update)", e.Message);
    }

    [Fact]
    public void A_failed_wait_is_a_concurrent_change()
    {
        var e = Assert.Throws<OvsdbException>(() => OvsdbJson.ReadTransactResult(Json.Parse(Transcripts.WaitTimedOutResult), [new Wait("Bridge", [], [], "==", [])]));
        Assert.True(e.IsConcurrentChange);
        Assert.Equal("timed out: \"where\" clause test failed (operation 1, wait)", e.Message);
    }

    [Fact]
    public void A_commit_error_follows_the_operations_and_names_none()
    {
        var e = Assert.Throws<OvsdbException>(() => OvsdbJson.ReadTransactResult(Json.Parse(Transcripts.CommitRefusedResult), [new Delete("Interface", [])]));
        Assert.Equal("referential integrity violation", e.Error);
        Assert.Null(e.OperationIndex);
        Assert.False(e.IsConcurrentChange);
        Assert.StartsWith("referential integrity violation: cannot delete Interface row 31d1d3d3", e.Message);
    }

    [Fact]
    public void A_request_error_is_read_from_the_reply_s_error_member()
    {
        var error = Json.Parse(Transcripts.UnknownDatabaseReply).GetProperty("error");
        var e = OvsdbJson.ReadRequestError(error);
        Assert.Equal("unknown database: transact request specifies unknown database Nope", e.Message);
    }

    [Fact]
    public void Fewer_results_than_operations_without_an_error_is_malformed()
    {
        Assert.Throws<FormatException>(() => OvsdbJson.ReadTransactResult(Json.Parse("[{}]"), [new Comment(""), new Comment("")]));
    }

    [Theory]
    [InlineData("""["set",[1,"a"]]""")]
    [InlineData("""["map",[[1]]]""")]
    [InlineData("""["uuid","not-a-uuid"]""")]
    [InlineData("""{"a":1}""")]
    [InlineData("null")]
    public void Json_that_is_no_ovsdb_value_is_a_format_error(string json)
    {
        // ["set",[1,"a"]] is a valid set on the wire (types are the schema's business), so only the others throw.
        if (json.StartsWith("[\"set\"", StringComparison.Ordinal))
        {
            Assert.Equal(2, OvsdbJson.ReadValue(Json.Parse(json)).Items.Length);
            return;
        }
        Assert.Throws<FormatException>(() => OvsdbJson.ReadValue(Json.Parse(json)));
    }

    [Fact]
    public void Values_round_trip()
    {
        OvsdbValue[] values =
        [
            OvsdbValue.Of("s"), OvsdbValue.Of(42), OvsdbValue.Of(true), new RealAtom(1.5),
            new UuidAtom(Guid.Parse("455df13a-b958-4f9d-b988-87bc5d663659")), new NamedUuidAtom("row1"),
            OvsdbSet.Empty, OvsdbValue.Set([new IntegerAtom(1), new IntegerAtom(2)]),
            OvsdbValue.Map([new("a", "b"), new("c", "d")]),
        ];
        foreach (var v in values)
        {
            var text = Json.Of(w => OvsdbJson.WriteValue(w, v));
            var back = OvsdbJson.ReadValue(Json.Parse(text));
            Assert.Equal(text, Json.Of(w => OvsdbJson.WriteValue(w, back)));
        }
    }
}

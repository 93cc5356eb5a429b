namespace Kvm.Ovsdb.Tests.Codec;

/// <summary>
/// Messages captured from Open vSwitch 3.1.0 (schema 8.3.1) in a lab namespace: requests from
/// `ovs-vsctl -vjsonrpc:file:dbg`, replies read raw off db.sock. Verbatim but for line breaks.
/// </summary>
internal static class Transcripts
{
    /// <summary>`ovs-vsctl add-br br9 -- set bridge br9 datapath_type=netdev -- add-port br9 p1 tag=10 -- set interface p1 type=internal`, its first operations.</summary>
    public const string AddBridgeRequestOps = """
        [{"rows":[{"bridges":["set",[]]}],"until":"==","where":[["_uuid","==",["uuid","d7183c59-863e-457c-9d9d-ab4f1b8cf7be"]]],"columns":["bridges"],"timeout":0,"op":"wait","table":"Open_vSwitch"},
         {"uuid-name":"row03311938_4281_4624_8009_44a3e391b3d6","row":{"name":"br9","interfaces":["named-uuid","row7bffa356_2efb_4228_90a1_26c196d0b0f4"]},"op":"insert","table":"Port"},
         {"uuid-name":"row01f51db5_1440_48fc_a366_873718f3234f","row":{"ports":["set",[["named-uuid","row03311938_4281_4624_8009_44a3e391b3d6"],["named-uuid","row3c25534e_ebb5_482f_9bb2_f5364661977c"]]],"name":"br9","datapath_type":"netdev"},"op":"insert","table":"Bridge"},
         {"mutations":[["next_cfg","+=",1]],"where":[["_uuid","==",["uuid","d7183c59-863e-457c-9d9d-ab4f1b8cf7be"]]],"op":"mutate","table":"Open_vSwitch"}]
        """;

    /// <summary>The reply to that transaction (10 operations, the last a comment).</summary>
    public const string AddBridgeReply = """
        {"id":4,"result":[{},{"uuid":["uuid","455df13a-b958-4f9d-b988-87bc5d663659"]},{"uuid":["uuid","f7cf69ea-d39e-49d2-b4c2-d214d79f7389"]},{"count":1},{"uuid":["uuid","87cdee0c-6d74-4dfe-b55b-0917c9ecb75f"]},{"uuid":["uuid","31d1d3d3-b747-4034-8013-d2763568d233"]},{"uuid":["uuid","de06dadd-aaa6-4927-935b-84f68bb57612"]},{"count":1},{"rows":[{"next_cfg":1}]},{}],"error":null}
        """;

    public const string SelectPortReply = """
        {"id":10,"result":[{"rows":[{"name":"p1","other_config":["map",[]],"trunks":["set",[]],"external_ids":["map",[]],"bond_mode":["set",[]],"vlan_mode":["set",[]],"interfaces":["uuid","31d1d3d3-b747-4034-8013-d2763568d233"],"tag":10,"lacp":["set",[]]}]}],"error":null}
        """;

    /// <summary>The Interface row libvirt makes for a guest's tap (external_ids as libvirt sets them), selected.</summary>
    public const string SelectGuestInterfaceReply = """
        {"id":11,"result":[{"rows":[{"name":"vnet0","mtu_request":["set",[]],"options":["map",[]],"external_ids":["map",[["attached-mac","52:54:00:6d:1e:01"],["iface-id","6f1b6f2a-3c5d-4c1e-9a57-2b9f0e0d6a11"],["iface-status","active"],["vm-id","0b6a2d3e-5f4c-4e7a-9d1b-8c2f3e4a5b6c"]]],"type":""}]}],"error":null}
        """;

    /// <summary>An update of Port.tag to 5000: the operation's error, OVSDB's words.</summary>
    public const string ConstraintViolationReply = """
        {"id":9,"result":[{"details":"5000 is not in the valid range 0 to 4095 (inclusive)","error":"constraint violation"}],"error":null}
        """;

    /// <summary>A wait on Bridge.ports with timeout 0 whose rows differ.</summary>
    public const string WaitTimedOutResult = """
        [{"details":"\"where\" clause test failed","error":"timed out"}]
        """;

    /// <summary>A delete that succeeded, then the commit refused: one element more than operations.</summary>
    public const string CommitRefusedResult = """
        [{"count":1},{"details":"cannot delete Interface row 31d1d3d3-b747-4034-8013-d2763568d233 because of 1 remaining reference(s)","error":"referential integrity violation"}]
        """;

    /// <summary>A transact on a database the server does not hold: the JSON-RPC error itself.</summary>
    public const string UnknownDatabaseReply = """
        {"id":7,"error":{"syntax":"[\"Nope\",{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[]}]","details":"transact request specifies unknown database Nope","error":"unknown database"}}
        """;

    public const string EchoReply = """{"id":"echo","result":["x"],"error":null}""";
}

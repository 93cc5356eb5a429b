using System.Buffers.Binary;
using Kvm.Provider.Remote.Sftp;

namespace Kvm.Provider.Tests.Remote.Sftp;

/// <summary>The client against a fake server whose every byte the test chooses.</summary>
public class SftpClientTests
{
    private static readonly TimeSpan Deadline = FakeSftpServer.Deadline;
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task Replies_out_of_order_reach_their_own_callers()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var a = client.StatAsync("a", default);
        var b = client.StatAsync("b", default);
        var first = await server.ReadRequestAsync();
        var second = await server.ReadRequestAsync();
        Assert.Equal(("a", "b"), (first.FirstPath, second.FirstPath));
        Assert.NotEqual(first.Id, second.Id);
        await server.SendAsync(Reply.Attributes(second.Id, 2, 0x81A4));
        await server.SendAsync(Reply.Attributes(first.Id, 1, 0x41ED));

        Assert.Equal(new SftpAttributes(1, (UnixFileMode)0x1ED, true, false), await a.WaitAsync(Deadline));
        Assert.Equal(new SftpAttributes(2, (UnixFileMode)0x1A4, false, true), await b.WaitAsync(Deadline));
    }

    [Fact]
    public async Task An_error_status_becomes_an_SftpException_with_the_servers_message()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var stat = client.StatAsync("secret", default);
        var request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Status(request.Id, SftpStatus.PermissionDenied, "no way"));

        var e = await Assert.ThrowsAsync<SftpException>(() => stat.WaitAsync(Deadline));
        Assert.Equal(SftpStatus.PermissionDenied, e.Status);
        Assert.Equal("no way", e.ServerMessage);
        Assert.Equal("STAT", e.Request);
        Assert.Equal("secret", e.Path);
        Assert.Equal("SFTP STAT of 'secret' failed: SSH_FX_PERMISSION_DENIED (server: \"no way\")", e.Message);
    }

    [Fact]
    public async Task A_status_without_message_and_an_unknown_code_are_still_read()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var remove = client.RemoveAsync("f", default);
        var request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Packet(SftpPacketType.Status, request.Id, Reply.U32(99)));

        var e = await Assert.ThrowsAsync<SftpException>(() => remove.WaitAsync(Deadline));
        Assert.Equal((SftpStatus)99, e.Status);
        Assert.Equal("", e.ServerMessage);
        Assert.Contains("status 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stat_of_a_missing_path_is_null_and_remove_of_one_is_false()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;
        var serving = server.ServeAsync(r => Reply.Status(r.Id, SftpStatus.NoSuchFile, "No such file"));

        Assert.Null(await client.StatAsync("gone", default).WaitAsync(Deadline));
        Assert.False(await client.RemoveAsync("gone", default).WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_reply_of_the_wrong_type_or_a_malformed_one_is_a_protocol_error()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var stat = client.StatAsync("a", default);
        var request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Handle(request.Id, [1]));
        Assert.Equal("SFTP server answered STAT with HANDLE, ATTRS expected",
            (await Assert.ThrowsAsync<SftpProtocolException>(() => stat.WaitAsync(Deadline))).Message);

        stat = client.StatAsync("a", default);
        request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Packet(SftpPacketType.Attributes, request.Id, Reply.U32(0x1), Reply.U32(0)));
        Assert.StartsWith("SFTP ATTRS reply to STAT is malformed: size needs 8 bytes, 4 left",
            (await Assert.ThrowsAsync<SftpProtocolException>(() => stat.WaitAsync(Deadline))).Message, StringComparison.Ordinal);

        var realpath = client.RealPathAsync(".", default);
        request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Ok(request.Id));
        await Assert.ThrowsAsync<SftpProtocolException>(() => realpath.WaitAsync(Deadline));
    }

    [Fact]
    public async Task An_oversized_reply_fails_the_request_and_the_session_at_once()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var stat = client.StatAsync("a", default);
        await server.ReadRequestAsync();
        // Announces 2 GiB and sends nothing more: refused on the length alone, no wait, no allocation.
        await server.SendAsync(Reply.U32(0x7FFF_FFFF));

        var e = await Assert.ThrowsAsync<SftpProtocolException>(() => stat.WaitAsync(Deadline));
        Assert.Equal("SFTP STAT got no reply: SFTP server sent a packet of length 2147483647, over the 263168-byte limit", e.Message);
        var later = await Assert.ThrowsAsync<SftpProtocolException>(() => client.StatAsync("b", default).WaitAsync(Deadline));
        Assert.StartsWith("SFTP STAT was not sent: ", later.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_reply_fails_the_request_when_the_stream_ends()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var stat = client.StatAsync("a", default);
        var request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Attributes(request.Id, 1, 0)[..10]);
        server.CloseOutput();

        var e = await Assert.ThrowsAsync<SftpProtocolException>(() => stat.WaitAsync(Deadline));
        Assert.Contains("truncated packet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task End_of_stream_fails_every_request_in_flight()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var stat = client.StatAsync("a", default);
        var mkdir = client.CreateDirectoryAsync("d", Mode, default);
        await server.ReadRequestAsync();
        await server.ReadRequestAsync();
        server.CloseOutput();

        Assert.Equal("SFTP STAT got no reply: SFTP server closed its output (end of stream)",
            (await Assert.ThrowsAsync<SftpProtocolException>(() => stat.WaitAsync(Deadline))).Message);
        Assert.Equal("SFTP MKDIR got no reply: SFTP server closed its output (end of stream)",
            (await Assert.ThrowsAsync<SftpProtocolException>(() => mkdir.WaitAsync(Deadline))).Message);
    }

    [Fact]
    public async Task A_reply_to_no_request_ends_the_session()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        var stat = client.StatAsync("a", default);
        var request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Ok(request.Id + 1000));

        var e = await Assert.ThrowsAsync<SftpProtocolException>(() => stat.WaitAsync(Deadline));
        Assert.Contains($"STATUS for request id {request.Id + 1000}, which is not in flight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_stops_the_wait_and_the_late_reply_is_dropped_quietly()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;
        using var cancel = new CancellationTokenSource();

        var stat = client.StatAsync("slow", cancel.Token);
        var slow = await server.ReadRequestAsync();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stat.WaitAsync(Deadline));

        await server.SendAsync(Reply.Attributes(slow.Id, 1, 0));
        var next = client.StatAsync("next", default);
        var request = await server.ReadRequestAsync();
        await server.SendAsync(Reply.Attributes(request.Id, 2, 0));
        Assert.Equal(2, (await next.WaitAsync(Deadline))!.Size);
    }

    [Fact]
    public async Task A_path_with_nul_is_refused_before_anything_is_sent()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;

        await Assert.ThrowsAsync<ArgumentException>(() => client.StatAsync("a\0b", default));
        await Assert.ThrowsAsync<ArgumentException>(() => client.RenameAsync("a", "b\0", default));

        var stat = client.StatAsync("ok", default);
        Assert.Equal("ok", (await server.ReadRequestAsync()).FirstPath);
    }

    [Fact]
    public async Task The_handshake_refuses_another_version_another_reply_or_silence_and_closes_the_streams()
    {
        async Task<string> Refused(byte[]? reply)
        {
            await using var server = new FakeSftpServer();
            var open = SftpClient.OpenAsync(server.ToServer, server.FromServer, default);
            await server.ReadRequestAsync();
            if (reply is null) server.CloseOutput(); else await server.SendAsync(reply);
            var e = await Assert.ThrowsAsync<SftpProtocolException>(() => open.WaitAsync(Deadline));
            Assert.Null(await server.TryReadRequestAsync());
            return e.Message;
        }

        Assert.Equal("SFTP server speaks protocol version 2; this client speaks version 3", await Refused(Reply.Version(2)));
        Assert.Equal("SFTP server answered INIT with STATUS, VERSION expected", await Refused(Reply.Status(3, SftpStatus.Failure)));
        Assert.Contains("before answering INIT", await Refused(null), StringComparison.Ordinal);
        Assert.Contains("VERSION reply is malformed", await Refused(Reply.Packet(SftpPacketType.Version, 3, Reply.Str("x"))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extensions_are_listed_and_used_only_at_the_version_the_client_speaks()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync([("posix-rename@openssh.com", "2"), ("x@example.com", "a"), ("x@example.com", "b")]);
        await using var _ = server;
        await using var __ = client;

        Assert.Equal(new Dictionary<string, string> { ["posix-rename@openssh.com"] = "2", ["x@example.com"] = "a" }, client.Extensions);
        var rename = client.RenameAsync("a", "b", default);
        var request = await server.ReadRequestAsync();
        Assert.Equal(SftpPacketType.Rename, request.Type);
        await server.SendAsync(Reply.Ok(request.Id));
        await rename.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Rename_uses_posix_rename_when_offered()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync([("posix-rename@openssh.com", "1")]);
        await using var _ = server;
        await using var __ = client;

        var rename = client.RenameAsync("a", "b", default);
        var request = await server.ReadRequestAsync();
        Assert.Equal("posix-rename@openssh.com", request.ExtensionName);
        await server.SendAsync(Reply.Status(request.Id, SftpStatus.NoSuchFile, "No such file"));

        var e = await Assert.ThrowsAsync<SftpException>(() => rename.WaitAsync(Deadline));
        Assert.Equal(("posix-rename@openssh.com", "a", "b"), (e.Request, e.Path, e.TargetPath));
    }

    [Fact]
    public async Task Upload_pipelines_writes_within_the_servers_limits_and_fsyncs_before_closing()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync(
            [("limits@openssh.com", "1"), ("fsync@openssh.com", "1")], new SftpLimits(0, 0, 1000, 0));
        await using var _ = server;
        await using var __ = client;
        var content = TestBytes.Random(10_500, seed: 1);
        var upload = client.UploadAsync("f", new MemoryStream(content), Mode, default);

        var open = await server.ReadRequestAsync();
        Assert.Equal((SftpPacketType.Open, "f"), (open.Type, open.FirstPath));
        Assert.Equal(Reply.U32(0x2A), open.Body[5..9]);
        await server.SendAsync(Reply.Handle(open.Id, [9, 9]));
        var chmod = await server.ReadRequestAsync();
        Assert.Equal(SftpPacketType.FSetStat, chmod.Type);
        // Every WRITE arrives before any is answered: they are in flight together.
        var writes = new List<FakeSftpServer.Request>();
        for (var i = 0; i < 11; i++)
            writes.Add(await server.ReadRequestAsync());
        var received = new byte[content.Length];
        foreach (var write in writes)
        {
            Assert.Equal(SftpPacketType.Write, write.Type);
            Assert.Equal([9, 9], write.FirstString);
            var offset = BinaryPrimitives.ReadUInt64BigEndian(write.Body.AsSpan(6));
            var data = write.Body[18..];
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(write.Body.AsSpan(14)), (uint)data.Length);
            Assert.True(data.Length <= 1000);
            data.CopyTo(received, (int)offset);
        }
        Assert.Equal(content, received);
        foreach (var write in Enumerable.Reverse(writes))
            await server.SendAsync(Reply.Ok(write.Id));
        await server.SendAsync(Reply.Ok(chmod.Id));
        var fsync = await server.ReadRequestAsync();
        Assert.Equal("fsync@openssh.com", fsync.ExtensionName);
        await server.SendAsync(Reply.Ok(fsync.Id));
        var close = await server.ReadRequestAsync();
        Assert.Equal(SftpPacketType.Close, close.Type);
        await server.SendAsync(Reply.Ok(close.Id));

        await upload.WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_refused_write_closes_the_handle_and_removes_the_partial_file()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;
        await using var __ = client;
        var seen = new List<byte>();
        var serving = server.ServeAsync(r =>
        {
            seen.Add(r.Type);
            return r.Type switch
            {
                SftpPacketType.Open => Reply.Handle(r.Id, [1]),
                SftpPacketType.Write when BinaryPrimitives.ReadUInt64BigEndian(r.Body.AsSpan(5)) == 32768 => Reply.Status(r.Id, SftpStatus.Failure, "Failure"),
                _ => Reply.Ok(r.Id),
            };
        });

        var e = await Assert.ThrowsAsync<SftpException>(() => client.UploadAsync("f", new MemoryStream(new byte[100_000]), Mode, default).WaitAsync(Deadline));

        Assert.Equal(("WRITE", "f"), (e.Request, e.Path));
        Assert.Equal([SftpPacketType.Open, SftpPacketType.FSetStat, SftpPacketType.Write, SftpPacketType.Write, SftpPacketType.Write, SftpPacketType.Write, SftpPacketType.Close, SftpPacketType.Remove], seen);
    }

    [Fact]
    public async Task Disposing_fails_the_calls_in_flight_and_later_ones()
    {
        var (server, client) = await FakeSftpServer.ConnectAsync();
        await using var _ = server;

        var stat = client.StatAsync("a", default);
        await server.ReadRequestAsync();
        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => stat.WaitAsync(Deadline));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.StatAsync("b", default).WaitAsync(Deadline));
        Assert.Null(await server.TryReadRequestAsync());
    }
}

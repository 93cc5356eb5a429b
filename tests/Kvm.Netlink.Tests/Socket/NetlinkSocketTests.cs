using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Socket;

/// <summary>The socket's exchange logic against a fake kernel that answers exactly as each test scripts it.</summary>
public sealed class NetlinkSocketTests
{
    [Fact]
    public async Task Dump_reads_every_datagram_up_to_done()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var list = links.ListAsync();
        var request = kernel.ReceiveRequest();
        kernel.Send(FakeKernel.Link(request.Sequence, 1, "lo"), FakeKernel.Link(request.Sequence, 2, "br0"));
        kernel.Send(FakeKernel.Link(request.Sequence, 3, "p0"));
        kernel.Send(FakeKernel.Done(request.Sequence));

        Assert.Equal(["lo", "br0", "p0"], (await list).Select(l => l.Name).ToArray());
        Assert.Equal(NetlinkMessageType.GetLink, request.Type);
        Assert.Equal(1, kernel.Client.RequestsSent);
    }

    [Fact]
    public async Task Interrupted_dump_is_run_again()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);
        var sent = new List<string>();
        kernel.Client.RequestSent += r => sent.Add(r.Operation);

        var list = links.ListAsync();
        var first = kernel.ReceiveRequest();
        kernel.Send(FakeKernel.Link(first.Sequence, 1, "lo"), FakeKernel.Link(first.Sequence, 2, "old", NetlinkMessageFlags.DumpInterrupted));
        kernel.Send(FakeKernel.Done(first.Sequence, extraFlags: NetlinkMessageFlags.DumpInterrupted));
        var second = kernel.ReceiveRequest();
        kernel.Send(FakeKernel.Link(second.Sequence, 1, "lo"), FakeKernel.Link(second.Sequence, 3, "new"), FakeKernel.Done(second.Sequence));

        Assert.Equal(["lo", "new"], (await list).Select(l => l.Name).ToArray());
        Assert.NotEqual(first.Sequence, second.Sequence);
        Assert.Equal(2, kernel.Client.RequestsSent);
        Assert.Equal(["RTM_GETLINK", "RTM_GETLINK"], sent);
    }

    [Fact]
    public async Task Dump_that_keeps_being_interrupted_gives_up_with_EINTR()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var list = links.ListAsync();
        for (var attempt = 0; attempt < NetlinkSocket.MaxDumpAttempts; attempt++)
        {
            var request = kernel.ReceiveRequest();
            kernel.Send(FakeKernel.Done(request.Sequence, extraFlags: NetlinkMessageFlags.DumpInterrupted));
        }

        var error = await Assert.ThrowsAsync<NetlinkException>(() => list);
        Assert.Equal(Errno.EINTR, error.Errno);
        Assert.Equal(NetlinkSocket.MaxDumpAttempts, kernel.Client.RequestsSent);
    }

    [Fact]
    public async Task Kernel_error_becomes_a_typed_exception_with_the_extended_ack()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var set = links.SetAsync(7, new LinkChange { Mtu = 10 });
        var request = kernel.ReceiveRequest();
        kernel.Send(FakeKernel.Error(request.Sequence, -Errno.EINVAL, "mtu less than device minimum"));

        var error = await Assert.ThrowsAsync<NetlinkException>(() => set);
        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.Equal("EINVAL", error.ErrnoName);
        Assert.Equal("RTM_NEWLINK", error.Operation);
        Assert.Equal("mtu less than device minimum", error.ExtendedAckMessage);
    }

    [Fact]
    public async Task Dump_failing_midway_reports_the_status_of_done()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var list = links.ListAsync();
        var request = kernel.ReceiveRequest();
        kernel.Send(FakeKernel.Link(request.Sequence, 1, "lo"), FakeKernel.Done(request.Sequence, -Errno.EMSGSIZE));

        var error = await Assert.ThrowsAsync<NetlinkException>(() => list);
        Assert.Equal(Errno.EMSGSIZE, error.Errno);
    }

    [Fact]
    public async Task Replies_to_other_sequence_numbers_are_ignored()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var get = links.GetByIndexAsync(2);
        var request = kernel.ReceiveRequest();
        kernel.Send(FakeKernel.Link(request.Sequence - 1, 9, "stale"), FakeKernel.Error(request.Sequence + 5, -Errno.EBUSY));
        kernel.Send(FakeKernel.Link(request.Sequence, 2, "br0"), FakeKernel.Error(request.Sequence, 0));

        Assert.Equal("br0", (await get)!.Name);
    }

    [Fact]
    public async Task ENODEV_on_get_is_null_and_on_delete_is_already_gone()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var get = links.GetByNameAsync("gone");
        kernel.Send(FakeKernel.Error(kernel.ReceiveRequest().Sequence, -Errno.ENODEV));
        Assert.Null(await get);

        var delete = links.DeleteAsync(5);
        kernel.Send(FakeKernel.Error(kernel.ReceiveRequest().Sequence, -Errno.ENODEV));
        Assert.Equal(DeleteOutcome.AlreadyGone, await delete);

        var otherError = links.DeleteAsync(5);
        kernel.Send(FakeKernel.Error(kernel.ReceiveRequest().Sequence, -Errno.EPERM));
        Assert.Equal(Errno.EPERM, (await Assert.ThrowsAsync<NetlinkException>(() => otherError)).Errno);
    }

    [Fact]
    public async Task Datagram_larger_than_the_initial_buffer_is_received_whole()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var list = links.ListAsync();
        var request = kernel.ReceiveRequest();
        var many = Enumerable.Range(1, 3000).Select(i => FakeKernel.Link(request.Sequence, i, $"l{i}")).ToArray();
        Assert.True(many.Sum(m => m.Length) > 64 * 1024);
        kernel.Send([.. many, FakeKernel.Done(request.Sequence)]);

        var result = await list;
        Assert.Equal(3000, result.Count);
        Assert.Equal("l3000", result[^1].Name);
    }

    [Fact]
    public async Task Decode_error_midway_is_thrown_after_the_dump_ends_and_the_socket_stays_usable()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        var list = links.ListAsync();
        var request = kernel.ReceiveRequest();
        var nameless = FakeKernel.Message(NetlinkMessageType.NewLink, NetlinkMessageFlags.Multi, request.Sequence, new byte[IfInfoMessage.Size]);
        kernel.Send(nameless, FakeKernel.Link(request.Sequence, 2, "br0"));
        kernel.Send(FakeKernel.Done(request.Sequence));
        await Assert.ThrowsAsync<NetlinkDecodeException>(() => list);

        var get = links.GetByIndexAsync(2);
        var next = kernel.ReceiveRequest();
        kernel.Send(FakeKernel.Link(next.Sequence, 2, "br0"), FakeKernel.Error(next.Sequence, 0));
        Assert.Equal("br0", (await get)!.Name);
    }

    [Fact]
    public async Task Cancellation_before_the_send_sends_nothing()
    {
        using var kernel = FakeKernel.Create();
        var links = new LinkService(kernel.Client);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => links.ListAsync(new CancellationToken(canceled: true)));

        Assert.Equal(0, kernel.Client.RequestsSent);
    }

    [Fact]
    public async Task Requests_without_ack_or_dump_are_refused()
    {
        using var kernel = FakeKernel.Create();
        var noAck = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkMessageFlags.Request).ToRequest();
        var notADump = new NetlinkMessageWriter(NetlinkMessageType.GetLink, NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack).ToRequest();

        await Assert.ThrowsAsync<ArgumentException>(() => kernel.Client.ExecuteAsync(noAck));
        await Assert.ThrowsAsync<ArgumentException>(() => kernel.Client.DumpAsync(notADump, LinkMessages.ParseLink));
    }

    [Fact]
    public async Task Socket_errors_surface_as_NetlinkException_with_the_errno()
    {
        using var kernel = FakeKernel.Create();
        kernel.Vanish();

        var error = await Assert.ThrowsAsync<NetlinkException>(() => new LinkService(kernel.Client).ListAsync());

        Assert.Equal("ECONNREFUSED", error.ErrnoName);
        Assert.Equal("RTM_GETLINK", error.Operation);
        Assert.IsType<System.Net.Sockets.SocketException>(error.InnerException);
    }

    [Fact]
    public void Namespace_names_are_checked()
    {
        Assert.Equal("/run/netns/lab", NetworkNamespace.Named("lab").Path);
        Assert.Equal("/proc/1/ns/net", NetworkNamespace.FromPath("/proc/1/ns/net").Path);
        Assert.Null(NetworkNamespace.Current.Path);
        Assert.Throws<ArgumentException>(() => NetworkNamespace.Named("../etc"));
        Assert.Throws<ArgumentException>(() => NetworkNamespace.Named(""));
        Assert.Throws<ArgumentException>(() => NetworkNamespace.FromPath("relative/ns"));
    }

    [Fact]
    public void Opening_a_missing_namespace_fails_without_touching_the_caller()
    {
        Assert.ThrowsAny<IOException>(() => NetlinkSocket.Open(NetworkNamespace.Named("kvmnl-does-not-exist")));
    }
}

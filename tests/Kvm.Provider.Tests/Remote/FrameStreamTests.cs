using System.IO.Pipelines;
using Google.Protobuf;
using Kvm.Provider.Remote;
using Kvm.Provider.Remote.Wire;

namespace Kvm.Provider.Tests.Remote;

public class FrameStreamTests
{
    private static Frame CallFrame(ulong id, int bytes) =>
        new() { Id = id, Call = new Call { Method = "Check", Request = ByteString.CopyFrom(new byte[bytes]) } };

    [Fact]
    public async Task Frames_of_every_size_arrive_whole_and_in_order()
    {
        var pipe = new Pipe();
        await using var writer = new FrameStream(Stream.Null, pipe.Writer.AsStream());
        await using var reader = new FrameStream(pipe.Reader.AsStream(), Stream.Null);
        var sizes = new[] { 0, 1, 127, 128, 16_383, 16_384, 1_000_000 };
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < sizes.Length; i++) await writer.WriteAsync(CallFrame((ulong)i + 1, sizes[i]), CancellationToken.None);
            await pipe.Writer.CompleteAsync();
        });
        for (var i = 0; i < sizes.Length; i++)
        {
            var frame = await reader.ReadAsync(CancellationToken.None);
            Assert.Equal((ulong)i + 1, frame!.Id);
            Assert.Equal(sizes[i], frame.Call.Request.Length);
        }
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
        await writing;
    }

    [Fact]
    public async Task Concurrent_writers_never_interleave_frames()
    {
        var pipe = new Pipe();
        await using var writer = new FrameStream(Stream.Null, pipe.Writer.AsStream());
        await using var reader = new FrameStream(pipe.Reader.AsStream(), Stream.Null);
        var writes = Enumerable.Range(1, 64).Select(i => Task.Run(() => writer.WriteAsync(CallFrame((ulong)i, 10_000 + i), CancellationToken.None))).ToList();
        var seen = new HashSet<ulong>();
        for (var i = 0; i < 64; i++)
        {
            var frame = (await reader.ReadAsync(CancellationToken.None))!;
            Assert.Equal(10_000 + (int)frame.Id, frame.Call.Request.Length);
            Assert.True(seen.Add(frame.Id));
        }
        await Task.WhenAll(writes);
    }

    [Fact]
    public async Task What_a_login_shell_prints_before_the_marker_is_skipped_and_returned()
    {
        var bytes = new MemoryStream();
        bytes.Write("Welcome to kvm1\n"u8);
        bytes.Write(AgentProtocol.Marker.Span);
        await new FrameStream(Stream.Null, bytes).WriteAsync(CallFrame(7, 3), CancellationToken.None);
        bytes.Position = 0;
        await using var reader = new FrameStream(bytes, Stream.Null);
        Assert.Equal("Welcome to kvm1\n", System.Text.Encoding.ASCII.GetString((await reader.SkipToMarkerAsync(AgentProtocol.Marker, 1024, CancellationToken.None))!));
        Assert.Equal(7ul, (await reader.ReadAsync(CancellationToken.None))!.Id);
    }

    [Fact]
    public async Task A_session_that_ends_before_the_marker_shows_what_was_printed()
    {
        await using var silent = new FrameStream(new MemoryStream(), Stream.Null);
        Assert.Null(await silent.SkipToMarkerAsync(AgentProtocol.Marker, 1024, CancellationToken.None));
        await using var talker = new FrameStream(new MemoryStream("sh: 1: .pulumi-kvm/bin/x: not found\n"u8.ToArray()), Stream.Null);
        var e = await Assert.ThrowsAsync<AgentProtocolException>(() => talker.SkipToMarkerAsync(AgentProtocol.Marker, 1024, CancellationToken.None));
        Assert.Contains("not found", e.Message);
        await using var flood = new FrameStream(new MemoryStream(new byte[5000]), Stream.Null);
        await Assert.ThrowsAsync<AgentProtocolException>(() => flood.SkipToMarkerAsync(AgentProtocol.Marker, 1024, CancellationToken.None));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x0a, 0x01 }, "ended inside a frame")]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x7f }, "over the limit")]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, "longer than 5 bytes")]
    [InlineData(new byte[] { 0x02, 0xff, 0xff }, "did not parse")]
    public async Task Broken_frames_are_protocol_errors(byte[] bytes, string reason)
    {
        await using var reader = new FrameStream(new MemoryStream(bytes), Stream.Null);
        var e = await Assert.ThrowsAsync<AgentProtocolException>(() => reader.ReadAsync(CancellationToken.None));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task Random_bytes_end_in_a_protocol_error_or_frames_never_a_hang_or_another_exception()
    {
        var random = new Random(20261204);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            await using var reader = new FrameStream(new MemoryStream(bytes), Stream.Null);
            try
            {
                while (await reader.ReadAsync(CancellationToken.None) is not null) { }
            }
            catch (AgentProtocolException)
            {
            }
        }
    }
}

using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Kvm.Provider.Remote.Sftp;

namespace Kvm.Provider.Tests.Remote.Sftp;

/// <summary>
/// The server end of two in-memory pipes: the test reads the client's requests and writes
/// whatever bytes it likes back, well-formed or not.
/// </summary>
internal sealed class FakeSftpServer : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly Pipe _requests = new();
    private readonly Pipe _replies = new();
    private readonly Stream _input;
    private readonly Stream _output;

    public FakeSftpServer()
    {
        ToServer = _requests.Writer.AsStream();
        FromServer = _replies.Reader.AsStream();
        _input = _requests.Reader.AsStream();
        _output = _replies.Writer.AsStream();
    }

    /// <summary>The client's ends.</summary>
    public Stream ToServer { get; }
    public Stream FromServer { get; }

    /// <summary>Opens a client: answers its INIT with VERSION 3 and these extensions (and limits@openssh.com, when listed, with <paramref name="limits"/>).</summary>
    public static async Task<(FakeSftpServer Server, SftpClient Client)> ConnectAsync((string Name, string Version)[]? extensions = null, SftpLimits? limits = null)
    {
        var server = new FakeSftpServer();
        var open = SftpClient.OpenAsync(server.ToServer, server.FromServer, default);
        var init = await server.ReadRequestAsync();
        Assert.Equal((SftpPacketType.Init, 3u), (init.Type, init.Id));
        await server.SendAsync(Reply.Version(3, extensions ?? []));
        if (extensions?.Any(e => e.Name == "limits@openssh.com") == true)
        {
            var request = await server.ReadRequestAsync();
            Assert.Equal("limits@openssh.com", request.ExtensionName);
            var l = limits ?? new SftpLimits(0, 0, 0, 0);
            await server.SendAsync(Reply.Packet(SftpPacketType.ExtendedReply, request.Id, Reply.U64(l.MaxPacketLength), Reply.U64(l.MaxReadLength), Reply.U64(l.MaxWriteLength), Reply.U64(l.MaxOpenHandles)));
        }
        return (server, await open.WaitAsync(Deadline));
    }

    /// <summary>The next request, or null when the client closed its output.</summary>
    public async Task<Request?> TryReadRequestAsync()
    {
        var length = new byte[4];
        var got = await _input.ReadAtLeastAsync(length, 4, throwOnEndOfStream: false).AsTask().WaitAsync(Deadline);
        if (got == 0)
            return null;
        var packet = new byte[BinaryPrimitives.ReadUInt32BigEndian(length)];
        await _input.ReadExactlyAsync(packet).AsTask().WaitAsync(Deadline);
        return new Request(packet[0], BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(1)), packet[5..]);
    }

    public async Task<Request> ReadRequestAsync() =>
        await TryReadRequestAsync() ?? throw new InvalidOperationException("the client closed its output");

    public async Task SendAsync(byte[] bytes)
    {
        await _output.WriteAsync(bytes);
        await _output.FlushAsync();
    }

    /// <summary>Ends the server's output: the client sees end of stream.</summary>
    public void CloseOutput() => _replies.Writer.Complete();

    /// <summary>Answers requests until the client closes its output, each with what <paramref name="answer"/> returns (null: no answer).</summary>
    public async Task ServeAsync(Func<Request, byte[]?> answer)
    {
        while (await TryReadRequestAsync() is { } request)
        {
            if (answer(request) is { } reply)
                await SendAsync(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _requests.Reader.CompleteAsync();
        await _replies.Writer.CompleteAsync();
    }

    /// <summary>A request as the client sent it: type, id (INIT: the version) and the fields after them.</summary>
    internal sealed record Request(byte Type, uint Id, byte[] Body)
    {
        /// <summary>The first string field: a path, a handle, or an EXTENDED request's name.</summary>
        public byte[] FirstString => Body[4..(4 + (int)BinaryPrimitives.ReadUInt32BigEndian(Body))];

        public string FirstPath => Encoding.UTF8.GetString(FirstString);

        public string? ExtensionName => Type == SftpPacketType.Extended ? FirstPath : null;
    }
}

/// <summary>Builds server packets byte by byte.</summary>
internal static class Reply
{
    public static byte[] Packet(byte type, uint id, params byte[][] fields)
    {
        var body = fields.SelectMany(f => f).ToArray();
        return [.. U32((uint)(5 + body.Length)), type, .. U32(id), .. body];
    }

    public static byte[] Version(uint version, params (string Name, string Version)[] extensions) =>
        Packet(SftpPacketType.Version, version, [.. extensions.SelectMany(e => (byte[])[.. Str(e.Name), .. Str(e.Version)])]);

    public static byte[] Status(uint id, SftpStatus status, string message = "") =>
        Packet(SftpPacketType.Status, id, U32((uint)status), Str(message), Str("en"));

    public static byte[] Ok(uint id) => Status(id, SftpStatus.Ok, "Success");

    public static byte[] Handle(uint id, byte[] handle) => Packet(SftpPacketType.Handle, id, Str(handle));

    public static byte[] Attributes(uint id, long size, uint mode) =>
        Packet(SftpPacketType.Attributes, id, U32(0x5), U64((ulong)size), U32(mode));

    public static byte[] Name(uint id, string name) =>
        Packet(SftpPacketType.Name, id, U32(1), Str(name), Str(name), U32(0));

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Str(string value) => Str(Encoding.UTF8.GetBytes(value));

    public static byte[] Str(byte[] value) => [.. U32((uint)value.Length), .. value];
}

using System.Diagnostics;
using Kvm.Provider.Remote.Sftp;
using Xunit.Abstractions;

namespace Kvm.Provider.Tests.Remote.Sftp;

/// <summary>
/// A fake server that answers every request with a reply that is sometimes right, sometimes of
/// the wrong type or for the wrong id, sometimes corrupted (then it closes its output, since the
/// framing may be gone). Whatever it sends, the client must only raise SftpException or
/// SftpProtocolException, and never hang.
/// </summary>
public class SftpFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 3000;
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Random_and_mutated_replies_raise_only_sftp_errors_and_never_hang()
    {
        var outcomes = new Outcomes();
        var seeds = new Random(20240611);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Iterations; i++)
        {
            var seed = seeds.Next();
            try
            {
                await RunAsync(seed, outcomes).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {i}, seed {seed}: {e}");
            }
        }
        output.WriteLine($"{Iterations} iterations in {clock.ElapsedMilliseconds} ms: {outcomes}");
        // The fuzzer reaches past the handshake, and each kind of outcome happens.
        Assert.True(outcomes.Opened > Iterations / 4, outcomes.ToString());
        Assert.True(outcomes.Succeeded > 0 && outcomes.Refused > 0 && outcomes.Broken > 0, outcomes.ToString());
    }

    private static async Task RunAsync(int seed, Outcomes outcomes)
    {
        var random = new Random(seed);
        await using var server = new FakeSftpServer();
        var serving = ServeAsync(server, random);
        SftpClient client;
        try
        {
            client = await SftpClient.OpenAsync(server.ToServer, server.FromServer, default);
        }
        catch (Exception e) when (e is SftpProtocolException or SftpException)
        {
            outcomes.Broken++;
            await serving;
            return;
        }
        outcomes.Opened++;
        await using (client)
        {
            var content = new byte[random.Next(0, 20_000)];
            await Call(outcomes, () => client.StatAsync("a", default));
            await Call(outcomes, () => client.CreateDirectoryAsync("d", Mode, default));
            await Call(outcomes, () => client.UploadAsync("f", new MemoryStream(content), Mode, default));
            await Call(outcomes, () => client.RenameAsync("f", "g", default));
            await Call(outcomes, () => client.RemoveAsync("g", default));
            await Call(outcomes, () => client.RealPathAsync(".", default));
        }
        await serving;
    }

    private static async Task Call(Outcomes outcomes, Func<Task> call)
    {
        try
        {
            await call();
            outcomes.Succeeded++;
        }
        catch (SftpException)
        {
            outcomes.Refused++;
        }
        catch (SftpProtocolException)
        {
            outcomes.Broken++;
        }
    }

    /// <summary>Answers each request once until the client closes, or until a corrupted reply (then closes its output).</summary>
    private static async Task ServeAsync(FakeSftpServer server, Random random)
    {
        while (await server.TryReadRequestAsync() is { } request)
        {
            var reply = Answer(request, random);
            if (random.Next(4) == 0)
            {
                await server.SendAsync(Mutate(reply, random));
                server.CloseOutput();
                break;
            }
            await server.SendAsync(reply);
        }
        // Drain: the client may still write until it sees the end.
        while (await server.TryReadRequestAsync() is not null) { }
    }

    private static byte[] Answer(FakeSftpServer.Request request, Random random)
    {
        var id = random.Next(20) == 0 ? (uint)random.Next() : request.Id;
        var type = random.Next(8) == 0 ? (byte)random.Next(256) : request.Type;
        return type switch
        {
            SftpPacketType.Init => Reply.Version(random.Next(10) == 0 ? 4u : 3u, Extensions(random)),
            SftpPacketType.Open => Reply.Handle(id, random.Next(10) == 0 ? new byte[300] : [1, 2, 3, 4]),
            SftpPacketType.Stat => random.Next(2) == 0
                ? Reply.Packet(SftpPacketType.Attributes, id, RandomAttributes(random))
                : Reply.Status(id, (SftpStatus)random.Next(10), "no"),
            SftpPacketType.RealPath => Reply.Name(id, "/home/x"),
            SftpPacketType.Extended when request.ExtensionName == "limits@openssh.com" => Reply.Packet(SftpPacketType.ExtendedReply, id,
                Reply.U64(Pick<ulong>(random, 0, 10, 29, 34_000, 1UL << 63)), Reply.U64(0), Reply.U64(Pick<ulong>(random, 0, 100, 1000, 32_768, 1UL << 40)), Reply.U64(0)),
            SftpPacketType.Open or SftpPacketType.Close or SftpPacketType.Write or SftpPacketType.FSetStat or SftpPacketType.SetStat
                or SftpPacketType.Remove or SftpPacketType.MakeDirectory or SftpPacketType.Rename or SftpPacketType.Extended
                => Reply.Status(id, random.Next(3) == 0 ? (SftpStatus)random.Next(10) : SftpStatus.Ok, "m"),
            _ => RandomReply(id, random),
        };
    }

    private static byte[] RandomReply(uint id, Random random)
    {
        byte[] body = new byte[random.Next(0, 64)];
        random.NextBytes(body);
        return Reply.Packet(Pick(random, SftpPacketType.Version, SftpPacketType.Status, SftpPacketType.Handle, SftpPacketType.Data,
            SftpPacketType.Name, SftpPacketType.Attributes, SftpPacketType.ExtendedReply, (byte)random.Next(256)), id, body);
    }

    private static (string, string)[] Extensions(Random random) =>
    [
        .. new[] { ("posix-rename@openssh.com", "1"), ("fsync@openssh.com", "1"), ("limits@openssh.com", "1"), ("statvfs@openssh.com", "2") }
            .Where(_ => random.Next(2) == 0),
    ];

    private static byte[] RandomAttributes(Random random)
    {
        var flags = (uint)random.Next(16) | (random.Next(4) == 0 ? 0x8000_0000 : 0);
        List<byte> bytes = [.. Reply.U32(flags)];
        if ((flags & 1) != 0) bytes.AddRange(Reply.U64(random.Next(2) == 0 ? (ulong)random.Next() : ulong.MaxValue));
        if ((flags & 2) != 0) bytes.AddRange([.. Reply.U32(0), .. Reply.U32(0)]);
        if ((flags & 4) != 0) bytes.AddRange(Reply.U32((uint)random.Next()));
        if ((flags & 8) != 0) bytes.AddRange([.. Reply.U32(0), .. Reply.U32(0)]);
        if ((flags & 0x8000_0000) != 0) bytes.AddRange([.. Reply.U32(1), .. Reply.Str("t"), .. Reply.Str("d")]);
        return [.. bytes];
    }

    private static byte[] Mutate(byte[] reply, Random random)
    {
        var bytes = reply.ToArray();
        switch (random.Next(5))
        {
            case 0: // flip bytes, the length field included
                for (var n = random.Next(1, 4); n > 0; n--)
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 1: // truncate
                return bytes[..random.Next(bytes.Length)];
            case 2: // a random length field
                Reply.U32(Pick<uint>(random, 0, 1, 4, 5, (uint)random.Next(), uint.MaxValue, 256 * 1024 + 1025)).CopyTo(bytes, 0);
                return bytes;
            case 3: // garbage after it
                var tail = new byte[random.Next(1, 40)];
                random.NextBytes(tail);
                return [.. bytes, .. tail];
            default: // garbage instead of it
                var garbage = new byte[random.Next(0, 40)];
                random.NextBytes(garbage);
                return garbage;
        }
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    private sealed class Outcomes
    {
        public int Opened;
        public int Succeeded;
        public int Refused;
        public int Broken;

        public override string ToString() => $"{Opened} opened, {Succeeded} calls succeeded, {Refused} refused (SftpException), {Broken} broken (SftpProtocolException)";
    }
}

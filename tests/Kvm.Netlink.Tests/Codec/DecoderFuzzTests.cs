using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Codec;

/// <summary>
/// Mutation fuzzing of every decoder: real kernel replies and our own requests, bit-flipped,
/// truncated, with corrupted length fields, spliced and stacked. With a fixed seed the run is
/// the same every time. The only exception allowed out of the decoders is
/// <see cref="NetlinkDecodeException"/>; the readers advance by at least a header per step, so
/// finishing the loop is the proof that nothing hangs.
/// </summary>
public sealed class DecoderFuzzTests
{
    private const int Iterations = 150_000;
    private const int Seed = 0x6e6c_6675;

    [Fact]
    public void Mutated_messages_raise_only_NetlinkDecodeException()
    {
        var corpus = Corpus();
        var random = new Random(Seed);
        var outcome = new Outcome();

        for (var i = 0; i < Iterations; i++)
        {
            var input = Mutate(corpus, random);
            try
            {
                DecodeEverything(input, outcome);
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {i}: {e.GetType().Name}: {e.Message}\ninput: {Hex.Of(input)}\n{e.StackTrace}");
            }
        }

        // The mutations must exercise both sides: inputs that still decode and inputs that do not.
        Assert.True(outcome.Decoded > Iterations, $"only {outcome.Decoded} decodes succeeded");
        Assert.True(outcome.Rejected > Iterations / 10, $"only {outcome.Rejected} inputs were rejected");
    }

    [Fact]
    public void The_unmutated_corpus_decodes_cleanly()
    {
        foreach (var datagram in Corpus().Where(d => d.Length > 0))
        {
            foreach (var message in new NetlinkMessageReader(datagram))
                _ = message.Header;
        }
    }

    private sealed class Outcome
    {
        public long Decoded;
        public long Rejected;

        /// <summary>Runs one decoder; a decode error is a legitimate outcome, anything else escapes to the test.</summary>
        public void Try<T>(T state, Action<T> decode)
        {
            try
            {
                decode(state);
                Decoded++;
            }
            catch (NetlinkDecodeException)
            {
                Rejected++;
            }
        }
    }

    private static void DecodeEverything(byte[] datagram, Outcome outcome)
    {
        var messages = new List<(NetlinkHeader Header, byte[] Payload)>();
        outcome.Try(datagram, d =>
        {
            foreach (var message in new NetlinkMessageReader(d))
                messages.Add((message.Header, message.Payload.ToArray()));
        });

        foreach (var (header, payload) in messages)
        {
            // Every parser sees every payload, whatever type the (possibly mutated) header claims.
            outcome.Try(payload, p => LinkMessages.ParseLink(View(header, NetlinkMessageType.NewLink, p)));
            outcome.Try(payload, p => AddressMessages.ParseAddress(View(header, NetlinkMessageType.NewAddress, p)));
            outcome.Try(payload, p => RouteMessages.ParseRoute(View(header, NetlinkMessageType.NewRoute, p)));
            outcome.Try(AsBridgeFamily(payload), p => BridgeVlanMessages.ParseTable(View(header, NetlinkMessageType.NewLink, p)));
            outcome.Try(payload, p => NetlinkAcknowledgement.ReadError(View(header, NetlinkMessageType.Error, p)));
            outcome.Try(payload, p => NetlinkAcknowledgement.ReadDone(View(header, NetlinkMessageType.Done, p)));
            foreach (var familyHeaderSize in new[] { IfInfoMessage.Size, RouteMessage.Size })
                outcome.Try(payload, p => Walk(View(header, header.Type, p).AttributesAfter(familyHeaderSize), depth: 0, outcome));
        }
    }

    private static NetlinkMessage View(NetlinkHeader header, ushort type, byte[] payload) => new(header with { Type = type }, payload);

    private static byte[] AsBridgeFamily(byte[] payload)
    {
        var copy = (byte[])payload.Clone();
        if (copy.Length > 0)
            copy[0] = NetlinkAddressFamily.Bridge;
        return copy;
    }

    /// <summary>
    /// Follows every NLA_F_NESTED attribute and reads every value as a string and as the
    /// scalars it is long enough for (the size checks themselves are covered by the codec tests;
    /// skipping the throws that would follow keeps the run fast).
    /// </summary>
    private static void Walk(NetlinkAttributeReader attributes, int depth, Outcome outcome)
    {
        foreach (var attribute in attributes)
        {
            _ = attribute.GetString();
            var length = attribute.Value.Length;
            if (length >= 1) _ = attribute.GetByte();
            if (length >= 2) _ = attribute.GetUInt16() + attribute.GetUInt16BigEndian();
            if (length >= 4) _ = attribute.GetUInt32();
            if (length >= 8) _ = attribute.GetUInt64();
            // Only attributes that claim to be nested: the kernel's unflagged nests are walked by the parsers above.
            if (attribute.IsNested && depth < 6)
            {
                var value = attribute.Value.ToArray();
                var rawType = attribute.RawType;
                outcome.Try(value, v => Walk(new NetlinkAttribute(rawType, v).GetNested(), depth + 1, outcome));
            }
        }
    }

    private static byte[] Mutate(IReadOnlyList<byte[]> corpus, Random random)
    {
        var bytes = new List<byte>(corpus[random.Next(corpus.Count)]);
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    var bit = random.Next(bytes.Count * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = random.Next(4) switch { 0 => 0x00, 1 => 0xff, 2 => 0x80, _ => (byte)random.Next(256) };
                    break;
                case 2:
                    var keep = random.Next(bytes.Count + 1);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 3 when bytes.Count >= 4:
                    CorruptLength16(bytes, random);
                    break;
                case 4 when bytes.Count >= 4:
                    CorruptLength32(bytes, random);
                    break;
                case 5:
                    var insertAt = random.Next(bytes.Count + 1);
                    bytes.InsertRange(insertAt, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                    break;
                case 6 when bytes.Count > 0:
                    var start = random.Next(bytes.Count);
                    var length = random.Next(1, Math.Min(64, bytes.Count - start) + 1);
                    if (random.Next(2) == 0)
                        bytes.RemoveRange(start, length);
                    else
                        bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(start, length));
                    break;
                case 7:
                    bytes.AddRange(corpus[random.Next(corpus.Count)]);
                    break;
            }
        }
        return bytes.ToArray();
    }

    /// <summary>nla_len fields sit at 4-byte boundaries, so aim there with the values that hurt.</summary>
    private static void CorruptLength16(List<byte> bytes, Random random)
    {
        var offset = random.Next(bytes.Count / 4) * 4;
        var original = BitConverter.ToUInt16([bytes[offset], bytes[offset + 1]]);
        ushort value = random.Next(7) switch
        {
            0 => 0,
            1 => (ushort)random.Next(1, 4),
            2 => 4,
            3 => ushort.MaxValue,
            4 => (ushort)(original + random.Next(-4, 5)),
            5 => (ushort)(bytes.Count - offset + random.Next(-2, 3)),
            _ => (ushort)random.Next(65536),
        };
        bytes[offset] = (byte)value;
        bytes[offset + 1] = (byte)(value >> 8);
    }

    /// <summary>nlmsg_len (and the echoed request length in NLMSG_ERROR) are u32 at 4-byte boundaries.</summary>
    private static void CorruptLength32(List<byte> bytes, Random random)
    {
        var offset = random.Next(bytes.Count / 4) * 4;
        var value = random.Next(6) switch
        {
            0 => 0u,
            1 => (uint)random.Next(1, 17),
            2 => uint.MaxValue,
            3 => (uint)(bytes.Count - offset + random.Next(-4, 5)),
            4 => 0x8000_0000u,
            _ => (uint)random.Next(),
        };
        for (var i = 0; i < 4; i++)
            bytes[offset + i] = (byte)(value >> (8 * i));
    }

    private static List<byte[]> Corpus()
    {
        var corpus = new List<byte[]>(CapturedMessages.All)
        {
            Hex.Bytes(ResponseDecodingTests.BridgePortWithVlans),
            LinkMessages.CreateBridge(new NewBridge("br0")
            {
                Address = MacAddress.Parse("02:00:00:00:00:01"),
                Options = new BridgeOptions { StpState = BridgeStpState.Kernel, VlanProtocol = BridgeVlanProtocol.Dot1Q, VlanDefaultPvid = 1, AgeingTimeCentiseconds = 30000 },
            }).Encode(1),
            LinkMessages.Change(3, new LinkChange { Mtu = 9000, MasterIndex = 2, Bridge = new BridgeOptions { VlanFiltering = true } }).Encode(2),
            Assert.Single(BridgeVlanMessages.Add(4, VlanTarget.BridgePort, [new VlanEntry(1, 1, true, true), VlanEntry.Of(10, 20), VlanEntry.Of(30)])).Encode(3),
            RouteMessages.DumpMainTableVia(2).Encode(4),
            Hex.Bytes("""
                40000000 1800 0200 05000000 00000000
                02 00 00 00 fe 03 00 01 00000000
                0800 0f00 fe000000
                1c00 0900
                  1000 00 00 03000000
                    0800 0500 0a000001
                  0800 00 00 07000000
                """),
            Hex.Bytes("""
                34000000 0200 0003 07000000 9a020000
                eaffffff
                4c000000 1000 0500 07000000 00000000
                0800 0100 62616400
                0800 0200 20000000
                """),
        };
        return corpus;
    }
}

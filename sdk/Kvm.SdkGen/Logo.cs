using System.Buffers.Binary;

namespace Kvm.SdkGen;

/// <summary>
/// The package icon the csproj packs (<c>logo.png</c>). Pulumi's generator downloads the schema's
/// <c>logoUrl</c> or a generic Pulumi logo; this generator has no network at build time, so it draws a
/// small deterministic 64x64 icon itself (uncompressed deflate blocks: byte-identical on every run).
/// </summary>
internal static class Logo
{
    private const int Size = 64;

    public static byte[] Png()
    {
        var raw = new byte[Size * (1 + 3 * Size)];
        var i = 0;
        for (var y = 0; y < Size; y++)
        {
            raw[i++] = 0; // filter: none
            for (var x = 0; x < Size; x++)
            {
                // A dark blue tile with three light "ports" under a bar: a bridge with its ports.
                var bar = y is >= 18 and < 26 && x is >= 10 and < 54;
                var port = y is >= 26 and < 46 && (x is >= 12 and < 18 || x is >= 29 and < 35 || x is >= 46 and < 52);
                var (r, g, b) = bar || port ? ((byte)0xe8, (byte)0xf0, (byte)0xff) : ((byte)0x1f, (byte)0x3a, (byte)0x68);
                raw[i++] = r;
                raw[i++] = g;
                raw[i++] = b;
            }
        }

        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(0), Size);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), Size);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: RGB
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", ZlibStored(raw));
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static byte[] ZlibStored(byte[] data)
    {
        using var ms = new MemoryStream();
        ms.WriteByte(0x78);
        ms.WriteByte(0x01);
        for (var offset = 0; offset < data.Length || offset == 0;)
        {
            var len = Math.Min(65535, data.Length - offset);
            var final = offset + len >= data.Length;
            ms.WriteByte(final ? (byte)1 : (byte)0);
            ms.WriteByte((byte)len);
            ms.WriteByte((byte)(len >> 8));
            ms.WriteByte((byte)~len);
            ms.WriteByte((byte)(~len >> 8));
            ms.Write(data, offset, len);
            offset += len;
            if (final) break;
        }
        uint a = 1, b = 0;
        foreach (var d in data)
        {
            a = (a + d) % 65521;
            b = (b + a) % 65521;
        }
        var adler = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(adler, (b << 16) | a);
        ms.Write(adler);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
        for (var k = 0; k < 4; k++) header[4 + k] = (byte)type[k];
        s.Write(header);
        s.Write(data);
        var crc = Crc32(header.AsSpan(4), data);
        var c = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(c, crc);
        s.Write(c);
    }

    private static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = 0xffffffffu;
        void Update(ReadOnlySpan<byte> bytes)
        {
            foreach (var x in bytes)
            {
                crc ^= x;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        Update(type);
        Update(data);
        return crc ^ 0xffffffffu;
    }
}

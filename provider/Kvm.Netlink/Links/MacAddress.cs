using System.Globalization;

namespace Kvm.Netlink;

/// <summary>A 48-bit Ethernet address, printed the way <c>ip</c> prints it (aa:bb:cc:dd:ee:ff).</summary>
public readonly record struct MacAddress
{
    public const int Size = 6;

    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value;

    public MacAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new ArgumentException($"a MAC address has {Size} bytes, not {bytes.Length}", nameof(bytes));
        ulong value = 0;
        foreach (var b in bytes)
            value = (value << 8) | b;
        _value = value;
    }

    /// <summary>The group bit (01:00:00:00:00:00) is set: not usable as a device address.</summary>
    public bool IsMulticast => ((_value >> 40) & 1) != 0;

    public static MacAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a MAC address like 02:00:00:00:00:01");

    public static bool TryParse(string? text, out MacAddress address)
    {
        address = default;
        if (text is null || text.Length != 17)
            return false;
        ulong value = 0;
        for (var i = 0; i < Size; i++)
        {
            if (i > 0 && text[(i * 3) - 1] != ':')
                return false;
            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                return false;
            value = (value << 8) | b;
        }
        address = new MacAddress(value);
        return true;
    }

    public void CopyTo(Span<byte> destination)
    {
        for (var i = 0; i < Size; i++)
            destination[i] = (byte)(_value >> (8 * (Size - 1 - i)));
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    public override string ToString() => string.Join(':', ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}

using System.Text.RegularExpressions;

namespace Kvm.Netlink.Tests.Codec;

/// <summary>Byte arrays written out by hand: hex digits, with whitespace and // comments ignored.</summary>
internal static partial class Hex
{
    public static byte[] Bytes(string text) => Convert.FromHexString(Noise().Replace(text, ""));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    [GeneratedRegex(@"//[^\n]*|\s+")]
    private static partial Regex Noise();
}

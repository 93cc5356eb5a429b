using System.Net;
using System.Net.Sockets;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// An address with a prefix length as a program writes it: "192.168.0.90/24" (an interface address,
/// host bits set) or "10.8.0.0/16" (a route's destination, host bits zero). Parsing is strict and
/// the text form canonical (IPv6 compressed, lower case), so declared and observed values compare
/// as strings.
/// </summary>
internal readonly record struct IpCidr(IPAddress Address, int PrefixLength)
{
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public int Bits => IsIPv6 ? 128 : 32;

    /// <summary>The network this address is in, e.g. 192.168.0.0/24 for 192.168.0.90/24.</summary>
    public IPNetwork Subnet => new(Masked(Address, PrefixLength), PrefixLength);

    public bool HasHostBits => !Masked(Address, PrefixLength).Equals(Address);

    public override string ToString() => $"{Address}/{PrefixLength}";

    /// <summary>Parses "ADDRESS/LENGTH"; the error says what is wrong in words a user can act on.</summary>
    public static bool TryParse(string text, out IpCidr value, out string error)
    {
        value = default;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            error = $"\"{text}\" has no prefix length: write it in CIDR notation, e.g. \"192.168.0.90/24\" or \"fd00::1/64\"";
            return false;
        }
        if (!TryParseAddress(text[..slash], out var address, out error))
            return false;
        var bits = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var length = text[(slash + 1)..];
        if (length.Length is 0 or > 3 || !length.All(char.IsAsciiDigit) || !int.TryParse(length, out var prefix))
        {
            error = $"\"{text}\": the prefix length \"{length}\" is not a number";
            return false;
        }
        if (prefix > bits)
        {
            error = $"\"{text}\": the prefix length of an {(bits == 128 ? "IPv6" : "IPv4")} address is 0-{bits}, not {prefix}";
            return false;
        }
        value = new IpCidr(address, prefix);
        return true;
    }

    /// <summary>A plain IPv4 or IPv6 address: no zone ("%eth0"), no brackets, no prefix.</summary>
    public static bool TryParseAddress(string text, out IPAddress address, out string error)
    {
        address = IPAddress.None;
        // IPAddress.Parse also takes "10" or "10.1" (as inet_aton does) and zones; a program never means those.
        var plausible = text.Contains(':')
            ? text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            : text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.');
        if (!plausible || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            error = $"\"{text}\" is not an IPv4 or IPv6 address";
            return false;
        }
        address = parsed;
        error = "";
        return true;
    }

    /// <summary>The canonical text of an address ("FD00:0::1" becomes "fd00::1"); the input itself when it does not parse.</summary>
    public static string CanonicalAddress(string text) => TryParseAddress(text, out var a, out _) ? a.ToString() : text;

    /// <summary>The canonical text of a CIDR; the input itself when it does not parse.</summary>
    public static string Canonical(string text) => TryParse(text, out var c, out _) ? c.ToString() : text;

    public static IPAddress Masked(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefixLength - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }
}

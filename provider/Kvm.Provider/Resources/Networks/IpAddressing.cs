using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kvm.Provider.Resources.Networks;

/// <summary>An IPv4 or IPv6 address as a number, parsed strictly (no leading zeros, no scope ids) and printed the way libvirt prints it.</summary>
internal readonly record struct IpAddr(bool IsV6, UInt128 Value)
{
    public int Bits => IsV6 ? 128 : 32;

    public string Family => IsV6 ? "ipv6" : "ipv4";

    public static bool TryParse(string? text, out IpAddr address)
    {
        address = default;
        if (string.IsNullOrEmpty(text) || text.Length > 45) return false;
        if (text.Contains(':'))
        {
            // .NET also takes "[::1]" and "fe80::1%eth0"; libvirt takes neither.
            if (text.Contains('%') || text.Contains('[') || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
                return false;
            Span<byte> bytes = stackalloc byte[16];
            ip.TryWriteBytes(bytes, out _);
            UInt128 v = 0;
            foreach (var b in bytes) v = (v << 8) | b;
            address = new IpAddr(true, v);
            return true;
        }
        // Dotted quad only: .NET would read "010.0.0.1" as octal and "10.1" as 10.0.0.1.
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        uint value = 0;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit)) return false;
            var octet = int.Parse(p, CultureInfo.InvariantCulture);
            if (octet > 255) return false;
            value = (value << 8) | (uint)octet;
        }
        address = new IpAddr(false, value);
        return true;
    }

    /// <summary>The canonical text (RFC 5952 for IPv6), which is what libvirt writes back.</summary>
    public override string ToString()
    {
        if (!IsV6)
        {
            var v = (uint)Value;
            return $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}";
        }
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 16; i++) bytes[i] = (byte)(Value >> (8 * (15 - i)));
        return new IPAddress(bytes).ToString();
    }

    /// <summary>The text in canonical form when it is an address, else unchanged.</summary>
    public static string Canonical(string text) => TryParse(text, out var a) ? a.ToString() : text;
}

/// <summary>A subnet: an address family, a network number and a prefix length.</summary>
internal readonly record struct IpSubnet(bool IsV6, UInt128 Network, int Prefix)
{
    public int Bits => IsV6 ? 128 : 32;

    public UInt128 Mask => Prefix == 0 ? 0 : (AllOnes(Bits) << (Bits - Prefix)) & AllOnes(Bits);

    public UInt128 Broadcast => Network | (~Mask & AllOnes(Bits));

    public static IpSubnet Of(IpAddr address, int prefix) =>
        new(address.IsV6, address.Value & new IpSubnet(address.IsV6, 0, prefix).Mask, prefix);

    public bool Contains(IpAddr a) => a.IsV6 == IsV6 && (a.Value & Mask) == Network;

    /// <summary>The network number itself (an IPv4 subnet's broadcast too) cannot be a host's address; /31 and /32 have no such addresses.</summary>
    public bool IsReserved(IpAddr a) =>
        Prefix < Bits - 1 && (a.Value == Network || (!IsV6 && a.Value == Broadcast));

    public override string ToString() => $"{new IpAddr(IsV6, Network)}/{Prefix}";

    /// <summary>The prefix length of a contiguous IPv4 netmask (255.255.255.0 is 24), or null.</summary>
    public static int? PrefixOfNetmask(string netmask)
    {
        if (!IpAddr.TryParse(netmask, out var m) || m.IsV6) return null;
        var v = (uint)m.Value;
        var prefix = 0;
        while (prefix < 32 && (v & (1u << (31 - prefix))) != 0) prefix++;
        var expected = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return v == expected ? prefix : null;
    }

    private static UInt128 AllOnes(int bits) => bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
}

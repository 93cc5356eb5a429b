using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// Check's rules for a network's addresses: each valid, of its family and inside its subnet (not the
/// network or broadcast address); DHCP ranges and static leases inside that subnet, free of overlaps
/// and duplicates; DHCP on one address per family; DNS records one per address. Decided from the
/// inputs alone; unknown values (preview) are skipped.
/// </summary>
internal static class NetworkAddressRules
{
    private sealed record Subnet(IpSubnet Net, IpAddr Address);

    public static void ValidateIps(NetworkIpArgs?[] ips, Func<string, bool> unknown, List<CheckFailure> f)
    {
        var addresses = new Dictionary<IpAddr, int>();
        int? dhcp4 = null, dhcp6 = null;
        for (var i = 0; i < ips.Length; i++)
        {
            if (ips[i] is not { } ip) continue;
            var p = $"ips[{i}]";
            Subnet? subnet = null;
            if (ip.Address is { } text)
            {
                if (!IpAddr.TryParse(text, out var address))
                {
                    f.Add(new($"{p}.address", $"\"{NetworkRules.Shorten(text)}\" is not an IPv4 or IPv6 address"));
                }
                else if (ip.Family is { } family && family != address.Family)
                {
                    f.Add(new($"{p}.family", $"is {family}, but the address {address} is {address.Family}"));
                }
                else
                {
                    if (!addresses.TryAdd(address, i))
                        f.Add(new($"{p}.address", $"{address} is also ips[{addresses[address]}]"));
                    subnet = SubnetOf(ip, address, p, unknown, f);
                }
            }
            // libvirt reads <tftp> and <bootp> only on an IPv4 address.
            var v6 = subnet?.Address.IsV6 == true;
            if (v6 && ip.TftpRoot is not null) f.Add(new($"{p}.tftpRoot", "network boot (TFTP) is for IPv4 addresses; libvirt refuses it on an IPv6 one"));
            if (v6 && ip.Dhcp?.Bootp is not null) f.Add(new($"{p}.dhcp.bootp", "network boot (BOOTP) is for IPv4 addresses; libvirt ignores it on an IPv6 one"));
            if (ip.Dhcp?.Bootp?.Server is { } server && !IpAddr.TryParse(server, out _))
                f.Add(new($"{p}.dhcp.bootp.server", $"\"{NetworkRules.Shorten(server)}\" is not an IPv4 or IPv6 address"));
            if (ip.Dhcp is not { } dhcp) continue;
            var hasDhcp = dhcp.Ranges is { Length: > 0 } || dhcp.Hosts is { Length: > 0 };
            if (hasDhcp && subnet is { } sn)
            {
                ref var seen = ref sn.Address.IsV6 ? ref dhcp6 : ref dhcp4;
                if (seen is { } first)
                    f.Add(new($"{p}.dhcp", $"libvirt serves DHCP on one {sn.Address.Family} address per network; ips[{first}] already has DHCP"));
                seen ??= i;
            }
            ValidateDhcp(dhcp, subnet, p, f);
        }
    }

    private static Subnet? SubnetOf(NetworkIpArgs ip, IpAddr address, string p, Func<string, bool> unknown, List<CheckFailure> f)
    {
        int? prefix = ip.Prefix;
        if (address.IsV6)
        {
            if (ip.Netmask is not null) f.Add(new($"{p}.netmask", "an IPv6 address takes a prefix, not a netmask"));
            if (prefix is > 128) f.Add(new($"{p}.prefix", $"an IPv6 prefix is 0-128; got {prefix}"));
        }
        else
        {
            if (prefix is > 32) { f.Add(new($"{p}.prefix", $"an IPv4 prefix is 0-32; got {prefix}")); return null; }
            if (ip.Netmask is { } mask)
            {
                if (prefix is not null) { f.Add(new($"{p}.netmask", "give prefix or netmask, not both")); return null; }
                prefix = IpSubnet.PrefixOfNetmask(mask);
                if (prefix is null) { f.Add(new($"{p}.netmask", $"\"{NetworkRules.Shorten(mask)}\" is not a contiguous IPv4 netmask like 255.255.255.0")); return null; }
            }
        }
        if (prefix is null)
        {
            if (unknown($"{p}.prefix") || unknown($"{p}.netmask")) return null;
            prefix = NaturalPrefix(address);
            if (prefix is null)
            {
                f.Add(new($"{p}.prefix", $"{address} is not a class A, B or C address, so it has no natural prefix: give a prefix (e.g. 24) or a netmask"));
                return null;
            }
        }
        if (prefix > address.Bits) return null;
        // libvirt (and the kernel) take even the subnet's network or broadcast address as the host's: not refused here.
        return new Subnet(IpSubnet.Of(address, prefix.Value), address);
    }

    /// <summary>
    /// The prefix libvirt uses for an address given without prefix or netmask (virSocketAddrGetIPPrefix):
    /// IPv4's classful one (A /8, B /16, C /24; 0.0.0.0 /0), IPv6 /64; null for class D and E, which libvirt refuses.
    /// </summary>
    public static int? NaturalPrefix(IpAddr address)
    {
        if (address.IsV6) return 64;
        var v = address.Value;
        if (v == 0) return 0;
        var octet = (byte)(v >> 24);
        return (octet & 0x80) == 0 ? 8 : (octet & 0xC0) == 0x80 ? 16 : (octet & 0xE0) == 0xC0 ? 24 : null;
    }

    private static void ValidateDhcp(NetworkDhcpArgs dhcp, Subnet? subnet, string p, List<CheckFailure> f)
    {
        var ranges = new List<(int Index, IpAddr Start, IpAddr End)>();
        var rangeList = dhcp.Ranges ?? [];
        for (var i = 0; i < rangeList.Length; i++)
        {
            if (rangeList[i] is not { } r) continue;
            var rp = $"{p}.dhcp.ranges[{i}]";
            var start = AddressIn(r.Start, $"{rp}.start", subnet, "the range", f);
            var end = AddressIn(r.End, $"{rp}.end", subnet, "the range", f);
            ValidateLease(r.Lease, $"{rp}.lease", f);
            if (start is not { } s || end is not { } e) continue;
            if (s.Value > e.Value) { f.Add(new($"{rp}.end", $"{e} comes before the range's start {s}")); continue; }
            if (subnet is { } sn && s.Value <= sn.Address.Value && sn.Address.Value <= e.Value)
                f.Add(new(rp, $"the range {s}-{e} holds the host's own address {sn.Address}"));
            foreach (var (other, os, oe) in ranges)
            {
                if (s.Value <= oe.Value && os.Value <= e.Value)
                    f.Add(new(rp, $"the range {s}-{e} overlaps {p}.dhcp.ranges[{other}] ({os}-{oe})"));
            }
            ranges.Add((i, s, e));
        }

        var hosts = dhcp.Hosts ?? [];
        var macs = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var ips = new Dictionary<UInt128, int>();
        for (var i = 0; i < hosts.Length; i++)
        {
            if (hosts[i] is not { } h) continue;
            var hp = $"{p}.dhcp.hosts[{i}]";
            var v6 = subnet?.Address.IsV6;
            if (h.Mac is { } mac)
            {
                if (v6 == true) f.Add(new($"{hp}.mac", "IPv6 static leases are matched by name, not MAC; libvirt refuses a mac here"));
                else if (NetworkRules.MacError(mac) is { } e) f.Add(new($"{hp}.mac", e));
                else if (!macs.TryAdd(mac, i)) f.Add(new($"{hp}.mac", $"{mac} already has a lease ({p}.dhcp.hosts[{macs[mac]}])"));
            }
            if (h.Name is { } name)
            {
                if (NetworkRules.HostnameError(name) is { } e) f.Add(new($"{hp}.name", e));
                else if (!names.TryAdd(name, i)) f.Add(new($"{hp}.name", $"\"{name}\" already has a lease ({p}.dhcp.hosts[{names[name]}])"));
            }
            if (h.Id is { } id)
            {
                if (v6 == false) f.Add(new($"{hp}.id", "the client id (DUID) matches DHCPv6 clients; IPv4 leases are matched by mac or name"));
                else if (!IsDuid(id)) f.Add(new($"{hp}.id", $"\"{NetworkRules.Shorten(id)}\" is not a DHCPv6 client id: colon-separated hex bytes, e.g. 0:3:0:1:0:16:3e:11:22:33"));
                else if (!ids.TryAdd(id, i)) f.Add(new($"{hp}.id", $"{id} already has a lease ({p}.dhcp.hosts[{ids[id]}])"));
            }
            if (v6 == true ? h.Id is null && h.Name is null : h.Mac is null && h.Name is null)
                f.Add(new(hp, v6 == true ? "an IPv6 static lease needs a client id or a name" : "a static lease needs a mac (or a name)"));
            ValidateLease(h.Lease, $"{hp}.lease", f);
            // A static lease outside the subnet is one libvirt takes (dnsmasq never hands it out): only its family must match.
            if (LeaseAddress(h.Ip, $"{hp}.ip", subnet, f) is { } ip)
            {
                if (subnet is { } sn && ip.Value == sn.Address.Value)
                    f.Add(new($"{hp}.ip", $"{ip} is the host's own address on this network"));
                else if (!ips.TryAdd(ip.Value, i))
                    f.Add(new($"{hp}.ip", $"{ip} is already leased to {p}.dhcp.hosts[{ips[ip.Value]}]"));
            }
        }
    }

    private static IpAddr? LeaseAddress(string? text, string path, Subnet? subnet, List<CheckFailure> f)
    {
        if (text is null) return null;
        if (!IpAddr.TryParse(text, out var a)) { f.Add(new(path, $"\"{NetworkRules.Shorten(text)}\" is not an IPv4 or IPv6 address")); return null; }
        if (subnet is { } sn && a.IsV6 != sn.Address.IsV6) { f.Add(new(path, $"{a} is {a.Family}, but the lease belongs to the {sn.Address.Family} subnet {sn.Net}")); return null; }
        return a;
    }

    /// <summary>A DHCP address: valid, of the subnet's family, inside it and not its network or broadcast address.</summary>
    private static IpAddr? AddressIn(string? text, string path, Subnet? subnet, string what, List<CheckFailure> f)
    {
        if (text is null) return null;
        if (!IpAddr.TryParse(text, out var a)) { f.Add(new(path, $"\"{NetworkRules.Shorten(text)}\" is not an IPv4 or IPv6 address")); return null; }
        if (subnet is not { } sn) return a;
        if (a.IsV6 != sn.Address.IsV6) { f.Add(new(path, $"{a} is {a.Family}, but {what} belongs to the {sn.Address.Family} subnet {sn.Net}")); return null; }
        if (!sn.Net.Contains(a)) { f.Add(new(path, $"{a} is outside the subnet {sn.Net}")); return null; }
        if (sn.Net.IsReserved(a)) { f.Add(new(path, $"{a} is the {(a.Value == sn.Net.Network ? "network" : "broadcast")} address of {sn.Net}")); return null; }
        return a;
    }

    /// <summary>dnsmasq's shortest lease is two minutes, and libvirt refuses less; 0 is a lease that never expires.</summary>
    private static void ValidateLease(NetworkDhcpLeaseArgs? lease, string path, List<CheckFailure> f)
    {
        if (lease?.Expiry is not { } expiry || expiry == 0) return;
        if ((lease.Unit == "seconds" && expiry < 120) || (lease.Unit is null or "minutes" && expiry < 2))
            f.Add(new($"{path}.expiry", $"{expiry} {lease.Unit ?? "minutes"} is shorter than dnsmasq's shortest lease, two minutes (0: never expires)"));
    }

    /// <summary>A DUID as libvirt takes it: hex bytes of one or two digits, separated by colons.</summary>
    private static bool IsDuid(string id) =>
        id.Split(':') is { Length: >= 2 } parts && parts.All(b => b.Length is 1 or 2 && b.All(char.IsAsciiHexDigit));
}

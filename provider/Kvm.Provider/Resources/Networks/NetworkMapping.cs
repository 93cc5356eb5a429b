using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// libvirt's network model to the resource's records and back. Reading reports every value libvirt
/// holds (including what it fills in: uuid, MAC, virbrN, stp/delay) in the normalised form Check
/// gives inputs, so an unchanged network compares equal. Writing puts the program's values onto the
/// existing definition, so what the program leaves unset, and anything a newer libvirt adds that the
/// model does not know, survives. The DNS and routing parts live in NetworkMapping.Dns.cs and
/// NetworkMapping.Routing.cs.
/// </summary>
internal static partial class NetworkMapping
{
    public static string ModeName(NetworkForwardMode mode) => mode switch
    {
        NetworkForwardMode.Nat => "nat",
        NetworkForwardMode.Route => "route",
        NetworkForwardMode.Open => "open",
        NetworkForwardMode.Bridge => "bridge",
        NetworkForwardMode.Private => "private",
        NetworkForwardMode.Vepa => "vepa",
        NetworkForwardMode.Passthrough => "passthrough",
        NetworkForwardMode.Hostdev => "hostdev",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static NetworkForwardMode? ParseMode(string name) => name switch
    {
        "nat" => NetworkForwardMode.Nat,
        "route" => NetworkForwardMode.Route,
        "open" => NetworkForwardMode.Open,
        "bridge" => NetworkForwardMode.Bridge,
        "private" => NetworkForwardMode.Private,
        "vepa" => NetworkForwardMode.Vepa,
        "passthrough" => NetworkForwardMode.Passthrough,
        "hostdev" => NetworkForwardMode.Hostdev,
        _ => null, // isolated
    };

    // ---- reading ----

    /// <summary>The inputs a definition corresponds to, in normalised form. Prefix and netmask are reported as written.</summary>
    public static LibvirtNetworkArgs ToArgs(NetworkDefinition d, bool autostart, bool active) => new()
    {
        Name = d.Name,
        Uuid = d.Uuid?.ToString("D"),
        Forward = d.Forward is null
            ? new NetworkForwardArgs { Mode = "isolated", Interfaces = [] }
            : new NetworkForwardArgs
            {
                Mode = ModeName(d.Forward.Mode),
                Dev = d.Forward.Dev,
                Interfaces = [.. d.Forward.Interfaces],
                Nat = d.Forward.Nat is { } nat && (nat.Address is not null || nat.Port is not null || nat.Ipv6 is not null)
                    ? new NetworkNatArgs
                    {
                        AddressStart = nat.Address?.Start is { } s ? IpAddr.Canonical(s) : null,
                        AddressEnd = nat.Address?.End is { } e ? IpAddr.Canonical(e) : null,
                        PortStart = nat.Port?.Start,
                        PortEnd = nat.Port?.End,
                        Ipv6 = nat.Ipv6,
                    }
                    : null,
                Pf = d.Forward.Pf,
                PciAddresses = d.Forward.PciAddresses.Count > 0 ? [.. d.Forward.PciAddresses.Select(a => PciAddress.Of(a) ?? a.Type)] : null,
                Managed = d.Forward.Managed,
                Driver = d.Forward.DriverName,
            },
        Bridge = d.Bridge is null ? null : new NetworkBridgeArgs
        {
            Name = d.Bridge.Name, Stp = d.Bridge.Stp, Delay = d.Bridge.Delay, MacTableManager = d.Bridge.MacTableManager, Zone = d.Bridge.Zone,
        },
        Mtu = d.Mtu,
        Ipv6 = d.Ipv6,
        TrustGuestRxFilters = d.TrustGuestRxFilters,
        MacAddress = d.MacAddress?.ToLowerInvariant(),
        DomainName = d.DomainName,
        Ips = [.. d.Ips.Select(ToArgs)],
        Dns = ToArgs(d.Dns),
        PortGroups = [.. d.PortGroups.Select(ToArgs)],
        Vlan = ToArgs(d.Vlan),
        VirtualPort = ToArgs(d.VirtualPort),
        Title = d.Title,
        Description = d.Description,
        DomainLocalOnly = d.DomainLocalOnly,
        PortIsolated = d.PortIsolated,
        Bandwidth = ToArgs(d.Bandwidth),
        Routes = [.. d.Routes.Select(ToArgs)],
        MetadataXml = d.Metadata,
        Autostart = autostart,
        Active = active,
    };

    public static NetworkIpArgs ToArgs(NetworkIp ip)
    {
        var address = IpAddr.Canonical(ip.Address);
        return new NetworkIpArgs
        {
            // As libvirt holds it: an IPv4 address says family='ipv4' only when it was written so.
            Family = ip.Family switch
            {
                IpFamily.Ipv6 => "ipv6",
                IpFamily.Ipv4 => "ipv4",
                _ => address.Contains(':') ? "ipv6" : null,
            },
            Address = address,
            Prefix = ip.Prefix,
            Netmask = ip.Netmask,
            Dhcp = ip.Dhcp is null ? null : new NetworkDhcpArgs
            {
                Ranges = [.. ip.Dhcp.Ranges.Select(ToArgs)],
                Hosts = [.. ip.Dhcp.Hosts.Select(ToArgs)],
                Bootp = ip.Dhcp.Bootp is { } b ? new NetworkDhcpBootpArgs { File = b.File, Server = b.Server } : null,
            },
            TftpRoot = ip.TftpRoot,
            LocalPtr = ip.LocalPtr,
        };
    }

    public static NetworkDhcpRangeArgs ToArgs(DhcpRange r) => new() { Start = IpAddr.Canonical(r.Start), End = IpAddr.Canonical(r.End), Lease = ToArgs(r.Lease) };

    public static NetworkDhcpHostArgs ToArgs(DhcpHost h) => new()
    {
        Mac = h.Mac?.ToLowerInvariant(),
        Id = h.Id,
        Name = h.Name,
        Ip = h.Ip is { } ip ? IpAddr.Canonical(ip) : null,
        Lease = ToArgs(h.Lease),
    };

    private static NetworkDhcpLeaseArgs? ToArgs(DhcpLease? lease) => lease is null ? null : new NetworkDhcpLeaseArgs { Expiry = lease.Expiry, Unit = lease.Unit };

    private static DhcpLease? Lease(DhcpLease? basis, NetworkDhcpLeaseArgs? lease) =>
        lease is null ? null : (basis ?? new DhcpLease(0, null)) with { Expiry = lease.Expiry!.Value, Unit = lease.Unit };

    public static NetworkPortGroupArgs ToArgs(NetworkPortGroup pg) => new()
    {
        Name = pg.Name,
        // Canonical form (NormalizeInputs gives programs the same): present only when true.
        IsDefault = pg.IsDefault == true ? true : null,
        Vlan = ToArgs(pg.Vlan),
        VirtualPort = ToArgs(pg.VirtualPort),
        TrustGuestRxFilters = pg.TrustGuestRxFilters,
        Bandwidth = ToArgs(pg.Bandwidth),
    };

    public static NetworkVlanArgs? ToArgs(Vlan? v) => v is null ? null : new NetworkVlanArgs
    {
        // Canonical form (NormalizeInputs gives programs the same): several tags are a trunk; present only when true.
        Trunk = v.Trunk == true || v.Tags.Count > 1 ? true : null,
        Tags = [.. v.Tags.Select(t => new NetworkVlanTagArgs
        {
            Id = t.Id,
            NativeMode = t.NativeMode switch
            {
                VlanNativeMode.Tagged => "tagged",
                VlanNativeMode.Untagged => "untagged",
                _ => null,
            },
        })],
    };

    public static NetworkVirtualPortArgs? ToArgs(VirtualPort? vp) => vp is null ? null : new NetworkVirtualPortArgs
    {
        Type = vp.Type, InterfaceId = vp.InterfaceId, ProfileId = vp.ProfileId,
        ManagerId = vp.ManagerId, TypeId = vp.TypeId, TypeIdVersion = vp.TypeIdVersion, InstanceId = vp.InstanceId,
    };

    /// <summary>
    /// The state (outputs) of a definition: its inputs, with both prefix and netmask of IPv4
    /// addresses filled in, so a program may use either without a diff.
    /// </summary>
    public static LibvirtNetworkState ToState(LibvirtNetworkArgs a, string bridgeName, string xml, string[] liveDrift) =>
        LibvirtNetworkState.FromInputs(a) with
        {
            Ips = a.Ips?.Select(WithBothMaskForms).ToArray(),
            BridgeName = bridgeName,
            Xml = xml,
            LiveDrift = liveDrift,
        };

    private static NetworkIpArgs WithBothMaskForms(NetworkIpArgs ip)
    {
        if (ip.Address is null || ip.Address.Contains(':')) return ip;
        if (ip.Prefix is null && ip.Netmask is { } mask && IpSubnet.PrefixOfNetmask(mask) is { } p)
            return ip with { Prefix = p };
        if (ip.Netmask is null && ip.Prefix is { } prefix and >= 0 and <= 32)
            return ip with { Netmask = new IpAddr(false, new IpSubnet(false, 0, prefix).Mask).ToString() };
        return ip;
    }

    // ---- writing ----

    /// <summary>
    /// <paramref name="basis"/> with the program's values for the top-level inputs <paramref name="apply"/>
    /// names. Inside those, an input the program leaves unset keeps the basis's value, unless the
    /// program used to set it (<paramref name="old"/>): then it is removed.
    /// </summary>
    public static NetworkDefinition Apply(NetworkDefinition basis, LibvirtNetworkArgs a, LibvirtNetworkArgs? old, Func<string, bool> apply)
    {
        var d = basis;
        if (apply("uuid") && a.Uuid is { } uuid) d = d with { Uuid = Guid.Parse(uuid) };
        if (apply("forward")) d = d with { Forward = Forward(basis.Forward, a.Forward, old?.Forward) };
        if (apply("bridge")) d = d with { Bridge = Bridge(basis.Bridge, a.Bridge, old?.Bridge) };
        if (apply("mtu")) d = d with { Mtu = Pick(a.Mtu, basis.Mtu, old?.Mtu is not null) };
        if (apply("ipv6")) d = d with { Ipv6 = Pick(a.Ipv6, basis.Ipv6, old?.Ipv6 is not null) };
        if (apply("trustGuestRxFilters")) d = d with { TrustGuestRxFilters = Pick(a.TrustGuestRxFilters, basis.TrustGuestRxFilters, old?.TrustGuestRxFilters is not null) };
        if (apply("macAddress")) d = d with { MacAddress = Pick(a.MacAddress, basis.MacAddress, old?.MacAddress is not null) };
        if (apply("domainName")) d = d with { DomainName = Pick(a.DomainName, basis.DomainName, old?.DomainName is not null) };
        if (apply("ips")) d = d with { Ips = a.Ips is null ? (old?.Ips is null ? basis.Ips : []) : [.. a.Ips.Select(ip => Ip(basis.Ips, ip!))] };
        if (apply("dns")) d = d with { Dns = Dns(basis.Dns, a.Dns, old?.Dns) };
        if (apply("portGroups"))
        {
            d = d with
            {
                PortGroups = a.PortGroups is null
                    ? (old?.PortGroups is null ? basis.PortGroups : [])
                    : [.. a.PortGroups.Select(pg => PortGroup(basis.PortGroups.FirstOrDefault(b => b.Name == pg!.Name), pg!))],
            };
        }
        if (apply("vlan")) d = d with { Vlan = a.Vlan is null ? (old?.Vlan is null ? basis.Vlan : null) : Vlan(basis.Vlan, a.Vlan) };
        if (apply("title")) d = d with { Title = Pick(a.Title, basis.Title, old?.Title is not null) };
        if (apply("description")) d = d with { Description = Pick(a.Description, basis.Description, old?.Description is not null) };
        if (apply("domainLocalOnly")) d = d with { DomainLocalOnly = Pick(a.DomainLocalOnly, basis.DomainLocalOnly, old?.DomainLocalOnly is not null) };
        if (apply("portIsolated")) d = d with { PortIsolated = Pick(a.PortIsolated, basis.PortIsolated, old?.PortIsolated is not null) };
        if (apply("bandwidth")) d = d with { Bandwidth = a.Bandwidth is null ? (old?.Bandwidth is null ? basis.Bandwidth : null) : Bandwidth(basis.Bandwidth, a.Bandwidth) };
        if (apply("routes")) d = d with { Routes = Items(a.Routes, old?.Routes is not null, basis.Routes, r => Route(basis.Routes, r)) };
        if (apply("metadataXml")) d = d with { Metadata = a.MetadataXml is { } m ? XmlFragment.Canonical(m) : old?.MetadataXml is null ? basis.Metadata : null };
        if (apply("virtualPort")) d = d with { VirtualPort = a.VirtualPort is null ? (old?.VirtualPort is null ? basis.VirtualPort : null) : VirtualPort(basis.VirtualPort, a.VirtualPort) };
        return d;
    }

    /// <summary>A new network's definition: every input the program sets.</summary>
    public static NetworkDefinition Build(LibvirtNetworkArgs a) => Apply(new NetworkDefinition { Name = a.Name! }, a, null, _ => true);

    /// <summary>
    /// A list the program may leave unset: built from the program's items; unset, the basis's list, unless the
    /// program used to set it (<paramref name="wasSet"/>): then none.
    /// </summary>
    private static ValueList<TModel> Items<TArgs, TModel>(TArgs?[]? wanted, bool wasSet, ValueList<TModel> basis, Func<TArgs, TModel> build) where TArgs : class =>
        wanted is not null ? [.. wanted.OfType<TArgs>().Select(build)] : wasSet ? [] : basis;

    private static T? Pick<T>(T? value, T? basis, bool wasSet) where T : struct => value ?? (wasSet ? null : basis);

    private static string? Pick(string? value, string? basis, bool wasSet) => value ?? (wasSet ? null : basis);

    private static NetworkForward? Forward(NetworkForward? basis, NetworkForwardArgs? f, NetworkForwardArgs? old)
    {
        if (f is null) return old is null ? basis : null;
        if (ParseMode(f.Mode ?? "isolated") is not { } mode) return null;
        // Another mode starts from a fresh element: what the old mode held (nat ranges, pools) means nothing to the new one.
        var b = basis is not null && basis.Mode == mode ? basis : null;
        var dev = Pick(f.Dev, b?.Dev, old?.Dev is not null);
        ValueList<string> interfaces = f.Interfaces is { } list
            ? [.. list.OfType<string>()]
            // libvirt lists a nat/route network's dev as its one interface itself; a changed dev must not keep the old one.
            : mode is NetworkForwardMode.Nat or NetworkForwardMode.Route || old?.Interfaces is not null ? [] : b?.Interfaces ?? [];
        var nat = f.Nat is { } n
            ? (b?.Nat ?? new NetworkNat()) with
            {
                Address = n.AddressStart is { } s && n.AddressEnd is { } e ? new NatAddressRange(s, e) : null,
                Port = n.PortStart is { } ps && n.PortEnd is { } pe ? new NatPortRange(ps, pe) : null,
            }
            : old?.Nat is not null ? null : b?.Nat;
        if (f.Nat is { } wanted && nat is not null) nat = nat with { Ipv6 = Pick(wanted.Ipv6, b?.Nat?.Ipv6, old?.Nat?.Ipv6 is not null) };
        return (b ?? new NetworkForward()) with
        {
            Mode = mode, Dev = dev, Interfaces = interfaces, Nat = mode == NetworkForwardMode.Nat ? nat : null,
            Pf = Pick(f.Pf, b?.Pf, old?.Pf is not null),
            PciAddresses = Items(f.PciAddresses, old?.PciAddresses is not null, b?.PciAddresses ?? [],
                p => b?.PciAddresses.FirstOrDefault(e => PciAddress.Of(e) == PciAddress.Normalize(p)) ?? PciAddress.ToAddress(p)),
            Managed = Pick(f.Managed, b?.Managed, old?.Managed is not null),
            DriverName = Pick(f.Driver, b?.DriverName, old?.Driver is not null),
        };
    }

    private static NetworkBridge? Bridge(NetworkBridge? basis, NetworkBridgeArgs? b, NetworkBridgeArgs? old)
    {
        if (b is null) return old is null ? basis : null;
        return (basis ?? new NetworkBridge()) with
        {
            Name = Pick(b.Name, basis?.Name, old?.Name is not null),
            Stp = Pick(b.Stp, basis?.Stp, old?.Stp is not null),
            Delay = Pick(b.Delay, basis?.Delay, old?.Delay is not null),
            MacTableManager = Pick(b.MacTableManager, basis?.MacTableManager, old?.MacTableManager is not null),
            Zone = Pick(b.Zone, basis?.Zone, old?.Zone is not null),
        };
    }

    private static NetworkIp Ip(ValueList<NetworkIp> basisIps, NetworkIpArgs ip)
    {
        var address = IpAddr.Canonical(ip.Address!);
        var basis = basisIps.FirstOrDefault(b => IpAddr.Canonical(b.Address) == address);
        var v6 = address.Contains(':');
        return (basis ?? new NetworkIp { Address = address }) with
        {
            // libvirt reads a missing family as IPv4: written when the program says so, else as the host has it.
            Family = v6 ? IpFamily.Ipv6 : ip.Family == "ipv4" ? IpFamily.Ipv4 : basis?.Family,
            Address = address,
            Prefix = ip.Prefix,
            Netmask = ip.Prefix is null ? ip.Netmask : null,
            Dhcp = ip.Dhcp is null ? null : Dhcp(basis?.Dhcp, ip.Dhcp),
            TftpRoot = ip.TftpRoot,
            LocalPtr = ip.LocalPtr ?? basis?.LocalPtr,
        };
    }

    private static NetworkDhcp Dhcp(NetworkDhcp? basis, NetworkDhcpArgs d) => (basis ?? new NetworkDhcp()) with
    {
        Ranges = d.Ranges is null ? basis?.Ranges ?? [] : [.. d.Ranges.Select(r => Range(basis, r!))],
        Hosts = d.Hosts is null ? basis?.Hosts ?? [] : [.. d.Hosts.Select(h => DhcpHost(basis?.Hosts.FirstOrDefault(b => SameDhcpHost(b, h!)), h!))],
        Bootp = d.Bootp is { } b ? (basis?.Bootp ?? new DhcpBootp(b.File!, null)) with { File = b.File!, Server = b.Server } : null,
    };

    private static DhcpRange Range(NetworkDhcp? basis, NetworkDhcpRangeArgs r)
    {
        var start = IpAddr.Canonical(r.Start!);
        var end = IpAddr.Canonical(r.End!);
        var existing = basis?.Ranges.FirstOrDefault(b => IpAddr.Canonical(b.Start) == start && IpAddr.Canonical(b.End) == end);
        return (existing ?? new DhcpRange(start, end)) with { Start = start, End = end, Lease = Lease(existing?.Lease, r.Lease) };
    }

    /// <summary>A static lease is found by its MAC (IPv4) or, without one, by its DHCPv6 client id, then its name.</summary>
    public static string DhcpHostKey(string? mac, string? id, string? name, string? ip) =>
        mac is not null ? "mac:" + mac.ToLowerInvariant() : id is not null ? "id:" + id.ToLowerInvariant() : name is not null ? "name:" + name : "ip:" + (ip is null ? "" : IpAddr.Canonical(ip));

    private static bool SameDhcpHost(DhcpHost b, NetworkDhcpHostArgs h) => DhcpHostKey(b.Mac, b.Id, b.Name, b.Ip) == DhcpHostKey(h.Mac, h.Id, h.Name, h.Ip);

    public static DhcpHost DhcpHost(DhcpHost? basis, NetworkDhcpHostArgs h) => (basis ?? new DhcpHost()) with
    {
        // Keep libvirt's spelling of an equal MAC (it keeps the case it was given).
        Mac = h.Mac is { } mac && basis?.Mac is { } bm && string.Equals(mac, bm, StringComparison.OrdinalIgnoreCase) ? bm : h.Mac,
        Id = h.Id,
        Name = h.Name,
        Ip = h.Ip is { } ip ? IpAddr.Canonical(ip) : null,
        Lease = Lease(basis?.Lease, h.Lease),
    };

    /// <summary>A portgroup is one item of an unordered list: it is what the program says, whole (only XML the resource does not model is kept).</summary>
    public static NetworkPortGroup PortGroup(NetworkPortGroup? basis, NetworkPortGroupArgs pg) => (basis ?? new NetworkPortGroup { Name = pg.Name! }) with
    {
        Name = pg.Name!,
        IsDefault = pg.IsDefault == true ? true : null,
        Vlan = pg.Vlan is null ? null : Vlan(basis?.Vlan, pg.Vlan),
        VirtualPort = pg.VirtualPort is null ? null : VirtualPort(basis?.VirtualPort, pg.VirtualPort),
        TrustGuestRxFilters = pg.TrustGuestRxFilters,
        Bandwidth = pg.Bandwidth is null ? null : Bandwidth(basis?.Bandwidth, pg.Bandwidth),
    };

    /// <summary>Several tags make a trunk whatever trunk says; libvirt writes trunk='yes' only for a trunk.</summary>
    private static Vlan Vlan(Vlan? basis, NetworkVlanArgs v) => (basis ?? new Vlan()) with
    {
        Trunk = v.Trunk == true ? true : null,
        Tags = [.. (v.Tags ?? []).OfType<NetworkVlanTagArgs>().Select(t => new VlanTag(t.Id!.Value, t.NativeMode switch
        {
            "tagged" => VlanNativeMode.Tagged,
            "untagged" => VlanNativeMode.Untagged,
            _ => null,
        }))],
    };

    private static VirtualPort VirtualPort(VirtualPort? basis, NetworkVirtualPortArgs vp)
    {
        var b = basis is not null && basis.Type == vp.Type ? basis : null;
        return (b ?? new VirtualPort()) with
        {
            Type = vp.Type, InterfaceId = vp.InterfaceId ?? b?.InterfaceId, ProfileId = vp.ProfileId,
            ManagerId = vp.ManagerId, TypeId = vp.TypeId, TypeIdVersion = vp.TypeIdVersion, InstanceId = vp.InstanceId ?? b?.InstanceId,
        };
    }
}

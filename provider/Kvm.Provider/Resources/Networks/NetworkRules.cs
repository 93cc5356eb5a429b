using Kvm.Netlink;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// Check's rules for a libvirt network beyond types and ranges: options that only some forward
/// modes take, VLANs only where libvirt can tag, names free of XML-special characters, and the
/// addresses (<see cref="NetworkAddressRules"/>). Everything here is decided from the inputs alone,
/// before libvirt is called. Unknown values (preview) are skipped.
/// </summary>
internal static class NetworkRules
{
    /// <summary>libvirt makes files named after the network (NAME.xml, NAME.conf, NAME.hostsfile...) under a 255-byte file-name limit.</summary>
    public const int MaxNameLength = 200;

    private static readonly string[] ManagedBridgeModes = ["nat", "route", "open", "isolated"];

    /// <summary>Letters, digits and . _ - + : @, not starting with '.' or '-'.</summary>
    public static string? NameError(string name, int maxLength = MaxNameLength)
    {
        if (name.Length == 0) return "must not be empty";
        if (name.Length > maxLength) return $"is {name.Length} characters long; at most {maxLength} are accepted";
        if (HasXmlSpecial(name)) return $"\"{Shorten(name)}\" contains an XML-special or control character (< > & ' \" are refused)";
        var bad = name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or ':' or '@'));
        if (bad != default) return $"\"{Shorten(name)}\" contains '{bad}'; use letters, digits and . _ - + : @";
        if (name[0] is '.' or '-') return $"\"{Shorten(name)}\" must not start with '{name[0]}'";
        return null;
    }

    public static bool HasXmlSpecial(string s) => s.Any(c => c is '<' or '>' or '&' or '\'' or '"' || char.IsControl(c));

    /// <summary>A host name or DNS domain: dot-separated labels of letters, digits and '-', at most 253 characters.</summary>
    public static string? HostnameError(string name)
    {
        if (HasXmlSpecial(name)) return $"\"{Shorten(name)}\" contains an XML-special or control character";
        if (name.Length is 0 or > 253) return $"must be 1-253 characters long; got {name.Length}";
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                return $"\"{Shorten(name)}\" is not a valid host name (labels of 1-63 letters, digits and '-', not starting or ending with '-')";
        }
        return null;
    }

    public static string? LinkNameError(string name)
    {
        if (HasXmlSpecial(name)) return $"\"{Shorten(name)}\" contains an XML-special or control character";
        return LinkName.IsValid(name) ? null : $"\"{Shorten(name)}\" is not a valid interface name: 1-15 characters, no '/', ':' or whitespace";
    }

    public static string? MacError(string mac)
    {
        if (!MacAddress.TryParse(mac, out var parsed)) return $"\"{Shorten(mac)}\" is not a MAC address (six hex octets, e.g. 52:54:00:12:34:56)";
        if (parsed.IsMulticast) return $"{mac} is a multicast address; a host needs a unicast MAC";
        if (parsed == default) return "00:00:00:00:00:00 is not a usable MAC address";
        return null;
    }

    public static IEnumerable<CheckFailure> Validate(Bound<LibvirtNetworkArgs> bound)
    {
        var f = new List<CheckFailure>();
        var a = bound.Value;
        bool Unknown(string path) => bound.IsUnknown(path);

        if (a.Name is { } name && NameError(name) is { } nameError) f.Add(new(LibvirtNetworkArgs.Paths.Name, nameError));
        if (a.Uuid is { } uuid && !Guid.TryParseExact(uuid, "D", out _))
            f.Add(new(LibvirtNetworkArgs.Paths.Uuid, $"\"{Shorten(uuid)}\" is not a UUID (8-4-4-4-12 hex digits, e.g. 3e3fce45-4f53-4fa7-bb32-11f34168b82b)"));
        if (a.MacAddress is { } mac && MacError(mac) is { } macError) f.Add(new(LibvirtNetworkArgs.Paths.MacAddress, macError));
        if (a.DomainName is { } domain && HostnameError(domain) is { } domainError) f.Add(new(LibvirtNetworkArgs.Paths.DomainName, domainError));

        // The forward mode decides what else is allowed; an unknown mode (preview) leaves those rules to the next check.
        var mode = a.Forward is null ? (Unknown(LibvirtNetworkArgs.Paths.Forward) ? null : "isolated") : a.Forward.Mode;
        ValidateForward(a, mode, Unknown, f);
        ValidateBridge(a, mode, Unknown, f);

        var managed = mode is not null && ManagedBridgeModes.Contains(mode);
        if (mode is not null && !managed)
        {
            void NotHere(bool set, string path, string what)
            {
                if (set) f.Add(new(path, $"{what} only for nat, route, open and isolated networks (libvirt manages no bridge in {mode} mode)"));
            }
            NotHere(a.Ips is { Length: > 0 }, LibvirtNetworkArgs.Paths.Ips, "addresses and DHCP are");
            NotHere(a.Dns?.Hosts is { Length: > 0 }, "dns.hosts", "DNS records are");
            NotHere(a.Dns?.Txts is { Length: > 0 }, "dns.txts", "DNS records are");
            NotHere(a.Dns?.Srvs is { Length: > 0 }, "dns.srvs", "DNS records are");
            NotHere(a.Dns?.Forwarders is { Length: > 0 }, "dns.forwarders", "DNS forwarders are");
            NotHere(a.DomainName is not null, LibvirtNetworkArgs.Paths.DomainName, "a DNS domain is");
            NotHere(a.MacAddress is not null, LibvirtNetworkArgs.Paths.MacAddress, "a bridge MAC address is");
        }

        NetworkAddressRules.ValidateIps(a.Ips ?? [], Unknown, f);
        NetworkDnsRules.Validate(a.Dns, f);
        NetworkRoutingRules.Validate(a, mode, f);
        ValidateVirtualPort(a.VirtualPort, LibvirtNetworkArgs.Paths.VirtualPort, f);
        ValidateVlanPlacement(a, mode, Unknown, f);
        ValidatePortGroups(a.PortGroups ?? [], mode, a, f);
        return f;
    }

    private static void ValidateForward(LibvirtNetworkArgs a, string? mode, Func<string, bool> unknown, List<CheckFailure> f)
    {
        var fw = a.Forward;
        if (fw is null) return;
        if (fw.Dev is { } dev && LinkNameError(dev) is { } devError) f.Add(new("forward.dev", devError));
        var interfaces = fw.Interfaces ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < interfaces.Length; i++)
        {
            if (interfaces[i] is not { } name) continue;
            if (LinkNameError(name) is { } e) f.Add(new($"forward.interfaces[{i}]", e));
            else if (!seen.Add(name)) f.Add(new($"forward.interfaces[{i}]", $"\"{name}\" is listed twice"));
        }
        var pci = fw.PciAddresses ?? [];
        for (var i = 0; i < pci.Length; i++)
        {
            if (pci[i] is { } address && PciAddress.Problem(address) is { } problem) f.Add(new($"forward.pciAddresses[{i}]", problem));
        }
        if (fw.Pf is { } pf && LinkNameError(pf) is { } pfError) f.Add(new("forward.pf", pfError));
        if (mode is null) return;
        // libvirt takes one kind of pool: interface names, a physical function, or PCI addresses (bridge_driver.c networkValidate).
        var pools = new[] { (interfaces.Length > 0, "forward.interfaces"), (fw.Pf is not null, "forward.pf"), (pci.Length > 0, "forward.pciAddresses") }.Where(x => x.Item1).Select(x => x.Item2).ToList();
        if (pools.Count > 1) f.Add(new(pools[1], $"a network's pool is {string.Join(", ", pools)} — one of them, not several (libvirt refuses a mix)"));
        if (mode != "hostdev")
        {
            if (pci.Length > 0) f.Add(new("forward.pciAddresses", $"a pool of PCI addresses is for hostdev networks; libvirt refuses it in {mode} mode"));
            if (fw.Managed is not null) f.Add(new("forward.managed", $"managed is for hostdev networks, not {mode}"));
            if (fw.Driver is not null) f.Add(new("forward.driver", $"the device assignment driver is for hostdev networks, not {mode}"));
        }
        switch (mode)
        {
            case "isolated" or "open" or "nat" or "route":
                if (mode is "isolated" or "open")
                {
                    if (fw.Dev is not null) f.Add(new("forward.dev", $"an {mode} network forwards through no interface; leave dev unset"));
                    if (interfaces.Length > 0) f.Add(new("forward.interfaces", $"an {mode} network has no interface pool"));
                }
                else if (interfaces.Length > 1) f.Add(new("forward.interfaces", $"a {mode} network forwards through at most one interface; set forward.dev"));
                else if (interfaces.Length == 1 && fw.Dev is { } d && interfaces[0] != d)
                    f.Add(new("forward.interfaces[0]", $"must be forward.dev (\"{d}\") for a {mode} network; libvirt lists dev here itself"));
                if (fw.Pf is not null) f.Add(new("forward.pf", $"a physical function pool is for macvtap and hostdev networks, not {mode}"));
                break;
            case "hostdev":
                if (interfaces.Length > 0 || fw.Dev is not null)
                    f.Add(new(interfaces.Length > 0 ? "forward.interfaces" : "forward.dev", "a hostdev network's pool lists SR-IOV functions by PCI address (pciAddresses) or their physical function (pf), not by interface name"));
                break;
            default: // bridge and the macvtap modes
                if (mode != "bridge" && fw.Dev is null && interfaces.Length == 0 && fw.Pf is null && !unknown("forward.dev") && !unknown("forward.interfaces") && !unknown("forward.pf"))
                    f.Add(new("forward.interfaces", $"a {mode} network needs its macvtap pool: forward.dev, forward.interfaces or forward.pf"));
                break;
        }
        if (fw.Nat is { } nat)
        {
            if (mode != "nat") f.Add(new("forward.nat", $"address and port ranges are for nat networks, not {mode}"));
            ValidateNat(nat, f);
        }
    }

    private static void ValidateNat(NetworkNatArgs nat, List<CheckFailure> f)
    {
        IpAddr? start = null, end = null;
        if (nat.AddressStart is { } s)
        {
            if (IpAddr.TryParse(s, out var p) && !p.IsV6) start = p;
            else f.Add(new("forward.nat.addressStart", $"\"{Shorten(s)}\" is not an IPv4 address"));
        }
        if (nat.AddressEnd is { } e)
        {
            if (IpAddr.TryParse(e, out var p) && !p.IsV6) end = p;
            else f.Add(new("forward.nat.addressEnd", $"\"{Shorten(e)}\" is not an IPv4 address"));
        }
        if ((nat.AddressStart is null) != (nat.AddressEnd is null))
            f.Add(new(nat.AddressStart is null ? "forward.nat.addressStart" : "forward.nat.addressEnd", "give both addressStart and addressEnd, or neither"));
        if (start is { } a && end is { } b && a.Value > b.Value)
            f.Add(new("forward.nat.addressEnd", $"{b} comes before addressStart {a}"));
        if ((nat.PortStart is null) != (nat.PortEnd is null))
            f.Add(new(nat.PortStart is null ? "forward.nat.portStart" : "forward.nat.portEnd", "give both portStart and portEnd, or neither"));
        if (nat.PortStart is { } ps && nat.PortEnd is { } pe && ps > pe)
            f.Add(new("forward.nat.portEnd", $"{pe} is below portStart {ps}"));
    }

    private static void ValidateBridge(LibvirtNetworkArgs a, string? mode, Func<string, bool> unknown, List<CheckFailure> f)
    {
        var br = a.Bridge;
        if (br?.Name is { } name && LinkNameError(name) is { } e) f.Add(new("bridge.name", e));
        if (mode is null) return;
        var hasPool = a.Forward?.Dev is not null || a.Forward?.Interfaces is { Length: > 0 } || a.Forward?.Pf is not null;
        // A bridge-mode network that names neither a bridge nor a pool is one libvirt defines (its guests then say
        // which bridge): not refused here.
        if (mode == "bridge")
        {
            if (br?.Name is not null && hasPool)
                f.Add(new("bridge.name", "a bridge-mode network uses either an existing bridge (bridge.name) or a macvtap pool (forward.dev/interfaces), not both"));
        }
        else if (!ManagedBridgeModes.Contains(mode) && br?.Name is not null)
        {
            f.Add(new("bridge.name", $"a {mode} network has no bridge; only nat/route/open/isolated networks (a bridge libvirt makes) and bridge-mode networks (an existing bridge) do"));
        }
        if (!ManagedBridgeModes.Contains(mode))
        {
            if (br?.Stp is not null) f.Add(new("bridge.stp", $"libvirt sets STP only on the bridges it makes (nat/route/open/isolated), not in {mode} mode"));
            if (br?.Delay is not null) f.Add(new("bridge.delay", $"libvirt sets the forward delay only on the bridges it makes (nat/route/open/isolated), not in {mode} mode"));
        }
    }

    private static void ValidateVirtualPort(NetworkVirtualPortArgs? vp, string path, List<CheckFailure> f)
    {
        if (vp is null) return;
        if (vp.InterfaceId is { } id && !Guid.TryParseExact(id, "D", out _))
            f.Add(new($"{path}.interfaceId", $"\"{Shorten(id)}\" is not a UUID"));
        if (vp.InstanceId is { } instance && !Guid.TryParseExact(instance, "D", out _))
            f.Add(new($"{path}.instanceId", $"\"{Shorten(instance)}\" is not a UUID"));
        // Which virtual port suits which network is settled when a guest connects; libvirt defines any of them
        // on any network (an 802.1Qbh portgroup on a bridge network included), so Check does too.
    }

    private static bool IsOvs(NetworkVirtualPortArgs? vp) => vp?.Type == "openvswitch";

    private static void ValidateVlan(NetworkVlanArgs vlan, string path, List<CheckFailure> f)
    {
        var tags = vlan.Tags ?? [];
        var seen = new HashSet<int>();
        for (var i = 0; i < tags.Length; i++)
        {
            if (tags[i]?.Id is { } id && !seen.Add(id)) f.Add(new($"{path}.tags[{i}].id", $"VLAN {id} is listed twice"));
        }
        if (tags.Length > 1 && vlan.Trunk == false) f.Add(new($"{path}.trunk", "several tags make a trunk; trunk cannot be false"));
        var trunk = tags.Length > 1 || vlan.Trunk == true;
        for (var i = 0; i < tags.Length; i++)
        {
            if (!trunk && tags[i]?.NativeMode is not null)
                f.Add(new($"{path}.tags[{i}].nativeMode", "a native mode is for trunks (several tags, or trunk true)"));
        }
        if (tags.Count(t => t?.NativeMode is not null) > 1)
            f.Add(new($"{path}.tags", "at most one tag can be the native VLAN"));
    }

    /// <summary>libvirt tags only on Open vSwitch bridges and SR-IOV (hostdev) pools; anywhere else the guest fails to start.</summary>
    private static void ValidateVlanPlacement(LibvirtNetworkArgs a, string? mode, Func<string, bool> unknown, List<CheckFailure> f)
    {
        if (a.Vlan is not { } vlan) return;
        ValidateVlan(vlan, LibvirtNetworkArgs.Paths.Vlan, f);
        if (mode is null || unknown("virtualPort") || unknown("virtualPort.type")) return;
        if (!(mode is "hostdev" or "passthrough" || (mode == "bridge" && IsOvs(a.VirtualPort))))
            f.Add(new(LibvirtNetworkArgs.Paths.Vlan, VlanReason(mode)));
    }

    private static string VlanReason(string mode) =>
        $"libvirt tags VLANs only on an Open vSwitch bridge (forward.mode bridge with virtualPort.type openvswitch) or an SR-IOV pool (forward.mode hostdev or passthrough); " +
        $"this network is {mode}{(mode is "nat" or "route" or "open" or "isolated" ? ", whose Linux bridge cannot tag guest ports" : "")}";

    private static void ValidatePortGroups(NetworkPortGroupArgs?[] groups, string? mode, LibvirtNetworkArgs a, List<CheckFailure> f)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        int? defaultAt = null;
        for (var i = 0; i < groups.Length; i++)
        {
            if (groups[i] is not { } g) continue;
            var p = $"portGroups[{i}]";
            if (g.Name is { } name)
            {
                if (NameError(name, 64) is { } e) f.Add(new($"{p}.name", e));
                else if (!names.TryAdd(name, i)) f.Add(new($"{p}.name", $"\"{name}\" is also portGroups[{names[name]}]"));
            }
            if (g.IsDefault == true)
            {
                if (defaultAt is { } d) f.Add(new($"{p}.isDefault", $"portGroups[{d}] is already the default; a network has at most one"));
                defaultAt ??= i;
            }
            ValidateVirtualPort(g.VirtualPort, $"{p}.virtualPort", f);
            if (g.Vlan is { } vlan)
            {
                ValidateVlan(vlan, $"{p}.vlan", f);
                // A portgroup without its own virtual port takes the network's.
                var ovs = IsOvs(g.VirtualPort ?? a.VirtualPort);
                if (mode is not null && !(mode is "hostdev" or "passthrough" || (mode == "bridge" && ovs)))
                    f.Add(new($"{p}.vlan", VlanReason(mode)));
            }
        }
    }

    internal static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}

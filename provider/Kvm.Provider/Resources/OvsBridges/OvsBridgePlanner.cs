using System.Collections.Immutable;
using Kvm.Netlink;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>The OvsBridge's pure rules: names, VLAN settings that contradict each other, bonds, patches; the preview's words.</summary>
internal sealed class OvsBridgePlanner : Planner<OvsBridgeArgs, OvsBridgeState>
{
    public override string? HostNameOf(OvsBridgeArgs args) => args.Name;

    public override IEnumerable<CheckFailure> Validate(CheckContext<OvsBridgeArgs> ctx)
    {
        var a = ctx.News.Value;
        var failures = new List<CheckFailure>();
        if (a.Name is { } name && !LinkName.IsValid(name))
            failures.Add(new(OvsBridgeArgs.Paths.Name, $"\"{name}\" is not a valid interface name: 1-15 characters, no '/', ':' or whitespace, not \".\" or \"..\""));
        if (a.StpEnable == true && a.RstpEnable == true)
            failures.Add(new(OvsBridgeArgs.Paths.RstpEnable, "a bridge runs STP or RSTP, not both: turn stpEnable off to use RSTP"));
        failures.AddRange(EntryFailures(OvsBridgeArgs.Paths.OtherConfig, a.OtherConfig));
        failures.AddRange(EntryFailures(OvsBridgeArgs.Paths.ExternalIds, a.ExternalIds));
        if (a.Ports is { } ports) failures.AddRange(PortFailures(ctx, a.Name, ports));
        failures.AddRange(HostSideFailures(ctx.News));
        return failures;
    }

    /// <summary>A port's addresses as the kernel writes them, its MAC in lower case (as Open vSwitch reports it).</summary>
    private static ObjectValue NormalizePort(ObjectValue port)
    {
        port = BridgeAddressRules.Normalize(port);
        return port[OvsPortArgs.Paths.MacAddress] is StringValue mac ? port.With(OvsPortArgs.Paths.MacAddress, PropertyValue.Of(mac.Value.ToLowerInvariant())) : port;
    }

    /// <summary>
    /// The host's layer 3 on the bridge's internal port and on internal ports in `ports`: each link by a Linux Bridge's
    /// rules (<see cref="BridgeAddressRules"/>); only internal ports are interfaces of the host; an address belongs to
    /// one link of the bridge, and a family has one default route.
    /// </summary>
    private static IEnumerable<CheckFailure> HostSideFailures(Bound<OvsBridgeArgs> news)
    {
        foreach (var failure in BridgeAddressRules.Validate(news)) yield return failure;
        var links = new List<(string Prefix, IHostAddressing Link)> { ("", news.Value) };
        var ports = news.Value.Ports ?? [];
        for (var i = 0; i < ports.Length; i++)
        {
            if (ports[i] is not { } port) continue;
            var prefix = PropertyPath.Index(OvsBridgeArgs.Paths.Ports, i) + ".";
            if (port.Type != "internal")
            {
                if (FirstHostSideKey(port) is { } key)
                    yield return new(prefix + key, $"port {port.Name} is not an internal port: only an internal port (and the bridge itself) is an interface of the host, which holds addresses and routes. An uplink's address moves to the bridge's internal port as it joins: declare it in the bridge's addresses");
                continue;
            }
            var own = new Bound<OvsPortArgs>(port, [], Under(news.UnknownPaths, prefix), Under(news.SecretPaths, prefix));
            foreach (var failure in BridgeAddressRules.Validate(own)) yield return failure with { Property = prefix + failure.Property };
            links.Add((prefix, port));
        }
        foreach (var failure in AcrossLinks(links)) yield return failure;
    }

    /// <summary>The paths under <paramref name="prefix"/>, relative to it.</summary>
    private static ImmutableHashSet<string> Under(ImmutableHashSet<string> paths, string prefix) =>
        [.. paths.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p[prefix.Length..])];

    private static string? FirstHostSideKey(IHostAddressing p) =>
        p.Addresses is not null ? IHostAddressing.AddressesPath
        : p.Gateway is not null ? IHostAddressing.GatewayPath
        : p.Gateway6 is not null ? IHostAddressing.Gateway6Path
        : p.Routes is not null ? IHostAddressing.RoutesPath
        : p.Up is not null ? IHostAddressing.UpPath
        : null;

    /// <summary>One address on two links of the host answers on both; two default routes of a family, the kernel keeps both and the lowest metric wins.</summary>
    private static IEnumerable<CheckFailure> AcrossLinks(List<(string Prefix, IHostAddressing Link)> links)
    {
        var addresses = new Dictionary<System.Net.IPAddress, string>();
        var gateways = new Dictionary<bool, string>();
        foreach (var (prefix, link) in links)
        {
            var declared = link.Addresses ?? [];
            for (var j = 0; j < declared.Length; j++)
            {
                var path = prefix + PropertyPath.Index(IHostAddressing.AddressesPath, j);
                if (declared[j] is not { } text || !IpCidr.TryParse(text, out var cidr, out _)) continue;
                if (addresses.TryGetValue(cidr.Address, out var other) && !other.StartsWith(prefix + IHostAddressing.AddressesPath + "[", StringComparison.Ordinal))
                    yield return new(path, $"{cidr.Address} is also declared at {other}: an address belongs to one link of the bridge (the kernel would answer for it on both)");
                else addresses.TryAdd(cidr.Address, path);
            }
            foreach (var (key, gateway, ipv6) in new[] { (IHostAddressing.GatewayPath, link.Gateway, false), (IHostAddressing.Gateway6Path, link.Gateway6, true) })
            {
                if (gateway is null) continue;
                if (gateways.TryGetValue(ipv6, out var first))
                    yield return new(prefix + key, $"the {(ipv6 ? "IPv6" : "IPv4")} default route is already declared at {first}: declare one per family (with two, the kernel keeps both and only the lowest metric is used)");
                else gateways[ipv6] = prefix + key;
            }
        }
    }

    /// <summary>Addresses, gateways and routes, the bridge's and its ports', as the kernel writes them (<see cref="BridgeAddressRules.Normalize"/>), so a re-read compares equal.</summary>
    public override ObjectValue NormalizeInputs(ObjectValue news)
    {
        news = BridgeAddressRules.Normalize(news);
        return news[OvsBridgeArgs.Paths.Ports] is ArrayValue ports
            ? news.With(OvsBridgeArgs.Paths.Ports, new ArrayValue([.. ports.Items.Select(p => p is ObjectValue port ? NormalizePort(port) : p)]))
            : news;
    }

    /// <summary>
    /// OVSDB takes any string as a key (vswitch.ovsschema: `"key": "string"`, no length limit), but an empty one names
    /// no setting Open vSwitch reads and is almost surely a mistake in the program, so it is refused naming the property.
    /// </summary>
    private static IEnumerable<CheckFailure> EntryFailures(string path, ImmutableSortedDictionary<string, string>? entries)
    {
        if (entries is not null && entries.ContainsKey(""))
            yield return new(path, "has an empty key: every entry needs a key (e.g. \"stp-priority\")");
    }

    private static IEnumerable<CheckFailure> PortFailures(CheckContext<OvsBridgeArgs> ctx, string? bridge, OvsPortArgs[] ports)
    {
        // Port and interface names are one namespace in Open vSwitch (each is unique in its table, and a port of one
        // interface shares its name), so a bond member may not also be another port.
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Length; i++)
        {
            var item = PropertyPath.Index(OvsBridgeArgs.Paths.Ports, i);
            if (ctx.News.IsUnknown(item)) continue;
            if (ports[i] is not { } p)
            {
                yield return new(item, "is null: give each port at least its name");
                continue;
            }
            string At(string field) => PropertyPath.Append(item, field);
            if (p.Name is { } name && !ctx.News.IsUnknown(At(OvsPortArgs.Paths.Name)))
            {
                if (!LinkName.IsValid(name)) yield return new(At(OvsPortArgs.Paths.Name), $"\"{name}\" is not a valid interface name");
                else if (name == bridge) yield return new(At(OvsPortArgs.Paths.Name), $"\"{name}\" is the bridge's own internal port, which the bridge always has; leave it out (set the bridge's mtu for it)");
                else if (!names.Add(name)) yield return new(At(OvsPortArgs.Paths.Name), $"\"{name}\" is listed twice");
            }
            if (p.MacAddress is { } mac && !ctx.News.IsUnknown(At(OvsPortArgs.Paths.MacAddress)))
            {
                if (p.Type != "internal")
                    yield return new(At(OvsPortArgs.Paths.MacAddress), $"port {p.Name} is not an internal port: Open vSwitch sets the MAC of its own (internal) interfaces only; an uplink keeps its NIC's MAC");
                else if (Networks.NetworkRules.MacError(mac) is { } macError)
                    yield return new(At(OvsPortArgs.Paths.MacAddress), macError);
            }
            foreach (var failure in VlanFailures(p, At)) yield return failure;
            foreach (var failure in KindFailures(p, At, bridge, names)) yield return failure;
        }
    }

    /// <summary>OVS's VLAN modes: access takes one tag and no trunks; a trunk takes trunks and no tag; native modes take both.</summary>
    private static IEnumerable<CheckFailure> VlanFailures(OvsPortArgs p, Func<string, string> at)
    {
        var hasTrunks = p.Trunks is { Length: > 0 };
        switch (p.VlanMode)
        {
            case null when p.Tag is not null && hasTrunks:
            case "access" when hasTrunks:
                yield return new(at(OvsPortArgs.Paths.Trunks), $"port {p.Name} has an access tag ({p.Tag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "vlanMode access"}) and trunks: an access port carries one VLAN untagged. Drop trunks, or set vlanMode to trunk (no tag), native-tagged or native-untagged (tag = the native VLAN)");
                break;
            case "access" when p.Tag is null:
                yield return new(at(OvsPortArgs.Paths.Tag), $"port {p.Name} is an access port: give it its VLAN in tag");
                break;
            case "trunk" when p.Tag is not null:
                yield return new(at(OvsPortArgs.Paths.Tag), $"port {p.Name} is a trunk, which carries tagged VLANs only; a trunk with an untagged VLAN is native-untagged (or native-tagged), whose tag is that VLAN");
                break;
            case "native-tagged" or "native-untagged" when p.Tag is null:
                yield return new(at(OvsPortArgs.Paths.Tag), $"port {p.Name} is {p.VlanMode}: give its native VLAN in tag");
                break;
        }
        if (p.Trunks is { } trunks && trunks.Distinct().Count() != trunks.Length)
            yield return new(at(OvsPortArgs.Paths.Trunks), $"lists a VLAN twice ({string.Join(", ", trunks.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => g.Key))})");
    }

    private static IEnumerable<CheckFailure> KindFailures(OvsPortArgs p, Func<string, string> at, string? bridge, HashSet<string> names)
    {
        if (p.Type == "patch" && p.Peer is null)
            yield return new(at(OvsPortArgs.Paths.Peer), $"port {p.Name} is a patch port: name the patch port at the other end in peer");
        if (p.Type == "patch" && p.Peer is { } peer && peer == p.Name)
            yield return new(at(OvsPortArgs.Paths.Peer), "a patch port cannot be its own peer");
        if (p.Type != "patch" && p.Peer is not null)
            yield return new(at(OvsPortArgs.Paths.Peer), $"only a patch port has a peer; set type to patch or drop peer");
        if (p.Bond is not { } bond) yield break;
        var members = PropertyPath.Append(at(OvsPortArgs.Paths.Bond), OvsBondArgs.Paths.Members);
        if (p.Type is not null)
            yield return new(at(OvsPortArgs.Paths.Type), $"a bond's members are existing interfaces; a bond cannot be {p.Type}");
        if (bond.Members is { } list)
        {
            if (list.Length < 2)
                yield return new(members, $"a bond needs at least two members; with one, make {(list.Length == 1 ? list[0] : "it")} a plain port");
            for (var j = 0; j < list.Length; j++)
            {
                var member = list[j];
                if (member is null || !LinkName.IsValid(member)) yield return new(PropertyPath.Index(members, j), $"\"{member}\" is not a valid interface name");
                else if (member == bridge || member == p.Name || !names.Add(member))
                    yield return new(PropertyPath.Index(members, j), $"\"{member}\" is already a port, a member or the bridge itself; an interface belongs to one port");
            }
        }
        if (bond.BondMode == "balance-tcp" && bond.Lacp is null or "off")
            yield return new(PropertyPath.Append(at(OvsPortArgs.Paths.Bond), OvsBondArgs.Paths.Lacp), "balance-tcp needs LACP (active or passive); without it Open vSwitch falls back to active-backup");
    }

    public override Plan Plan(DiffContext<OvsBridgeArgs, OvsBridgeState> ctx) => Resources.Plan.Unclassified(ctx.Default);

    public override Outcome<OvsBridgeState> Preview(PreviewContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        if (ctx.OldState is { } old)
        {
            var updated = PreviewOutputs.OfUpdate<OvsBridgeArgs, OvsBridgeState>(ctx.Args.Name ?? "", ctx.Inputs, old);
            return updated with { State = updated.State with { GuestPorts = old.GuestPorts } };
        }
        return PreviewOutputs.OfCreate<OvsBridgeArgs, OvsBridgeState>(ctx.Args.Name ?? "", ctx.Inputs);
    }

    /// <summary>
    /// Every change is one OVSDB transaction on the running bridge; what the preview adds is whether traffic stops,
    /// and whose: <c>kvm:live</c> lines, a warning for those that interrupt traffic, naming guests' ports when theirs.
    /// </summary>
    public override IEnumerable<Announcement> Announce(AnnounceContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        var name = ctx.News.Name;
        var guests = ctx.OldState.GuestPorts is { Length: > 0 } g ? string.Join(", ", g) : null;
        var everyone = guests is null ? "every port's traffic" : $"every port's traffic, guests' included ({guests})";
        if (ctx.Plan.Replaces)
        {
            yield return Announcement.Replacement($"kvm:replace name: the Open vSwitch bridge {ctx.OldState.Name} is deleted and {name} made; {(guests is null ? "no guest's port is on it" : $"guests' ports on it are lost ({guests}): libvirt does not put them back until each guest restarts")}");
            yield break;
        }
        var top = ctx.Plan.Diff.Diffs;
        var quiet = new List<string>();
        var hostSide = new List<string>();
        foreach (var key in top)
        {
            var why = key switch
            {
                "datapathType" => $"the datapath of {name} is rebuilt: {everyone} stops for a moment" + (((IHostAddressing)ctx.News).DeclaresLayer3 ? $"; the internal port {name} is made again, and this update puts its addresses and routes back" : ""),
                "stpEnable" when ctx.News.StpEnable == true => $"STP starts on {name}: every port goes through listening and learning, about 30 s without traffic ({everyone})",
                "rstpEnable" when ctx.News.RstpEnable == true => $"RSTP starts on {name}: ports forward only once it agrees, {everyone} may pause for a few seconds",
                "failMode" when ctx.News.FailMode == "secure" => $"{name} forwards nothing without an OpenFlow controller's flows: {everyone} stops",
                "ports" => PortsWhy(ctx),
                "up" when ctx.News.Up == false => $"the internal port {name} goes down: the host's own traffic through the bridge stops (the ports' and guests' traffic does not)",
                _ => null,
            };
            if (key == "ports")
            {
                // Each port's changes: in the database, or on an internal port's link (its addresses, routes, up).
                var (database, links) = PortChanges(ctx.Plan.Diff);
                foreach (var link in links)
                {
                    var port = link.EndsWith("].up", StringComparison.Ordinal) && int.TryParse(link["ports[".Length..link.IndexOf(']', StringComparison.Ordinal)], out var i)
                        && ctx.News.Ports is { } declared && i < declared.Length ? declared[i] : null;
                    if (port is { Up: false }) yield return Announcement.Warning($"kvm:live {link}: the internal port {port.Name} goes down: the host's own traffic through it stops");
                    else hostSide.Add(link);
                }
                if (why is not null) yield return Announcement.Warning($"kvm:live {key}: {why}");
                else if (database) quiet.Add(key);
            }
            else if (why is not null) yield return Announcement.Warning($"kvm:live {key}: {why}");
            else if (IHostAddressing.IsInput(key)) hostSide.Add(key);
            else if (key is not ("forceDestroy" or "takeOverManagedLinks")) quiet.Add(key);
        }
        if (quiet.Count > 0)
            yield return Announcement.Info($"kvm:live {string.Join(", ", quiet)}: applied to the running bridge in one OVSDB transaction; no port's traffic is interrupted");
        if (hostSide.Count > 0)
        {
            var onPorts = hostSide.Any(k => k.StartsWith("ports[", StringComparison.Ordinal));
            var onBridge = hostSide.Any(k => !k.StartsWith("ports[", StringComparison.Ordinal));
            var where = (onBridge, onPorts) switch
            {
                (true, false) => $"the internal port {name} (the host's interface on the bridge)",
                (false, true) => "the internal ports' links",
                _ => $"the internal port {name} (the host's interface on the bridge) and the internal ports' links",
            };
            yield return Announcement.Info($"kvm:live {string.Join(", ", hostSide)}: set on {where} by netlink, after the database; new addresses and routes come before old ones go, and no port's traffic is interrupted");
        }
    }

    /// <summary>Whether a change of `ports` touches the database, and which internal ports' host side it changes ("ports[2].addresses").</summary>
    private static (bool Database, IReadOnlyList<string> Links) PortChanges(DiffResult diff)
    {
        var links = new List<string>();
        var database = false;
        foreach (var path in diff.Detailed.Keys.Where(k => k.StartsWith("ports", StringComparison.Ordinal)))
        {
            var at = path.IndexOf("].", StringComparison.Ordinal);
            var key = at < 0 ? null : path[(at + 2)..].Split('.', '[')[0];
            if (key is not null && IHostAddressing.IsInput(key)) links.Add(path[..(at + 2)] + key);
            else database = true;
        }
        return (database, [.. links.Distinct()]);
    }

    private static string? PortsWhy(AnnounceContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        if (ctx.News.Ports is not { } news) return null;
        var old = (ctx.OldState.Ports ?? []).ToDictionary(p => p.Name!, StringComparer.Ordinal);
        var removed = old.Keys.Where(n => news.All(p => p.Name != n)).ToList();
        var changed = news.Where(p => old.TryGetValue(p.Name!, out var o) && !OvsBridgeMapping.Equivalent(o, OvsTransactions.Canonical(p))).ToList();
        // A new MAC alone drops no VLAN: the port's host interface is re-addressed, and peers re-learn it.
        var remac = changed.Where(p => OvsBridgeMapping.Equivalent(old[p.Name!], OvsTransactions.Canonical(p) with { MacAddress = null })).Select(p => p.Name!).ToList();
        changed.RemoveAll(p => remac.Contains(p.Name!));
        var widened = changed.Where(p => OnlyGainsVlans(old[p.Name!], OvsTransactions.Canonical(p))).Select(p => p.Name!).ToList();
        changed.RemoveAll(p => widened.Contains(p.Name!));
        var added = news.Where(p => !old.ContainsKey(p.Name!)).Select(p => p.Name!).ToList();
        var parts = new List<string>();
        if (removed.Count > 0) parts.Add($"{string.Join(", ", removed)} {(removed.Count == 1 ? "leaves" : "leave")} the bridge: {(removed.Count == 1 ? "its" : "their")} traffic stops");
        if (changed.Count > 0) parts.Add($"{string.Join(", ", changed.Select(p => p.Name))} {(changed.Count == 1 ? "changes" : "change")} VLAN or bond settings: frames of VLANs no longer carried are dropped, and a bond renegotiates");
        if (remac.Count > 0) parts.Add($"{string.Join(", ", remac)} {(remac.Count == 1 ? "gets" : "get")} a new MAC: peers reach the host there again once their ARP and neighbour caches learn it");
        if (parts.Count == 0) return null;
        var guests = ctx.OldState.GuestPorts is { Length: > 0 } g ? $"; guests' ports ({string.Join(", ", g)}) are not touched" : "";
        return string.Join("; ", parts) + (added.Count > 0 ? $"; {string.Join(", ", added)} {(added.Count == 1 ? "joins" : "join")}" : "")
            + (widened.Count > 0 ? $"; {string.Join(", ", widened)} only {(widened.Count == 1 ? "gains" : "gain")} VLANs" : "") + guests;
    }

    /// <summary>A trunk that keeps everything and carries more VLANs: no frame it carried before is dropped.</summary>
    private static bool OnlyGainsVlans(OvsPortArgs before, OvsPortArgs after) =>
        before.Trunks is { Length: > 0 } was && after.Trunks is { } now && was.All(now.Contains)
        && OvsBridgeMapping.Equivalent(before with { Trunks = null }, after with { Trunks = null });
}

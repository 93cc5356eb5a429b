using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// The LibvirtNetwork's pure rules: Check's rules on the inputs (<see cref="NetworkRules"/>), their
/// normal form, the diff refined for values libvirt fills in and for the running network's drift,
/// each changed path's class (<see cref="NetworkChanges.Classify"/>), the preview's outputs and its
/// <c>kvm:</c> lines. It never reaches libvirt.
/// </summary>
internal sealed class LibvirtNetworkPlanner : Planner<LibvirtNetworkArgs, LibvirtNetworkState>
{
    /// <summary>Values libvirt fills in: a program that stops setting one lets libvirt keep its choice (no change, never a replacement).</summary>
    private static readonly HashSet<string> FilledIn = ["uuid", "macAddress", "bridge", "bridge.name", "bridge.stp", "bridge.delay", "forward.interfaces"];

    public override IEnumerable<CheckFailure> Validate(CheckContext<LibvirtNetworkArgs> ctx) => NetworkRules.Validate(ctx.News);

    public override string? HostNameOf(LibvirtNetworkArgs args) => args.Name;

    /// <summary>Addresses, MACs and UUIDs in the form libvirt reports them; defaults spelled the way the outputs spell them.</summary>
    public override ObjectValue NormalizeInputs(ObjectValue news)
    {
        PropertyValue v = news;
        static PropertyValue? Lower(PropertyValue? p) => MapString(p, s => s.ToLowerInvariant());
        static PropertyValue? Address(PropertyValue? p) => MapString(p, IpAddr.Canonical);
        foreach (var path in new[] { "uuid", "macAddress", "ips[*].dhcp.hosts[*].mac", "ips[*].dhcp.hosts[*].id", "virtualPort.interfaceId", "portGroups[*].virtualPort.interfaceId",
                     "virtualPort.instanceId", "portGroups[*].virtualPort.instanceId" })
            v = PropertyPath.Set(v, PropertyPath.Parse(path).AsSpan(), Lower);
        foreach (var path in new[] { "forward.nat.addressStart", "forward.nat.addressEnd", "ips[*].address", "ips[*].dhcp.ranges[*].start", "ips[*].dhcp.ranges[*].end", "ips[*].dhcp.hosts[*].ip", "dns.hosts[*].ip",
                     "ips[*].dhcp.bootp.server", "dns.forwarders[*].address", "routes[*].address", "routes[*].gateway" })
            v = PropertyPath.Set(v, PropertyPath.Parse(path).AsSpan(), Address);
        // Inside unordered lists items compare whole, so defaults are spelled one way: isDefault only when true, trunk whenever it is one.
        v = PropertyPath.Set(v, PropertyPath.Parse("portGroups[*].isDefault").AsSpan(), p => p?.Reveal() is BoolValue { Value: false } ? null : p);
        foreach (var path in new[] { "vlan", "portGroups[*].vlan" })
            v = PropertyPath.Set(v, PropertyPath.Parse(path).AsSpan(), CanonicalVlan);
        v = PropertyPath.Set(v, PropertyPath.Parse("forward.pciAddresses[*]").AsSpan(), p => MapString(p, PciAddress.Normalize));
        v = PropertyPath.Set(v, PropertyPath.Parse(LibvirtNetworkArgs.Paths.MetadataXml).AsSpan(), p => MapString(p, xml => XmlFragment.Parse(xml, out _) is { } element ? XmlFragment.Canonical(element) : xml));
        return (ObjectValue)v;
    }

    private static PropertyValue? MapString(PropertyValue? p, Func<string, string> map) => p switch
    {
        StringValue s => PropertyValue.Of(map(s.Value)),
        SecretValue { Inner: StringValue s } => PropertyValue.Secret(PropertyValue.Of(map(s.Value))),
        _ => p,
    };

    private static PropertyValue? CanonicalVlan(PropertyValue? p)
    {
        if (p is not ObjectValue vlan || vlan["tags"] is not ArrayValue tags) return p;
        if (vlan["trunk"] is { IsUnknown: true }) return p;
        var trunk = vlan["trunk"]?.Reveal() is BoolValue { Value: true } || tags.Items.Length > 1;
        return trunk ? vlan.With("trunk", PropertyValue.True) : vlan.Without("trunk");
    }

    // ---- the plan ----

    /// <summary>
    /// The default per-property diff, less removed pins of values libvirt fills in, plus what the
    /// running network does differently from its definition where the program sets it; every path
    /// classified.
    /// </summary>
    public override Plan Plan(DiffContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var byDefault = ctx.Default;
        var diff = byDefault with
        {
            Detailed = byDefault.Detailed.RemoveRange(byDefault.Detailed.Where(d => !Significant(d.Key, d.Value, byDefault.Detailed, ctx.News)).Select(d => d.Key)),
        };
        foreach (var path in ctx.OldState.LiveDrift ?? [])
        {
            if (path is { Length: > 0 } && !diff.Detailed.ContainsKey(path) && NetworkChanges.ProgramSets(ctx.News, path))
                diff = diff.With(path, DiffKind.Update);
        }
        diff = diff with { DeleteBeforeReplace = diff.IsReplace };
        return new Plan(diff, [.. diff.Detailed.Select(d => new PlannedChange(d.Key, d.Value, NetworkChanges.Classify(d.Key)))]);
    }

    /// <summary>
    /// False for a change that is no change on the host: a dropped pin of a value libvirt fills in
    /// (libvirt keeps its choice), or an address's mask now spelled as a prefix (or back) with the
    /// same value.
    /// </summary>
    private static bool Significant(string path, DiffKind kind, IReadOnlyDictionary<string, DiffKind> all, Bound<LibvirtNetworkArgs> news)
    {
        if (kind is not (DiffKind.Delete or DiffKind.DeleteReplace)) return true;
        if (FilledIn.Contains(path)) return false;
        var s = PropertyPath.Parse(path);
        if (s is [{ Key: LibvirtNetworkArgs.Paths.Ips }, { IsKey: false } item, { Key: NetworkIpArgs.Paths.Prefix or NetworkIpArgs.Paths.Netmask } field])
        {
            var prefixGone = field.Key == NetworkIpArgs.Paths.Prefix;
            var otherPath = PropertyPath.Append(PropertyPath.Index(LibvirtNetworkArgs.Paths.Ips, item.Index), prefixGone ? NetworkIpArgs.Paths.Netmask : NetworkIpArgs.Paths.Prefix);
            var ip = news.Value.Ips is { } ips && item.Index < ips.Length ? ips[item.Index] : null;
            var otherSet = (prefixGone ? ip?.Netmask : (object?)ip?.Prefix) is not null || news.IsUnknown(otherPath);
            return !otherSet || all.ContainsKey(otherPath);
        }
        return true;
    }

    // ---- the preview ----

    /// <summary>The planned outputs: the inputs, with what only libvirt can tell unknown (or, on update, as it was).</summary>
    public override Outcome<LibvirtNetworkState> Preview(PreviewContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var (a, inputs, old) = (ctx.Args, ctx.Inputs, ctx.OldState);
        // Not PreviewOutputs, whose rule knows less: an unset forward, ips, dns or portGroups means isolated or none,
        // other unset inputs stay unset, and only the uuid, MAC and bridge (name) are libvirt's to tell.
        var state = new LibvirtNetworkState
        {
            Name = a.Name,
            Uuid = a.Uuid ?? old?.Uuid,
            Forward = a.Forward ?? old?.Forward ?? (inputs.IsUnknown(LibvirtNetworkArgs.Paths.Forward) ? null : new NetworkForwardArgs { Mode = "isolated", Interfaces = [] }),
            Bridge = a.Bridge ?? old?.Bridge,
            Mtu = a.Mtu ?? old?.Mtu,
            MacAddress = a.MacAddress ?? old?.MacAddress,
            DomainName = a.DomainName ?? old?.DomainName,
            Ips = a.Ips ?? old?.Ips ?? [],
            Dns = a.Dns ?? old?.Dns ?? new NetworkDnsArgs { Hosts = [] },
            PortGroups = a.PortGroups ?? old?.PortGroups ?? [],
            Vlan = a.Vlan ?? old?.Vlan,
            VirtualPort = a.VirtualPort ?? old?.VirtualPort,
            Autostart = a.Autostart ?? true,
            Active = a.Active ?? true,
            BridgeName = a.Bridge?.Name ?? old?.BridgeName,
            LiveDrift = [],
        };
        var unknown = new List<string> { LibvirtNetworkState.Paths.Xml };
        void IfUnset(object? value, string output)
        {
            if (value is null && !inputs.IsUnknown(output)) unknown.Add(output);
        }
        IfUnset(state.Uuid, LibvirtNetworkState.Paths.Uuid);
        IfUnset(state.BridgeName, LibvirtNetworkState.Paths.BridgeName);
        var mode = state.Forward?.Mode;
        if (mode is null or "nat" or "route" or "open" or "isolated")
        {
            IfUnset(state.MacAddress, LibvirtNetworkState.Paths.MacAddress);
            if (state.Bridge is null) IfUnset(null, LibvirtNetworkState.Paths.Bridge);
            else if (state.Bridge.Name is null && !inputs.IsUnknown(LibvirtNetworkState.Paths.Bridge)) unknown.Add("bridge.name");
        }
        return new Outcome<LibvirtNetworkState>(a.Name ?? "", state) { UnknownOutputs = [.. unknown] };
    }

    /// <summary>
    /// What preview tells the user, one engine-log line per class, each with a fixed prefix a CI job
    /// can parse: <c>kvm:live</c>, <c>kvm:restart</c> (a warning naming the guests that lose
    /// connectivity), <c>kvm:replace</c>, <c>kvm:stop</c>, <c>kvm:start</c>.
    /// </summary>
    public override IEnumerable<Announcement> Announce(AnnounceContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var (old, a) = (ctx.OldState, ctx.News);
        var name = old.Name ?? ctx.OldInputs?.Name ?? ctx.Id;
        var guests = AttachedGuests.DescribeNames(ctx.AffectedGuests);
        List<string> PathsOf(ChangeClass cls) => [.. ctx.Plan.PathsOf(cls).Order(StringComparer.Ordinal)];
        var running = old.Active ?? true;
        var staysRunning = running && (a.Active ?? true);

        // Autostart goes last in the live line, as it always has; active has lines of its own.
        var live = PathsOf(ChangeClass.Live).Where(p => !NetworkChanges.IsRunState(p))
            .Concat(PathsOf(ChangeClass.Live).Where(p => p == LibvirtNetworkArgs.Paths.Autostart)).ToList();
        if (live.Count > 0)
        {
            yield return Announcement.Info(running
                ? $"kvm:live {string.Join(", ", live)}: applied to the running network without a restart"
                : $"kvm:live {string.Join(", ", live)}: applied to the network's definition without a restart (it is not running)");
        }
        if (PathsOf(ChangeClass.Restart) is { Count: > 0 } restart)
        {
            yield return staysRunning
                ? Announcement.Warning($"kvm:restart {string.Join(", ", restart)}: the network {name} will be restarted; attached guests lose connectivity: {guests}")
                : Announcement.Info($"kvm:restart {string.Join(", ", restart)}: the network {name} is not running, so nothing is restarted; the new definition applies when it starts");
        }
        if (PathsOf(ChangeClass.Replace) is { Count: > 0 } replace)
        {
            // A replacement is announced at Diff: the engine then creates the new network, whose Create knows nothing of the old one.
            var newName = a.Name ?? name;
            var what = name == newName ? $"the network {name} will be deleted and defined again" : $"the network {name} will be deleted and {newName} defined in its place";
            yield return ctx.Plan.Replaces
                ? Announcement.Replacement($"kvm:replace {string.Join(", ", replace)}: {what}; attached guests lose connectivity: {guests}")
                : Announcement.Warning($"kvm:replace {string.Join(", ", replace)}: the network {name} will be deleted and defined again; attached guests lose connectivity: {guests}");
        }
        if (ctx.Plan.Changes.Any(c => c.Path == LibvirtNetworkArgs.Paths.Active))
        {
            if (running && a.Active == false)
                yield return Announcement.Warning($"kvm:stop active: the network {name} will be stopped; attached guests lose connectivity: {guests}");
            else if (!running && a.Active != false)
                yield return Announcement.Info($"kvm:start active: the network {name} will be started");
        }
    }
}

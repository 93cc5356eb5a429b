using System.Collections.Concurrent;
using Grpc.Core;
using Kvm.Libvirt;
using Kvm.Provider.Host;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// `kvm:index:LibvirtNetwork`: a libvirt network through libvirt's C API. The id is the network's
/// name. Changes are classified: DHCP hosts and ranges, DNS hosts and portgroups are applied live
/// (virNetworkUpdate LIVE|CONFIG, no restart); other settings need a restart (a new persistent
/// definition, then destroy + start: the only path that interrupts guests); name and uuid replace.
/// </summary>
public sealed class LibvirtNetworkResource(ProviderHost host) : LegacyResource<LibvirtNetworkArgs, LibvirtNetworkState>(host)
{
    public const string TypeToken = "kvm:index:LibvirtNetwork";

    /// <summary>Values libvirt fills in: a program that stops setting one lets libvirt keep its choice (no change, never a replacement).</summary>
    private static readonly HashSet<string> FilledIn = ["uuid", "macAddress", "bridge", "bridge.name", "bridge.stp", "bridge.delay", "forward.interfaces"];

    /// <summary>Replacements Diff found, by URN, for Create's preview to announce (the engine calls Diff, then Create).</summary>
    private readonly ConcurrentDictionary<string, PlannedReplacement> _plannedReplacements = new(StringComparer.Ordinal);

    private sealed record PlannedReplacement(string[] Paths, string OldName, string? OldBridge);

    public override string Token => TypeToken;

    public override string Description => """
        A libvirt network on the KVM host: forward mode (nat, route, open, bridge, macvtap pools, hostdev or isolated), the bridge, addresses with DHCP (ranges and static leases), DNS host records, portgroups with VLANs and Open vSwitch virtual ports, autostart and whether it runs. Managed through libvirt's C API (no virsh).

        Every change is classified before it is made, and `pulumi preview` says which class it falls in (engine log lines starting `kvm:live`, `kvm:restart`, `kvm:replace`): DHCP hosts and ranges, DNS hosts and portgroups are applied to the running network without a restart (virNetworkUpdate, live and persistent); other settings (addresses, forward mode, bridge, MTU, VLANs...) need the network restarted, which cuts attached guests off, and the preview names them; `name` and `uuid` replace the network (the old one is deleted first). Values libvirt fills in (uuid, MAC, virbrN bridge name, STP settings, forward interface lists) are reported as outputs and never as drift. A restart takes the bridge down; the provider puts running guests' interfaces back on it afterwards when it can see them (libvirt on the same host and namespace). A network of the same name that already exists is never adopted: import it. The id is the network's name; an import by UUID records the name as the id.

        Import: `pulumi import kvm:index:LibvirtNetwork <name> <id>` (id: the network name or UUID).
        """;

    protected override Task<IEnumerable<CheckFailure>> ValidateAsync(CheckContext<LibvirtNetworkArgs> ctx) =>
        Task.FromResult(NetworkRules.Validate(ctx.News));

    protected override string? HostNameOf(LibvirtNetworkArgs args) => args.Name;

    /// <summary>Addresses, MACs and UUIDs in the form libvirt reports them; defaults spelled the way the outputs spell them.</summary>
    protected override ObjectValue NormalizeInputs(ObjectValue news)
    {
        PropertyValue v = news;
        static PropertyValue? Lower(PropertyValue? p) => MapString(p, s => s.ToLowerInvariant());
        static PropertyValue? Address(PropertyValue? p) => MapString(p, IpAddr.Canonical);
        foreach (var path in new[] { "uuid", "macAddress", "ips[*].dhcp.hosts[*].mac", "virtualPort.interfaceId", "portGroups[*].virtualPort.interfaceId" })
            v = PropertyPath.Set(v, PropertyPath.Parse(path).AsSpan(), Lower);
        foreach (var path in new[] { "forward.nat.addressStart", "forward.nat.addressEnd", "ips[*].address", "ips[*].dhcp.ranges[*].start", "ips[*].dhcp.ranges[*].end", "ips[*].dhcp.hosts[*].ip", "dns.hosts[*].ip" })
            v = PropertyPath.Set(v, PropertyPath.Parse(path).AsSpan(), Address);
        // Inside unordered lists items compare whole, so defaults are spelled one way: isDefault only when true, trunk whenever it is one.
        v = PropertyPath.Set(v, PropertyPath.Parse("portGroups[*].isDefault").AsSpan(), p => p?.Reveal() is BoolValue { Value: false } ? null : p);
        foreach (var path in new[] { "vlan", "portGroups[*].vlan" })
            v = PropertyPath.Set(v, PropertyPath.Parse(path).AsSpan(), CanonicalVlan);
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

    // ---- Diff ----

    protected override DiffResult Diff(DiffContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var result = Classified(ctx.Default, ctx.OldState, InputsValue(ctx.News));
        if (result.IsReplace)
            _plannedReplacements[ctx.Urn] = new([.. result.Detailed.Where(d => NetworkChanges.Classify(d.Key) == ChangeClass.Replace).Select(d => d.Key)],
                ctx.OldState.Name ?? ctx.Id, ctx.OldState.BridgeName);
        else
            _plannedReplacements.TryRemove(ctx.Urn, out _);
        return result;
    }

    /// <summary>
    /// The default per-property diff, less removed pins of values libvirt fills in, plus what the
    /// running network does differently from its definition where the program sets it.
    /// </summary>
    private static DiffResult Classified(DiffResult byDefault, LibvirtNetworkState oldState, ObjectValue news)
    {
        var result = byDefault with { Detailed = byDefault.Detailed.RemoveRange(byDefault.Detailed.Where(d => !Significant(d.Key, d.Value, byDefault.Detailed, news)).Select(d => d.Key)) };
        foreach (var path in oldState.LiveDrift ?? [])
        {
            if (path is { Length: > 0 } && !result.Detailed.ContainsKey(path) && NetworkChanges.ProgramSets(news, path))
                result = result.With(path, DiffKind.Update);
        }
        return result with { DeleteBeforeReplace = result.IsReplace };
    }

    /// <summary>
    /// False for a change that is no change on the host: a dropped pin of a value libvirt fills in
    /// (libvirt keeps its choice), or an address's mask now spelled as a prefix (or back) with the
    /// same value.
    /// </summary>
    private static bool Significant(string path, DiffKind kind, IReadOnlyDictionary<string, DiffKind> all, ObjectValue news)
    {
        if (kind is not (DiffKind.Delete or DiffKind.DeleteReplace)) return true;
        if (FilledIn.Contains(path)) return false;
        var s = PropertyPath.Parse(path);
        if (s is [{ Key: "ips" }, { IsKey: false } item, { Key: "prefix" or "netmask" } field])
        {
            var other = field.Key == "prefix" ? "netmask" : "prefix";
            var otherPath = $"ips[{item.Index}].{other}";
            return PropertyPath.Get(news, PropertyPath.Parse(otherPath).AsSpan()) is null or NullValue || all.ContainsKey(otherPath);
        }
        return true;
    }

    /// <summary>The program's inputs as a property map, with its unknowns (preview) in place.</summary>
    private static ObjectValue InputsValue(Bound<LibvirtNetworkArgs> bound)
    {
        PropertyValue v = Writer.Write(bound.Value, inputsOnly: true);
        foreach (var path in bound.UnknownPaths.OrderBy(p => p.Length))
        {
            var segments = PropertyPath.Parse(path);
            // Write leaves unknowns out; put them back where their parent exists.
            var parent = segments.Length > 1 ? PropertyPath.Get(v, segments.AsSpan()[..^1]) : v;
            if (parent is ObjectValue || (parent is ArrayValue && !segments[^1].IsKey))
                v = PropertyPath.Set(v, segments.AsSpan(), _ => PropertyValue.Unknown);
            else if (segments.Length == 1)
                v = ((ObjectValue)v).With(segments[0].Key!, PropertyValue.Unknown);
        }
        return (ObjectValue)v;
    }

    // ---- Create ----

    protected override async Task<Outcome<LibvirtNetworkState>> CreateAsync(LegacyCreateContext<LibvirtNetworkArgs> ctx)
    {
        var a = ctx.Args;
        var name = a.Name!;
        if (ctx.Preview)
        {
            if (_plannedReplacements.TryRemove(ctx.Urn, out var replacement))
            {
                var guests = TryFindGuests(replacement.OldName, replacement.OldBridge);
                var what = replacement.OldName == name ? $"the network {name} will be deleted and defined again" : $"the network {replacement.OldName} will be deleted and {name} defined in its place";
                await Host.Log.WarnAsync(
                    $"kvm:replace {string.Join(", ", replacement.Paths)}: {what}; attached guests lose connectivity: {guests}",
                    ctx.Urn).ConfigureAwait(false);
            }
            return Planned(a, ctx.Inputs, old: null);
        }

        _plannedReplacements.TryRemove(ctx.Urn, out _);
        using var held = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        var libvirt = Host.Libvirt;
        using (var existing = libvirt.FindNetworkByName(name))
        {
            if (existing is not null)
                throw ProviderException.AlreadyExists(
                    $"a libvirt network named \"{name}\" already exists at {libvirt.Uri}; the provider never adopts it silently. " +
                    $"To manage it, import it: `pulumi import {TypeToken} <resource-name> {name}`");
        }
        // A UUID of our own makes the define fail, rather than silently redefine, should a network of this name appear meanwhile.
        var uuid = a.Uuid is { } u ? Guid.Parse(u) : Guid.NewGuid();
        using (var sameUuid = libvirt.FindNetworkByUuid(uuid))
        {
            if (sameUuid is not null)
                throw ProviderException.AlreadyExists(
                    $"the UUID {uuid} already belongs to the libvirt network \"{sameUuid.Name}\"; to manage that network, import it: `pulumi import {TypeToken} <resource-name> {sameUuid.Name}`");
        }
        var xml = NetworkXml.Format(NetworkMapping.Build(a with { Uuid = uuid.ToString("D") }));
        ctx.Cancellation.ThrowIfCancellationRequested();

        ILibvirtNetwork network;
        try
        {
            network = libvirt.DefineNetwork(xml);
        }
        catch (LibvirtException e)
        {
            throw Refused(e, $"defining network {name}");
        }

        // From here the network exists: a failure must hand the engine its id, not leave an orphan.
        using (network)
        {
            var step = "setting autostart";
            try
            {
                if (a.Autostart ?? true) network.SetAutostart(true);
                step = "starting it";
                if (a.Active ?? true) network.Start();
            }
            catch (LibvirtException e)
            {
                var partial = Observe(name)?.State ?? new LibvirtNetworkState { Name = name, BridgeName = "", Xml = xml, LiveDrift = [] };
                throw new ResourceInitFailedException(name, partial,
                    $"network {name} was defined, but {step} failed: {e.Message}. The network stays defined and recorded in the stack; fix the cause and run `pulumi up` again", e);
            }
        }
        return new Outcome<LibvirtNetworkState>(name, MustObserve(name).State);
    }

    // ---- Read ----

    protected override async Task<Observed<LibvirtNetworkArgs, LibvirtNetworkState>?> ReadAsync(ReadContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var id = EnsureId(ctx.Id);
        var observed = Observe(id);
        if (observed is null) return null;
        var warnings = new List<string>();
        if (ctx.OldState?.Uuid is { } oldUuid && observed.State.Uuid is { } uuid && !string.Equals(oldUuid, uuid, StringComparison.OrdinalIgnoreCase))
            warnings.Add($"the network {observed.Name} now has UUID {uuid}, not {oldUuid}: it was deleted and defined again outside this stack");
        if (!observed.IsPersistent)
            warnings.Add($"the network {observed.Name} is transient (its persistent definition was removed outside this stack): it disappears when it stops; `pulumi up` defines it again with its next change");
        if (observed.State.LiveDrift is { Length: > 0 } drift)
            warnings.Add($"the running network {observed.Name} differs from its persistent definition in {string.Join(", ", drift)}; `pulumi up` brings those the program sets in line");
        foreach (var w in warnings)
            await Host.Log.WarnAsync(w, ctx.Urn).ConfigureAwait(false);
        // On a refresh the framework cuts these to the shape of the old inputs (RefreshedInputs).
        var inputs = observed.Inputs;
        return new Observed<LibvirtNetworkArgs, LibvirtNetworkState>(observed.Name, observed.State, inputs);
    }

    // ---- Update ----

    protected override async Task<Outcome<LibvirtNetworkState>> UpdateAsync(LegacyUpdateContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var a = ctx.Args;
        var name = EnsureId(ctx.Id);
        if (ctx.Preview)
        {
            var news = InputsValue(ctx.News);
            var byDefault = DiffEngine.Compute(InputShape, Writer.Write(ctx.OldState), news, Writer.Write(ctx.OldInputs, inputsOnly: true), [], deleteBeforeReplace: true);
            var planned = Classified(byDefault, ctx.OldState, news);
            await AnnounceAsync(ctx.Urn, name, ctx.OldState, a, planned.Detailed.Keys).ConfigureAwait(false);
            return Planned(a, ctx.News, ctx.OldState);
        }

        using var held = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        var libvirt = Host.Libvirt;
        var now = Observe(name) ?? throw ProviderException.NotFound(
            $"the libvirt network {name} no longer exists at {libvirt.Uri}; run `pulumi refresh` to drop it from the state, then `pulumi up` to create it again");
        var newsValue = InputsValue(ctx.News);
        var oldInputs = Writer.Write(ctx.OldInputs, inputsOnly: true);
        // Against what the host holds now, not what the engine remembers: persistent and (if running) live.
        var persistentKeys = Changes(now.Persistent, now, newsValue, oldInputs);
        var liveKeys = now.Live is { } live ? Changes(live, now, newsValue, oldInputs) : [];
        var restartPersistent = persistentKeys.Where(k => NetworkChanges.Classify(k) == ChangeClass.Restart).ToList();
        var restartLive = liveKeys.Where(k => NetworkChanges.Classify(k) == ChangeClass.Restart).ToList();
        var wantActive = a.Active ?? true;

        using var network = FindNetwork(name) ?? throw ProviderException.NotFound($"the libvirt network {name} vanished during the update");
        name = network.Name;
        var old = WithoutFilledIn(ctx.OldInputs);
        var applied = 0;
        var step = "";
        IReadOnlyList<GuestNic> guestNics = [];
        var restarted = false;
        try
        {
            if (restartPersistent.Count > 0 || (now.Live is not null && restartLive.Count > 0))
            {
                var tops = persistentKeys.Select(PropertyPath.TopLevel).Where(t => t is not ("autostart" or "active")).ToHashSet(StringComparer.Ordinal);
                if (tops.Count > 0)
                {
                    step = "defining the new configuration";
                    var desired = NetworkMapping.Apply(now.PersistentDefinition, a, old, tops.Contains);
                    libvirt.DefineNetwork(NetworkXml.Format(desired)).Dispose();
                    applied++;
                }
                if (now.Live is not null)
                {
                    // The one path that interrupts guests: what was defined takes effect only at a start.
                    guestNics = AttachedGuests.Find(libvirt, name, now.State.BridgeName);
                    step = "stopping the network to restart it";
                    network.Destroy();
                    applied++;
                    if (wantActive)
                    {
                        step = "starting the network again";
                        network.Start();
                        restarted = true;
                    }
                }
            }
            else
            {
                var persistentOps = NetworkChanges.LiveUpdates(now.PersistentDefinition, a, old);
                var liveOps = now.LiveDefinition is { } liveDef ? NetworkChanges.LiveUpdates(liveDef, a, old) : [];
                if (now.LiveDefinition is not null && persistentOps.SequenceEqual(liveOps))
                {
                    foreach (var op in persistentOps)
                    {
                        step = Describe(op);
                        network.Update(op, NetworkUpdateFlags.Live | NetworkUpdateFlags.Config);
                        applied++;
                    }
                }
                else
                {
                    foreach (var op in persistentOps)
                    {
                        step = Describe(op) + " (persistent definition)";
                        network.Update(op, NetworkUpdateFlags.Config);
                        applied++;
                    }
                    foreach (var op in liveOps)
                    {
                        step = Describe(op) + " (running network)";
                        network.Update(op, NetworkUpdateFlags.Live);
                        applied++;
                    }
                }
            }

            if (a.Autostart is { } autostart && autostart != network.GetAutostart())
            {
                step = autostart ? "turning autostart on" : "turning autostart off";
                network.SetAutostart(autostart);
                applied++;
            }
            var running = network.IsActive();
            if (wantActive && !running)
            {
                guestNics = AttachedGuests.Find(libvirt, name, now.State.BridgeName);
                step = "starting the network";
                network.Start();
                restarted = true;
                applied++;
            }
            else if (!wantActive && running)
            {
                step = "stopping the network";
                network.Destroy();
                applied++;
            }
        }
        catch (LibvirtException e)
        {
            if (applied == 0) throw Refused(e, $"updating network {name}: {step}");
            var partial = Observe(name)?.State ?? ctx.OldState;
            throw new ResourceInitFailedException(name, partial,
                $"network {name} was only partly updated: {step} failed: {e.Message}. Fix the cause and run `pulumi up` again", e);
        }
        var after = MustObserve(name);
        if (restarted && guestNics.Count > 0)
            await ReattachAsync(after, guestNics, ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
        return new Outcome<LibvirtNetworkState>(name, after.State);
    }

    /// <summary>
    /// A stopped network takes its bridge with it, and libvirt does not put the taps of running
    /// guests back on the new one: they stay cut off. The provider re-enslaves them over netlink,
    /// when it sees them: in the namespace it manages, a tap of the guest's name whose MAC is the
    /// guest's with libvirt's FE first byte, and the network's bridge with the network's MAC.
    /// </summary>
    private async Task ReattachAsync(Observation network, IReadOnlyList<GuestNic> nics, string urn, CancellationToken ct)
    {
        var mode = network.Persistent.Forward?.Mode;
        if (mode is not ("nat" or "route" or "open" or "isolated") || network.LiveDefinition?.Bridge?.Name is not { } bridgeName) return;
        var reattached = new List<string>();
        var missed = new List<string>();
        try
        {
            var links = await Host.Links.ListAsync(ct).ConfigureAwait(false);
            var bridgeMac = network.LiveDefinition.MacAddress is { } m && Kvm.Netlink.MacAddress.TryParse(m.ToLowerInvariant(), out var bm) ? bm : (Kvm.Netlink.MacAddress?)null;
            var bridge = links.FirstOrDefault(l => l.Name == bridgeName && l.IsBridge && (bridgeMac is null || l.Address == bridgeMac));
            foreach (var nic in nics)
            {
                var what = $"{nic.Guest} ({nic.TapName ?? "no tap"})";
                var tap = links.FirstOrDefault(l => l.Name == nic.TapName);
                var tapMac = nic.Mac is { Length: 17 } mac && Kvm.Netlink.MacAddress.TryParse(("fe" + mac[2..]).ToLowerInvariant(), out var tm) ? tm : (Kvm.Netlink.MacAddress?)null;
                if (bridge is null || tap is null || tapMac is null || tap.Address != tapMac)
                {
                    missed.Add(what);
                    continue;
                }
                if (tap.MasterIndex != bridge.Index)
                    await Host.Links.SetMasterAsync(tap.Index, bridge.Index, ct).ConfigureAwait(false);
                reattached.Add(what);
            }
        }
        catch (Exception e) when (e is Kvm.Netlink.NetlinkException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            missed.AddRange(nics.Select(n => $"{n.Guest} ({n.TapName})").Except(reattached));
        }
        if (reattached.Count > 0)
            await Host.Log.InfoAsync($"re-attached to the restarted bridge {bridgeName}: {string.Join(", ", reattached)}", urn).ConfigureAwait(false);
        if (missed.Count > 0)
            await Host.Log.WarnAsync(
                $"the restarted network {network.Name} left these guest interfaces off its bridge {bridgeName}, and the provider cannot see them to re-attach them (does libvirt run on another host or namespace?): {string.Join(", ", missed)}. Re-attach them (e.g. `ip link set <tap> master {bridgeName}`) or restart the guests",
                urn).ConfigureAwait(false);
    }

    /// <summary>Old inputs without the pins of values libvirt fills in: dropping such a pin keeps libvirt's value rather than removing it.</summary>
    private static LibvirtNetworkArgs WithoutFilledIn(LibvirtNetworkArgs old) => old with
    {
        Uuid = null,
        MacAddress = null,
        Bridge = null,
        Forward = old.Forward is null ? null : old.Forward with { Interfaces = null },
    };

    /// <summary>The detailed-diff keys of the program against one of the host's definitions.</summary>
    private List<string> Changes(LibvirtNetworkArgs observed, Observation now, ObjectValue news, ObjectValue oldInputs)
    {
        var state = NetworkMapping.ToState(observed, now.State.BridgeName ?? "", "", []);
        var diff = DiffEngine.Compute(InputShape, Writer.Write(state), news, oldInputs, [], deleteBeforeReplace: true);
        return [.. diff.Detailed.Where(d => Significant(d.Key, d.Value, diff.Detailed, news)).Select(d => d.Key)];
    }

    private static string Describe(NetworkUpdate op) =>
        $"{op.Command switch { NetworkUpdateCommand.Delete => "deleting", NetworkUpdateCommand.Modify => "modifying", _ => "adding" }} " +
        $"{op.Section switch { NetworkUpdateSection.IpDhcpHost => "DHCP host", NetworkUpdateSection.IpDhcpRange => "DHCP range", NetworkUpdateSection.DnsHost => "DNS host", _ => "portgroup" }} {op.Xml}";

    /// <summary>
    /// What preview tells the user, one engine-log line per class, each with a fixed prefix a CI job
    /// can parse: <c>kvm:live</c>, <c>kvm:restart</c> (a warning naming the guests that lose
    /// connectivity), <c>kvm:stop</c>, <c>kvm:start</c>.
    /// </summary>
    private async Task AnnounceAsync(string urn, string name, LibvirtNetworkState old, LibvirtNetworkArgs a, IEnumerable<string> paths)
    {
        var byClass = paths.GroupBy(NetworkChanges.Classify).ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).ToList());
        var running = old.Active ?? true;
        var staysRunning = running && (a.Active ?? true);
        string? guests = null;
        string Guests() => guests ??= TryFindGuests(name, old.BridgeName);

        var live = byClass.GetValueOrDefault(ChangeClass.Live, []).Concat(byClass.GetValueOrDefault(ChangeClass.Autostart, [])).ToList();
        if (live.Count > 0)
        {
            await Host.Log.InfoAsync(running
                ? $"kvm:live {string.Join(", ", live)}: applied to the running network without a restart"
                : $"kvm:live {string.Join(", ", live)}: applied to the network's definition without a restart (it is not running)", urn).ConfigureAwait(false);
        }
        if (byClass.TryGetValue(ChangeClass.Restart, out var restart))
        {
            if (staysRunning)
                await Host.Log.WarnAsync($"kvm:restart {string.Join(", ", restart)}: the network {name} will be restarted; attached guests lose connectivity: {Guests()}", urn).ConfigureAwait(false);
            else
                await Host.Log.InfoAsync($"kvm:restart {string.Join(", ", restart)}: the network {name} is not running, so nothing is restarted; the new definition applies when it starts", urn).ConfigureAwait(false);
        }
        if (byClass.TryGetValue(ChangeClass.Replace, out var replace))
            await Host.Log.WarnAsync($"kvm:replace {string.Join(", ", replace)}: the network {name} will be deleted and defined again; attached guests lose connectivity: {Guests()}", urn).ConfigureAwait(false);
        if (byClass.ContainsKey(ChangeClass.Active))
        {
            if (running && a.Active == false)
                await Host.Log.WarnAsync($"kvm:stop active: the network {name} will be stopped; attached guests lose connectivity: {Guests()}", urn).ConfigureAwait(false);
            else if (!running && a.Active != false)
                await Host.Log.InfoAsync($"kvm:start active: the network {name} will be started", urn).ConfigureAwait(false);
        }
    }

    /// <summary>The running guests on the network, for a message; a host that cannot be asked says so rather than failing the preview.</summary>
    private string TryFindGuests(string network, string? bridge)
    {
        try
        {
            bridge ??= Observe(network)?.State.BridgeName;
            return AttachedGuests.Describe(AttachedGuests.Find(Host.Libvirt, network, bridge));
        }
        catch (Exception e) when (e is LibvirtException or ProviderException)
        {
            return $"unknown (the guests could not be listed: {e.Message})";
        }
    }

    // ---- Delete ----

    protected override async Task DeleteAsync(DeleteContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var name = EnsureId(ctx.Id);
        using var held = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        var libvirt = Host.Libvirt;
        using var network = FindNetwork(name);
        if (network is null)
        {
            await Host.Log.WarnAsync($"the libvirt network {name} was already gone from {libvirt.Uri}; nothing to delete", ctx.Urn).ConfigureAwait(false);
            return;
        }
        if (ctx.State.Uuid is { } uuid && Guid.TryParse(uuid, out var known) && network.Uuid != known)
        {
            await Host.Log.WarnAsync(
                $"the libvirt network named {name} now has UUID {network.Uuid}, not the stack's {known}: it was defined again outside this stack, so it is left alone",
                ctx.Urn).ConfigureAwait(false);
            return;
        }
        try
        {
            if (network.IsActive())
            {
                var guests = AttachedGuests.Find(libvirt, name, ctx.State.BridgeName);
                if (guests.Count > 0)
                    await Host.Log.WarnAsync($"deleting the network {name} cuts off the guests attached to it: {AttachedGuests.Describe(guests)}", ctx.Urn).ConfigureAwait(false);
                network.Destroy();
            }
            // A transient network is gone once stopped.
            if (network.IsPersistent()) network.Undefine();
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            // gone meanwhile: what Delete wanted
        }
        catch (LibvirtException e)
        {
            throw Refused(e, $"deleting network {name}");
        }
    }

    // ---- observing ----

    /// <summary>A network as libvirt holds it now: both definitions, and the resource's view of them.</summary>
    private sealed record Observation(
        string Name,
        bool IsPersistent,
        NetworkDefinition PersistentDefinition,
        NetworkDefinition? LiveDefinition,
        LibvirtNetworkArgs Persistent,
        LibvirtNetworkArgs? Live,
        LibvirtNetworkArgs Inputs,
        LibvirtNetworkState State);

    private Observation MustObserve(string name) =>
        Observe(name) ?? throw new ProviderException(StatusCode.Unknown, $"the libvirt network {name} vanished right after it was changed");

    /// <summary>One look at the network by name (or UUID): its persistent and live XML, autostart, state. Null when it does not exist.</summary>
    private Observation? Observe(string id)
    {
        var network = FindNetwork(id);
        if (network is null) return null;
        using (network)
        {
            try
            {
                var active = network.IsActive();
                var persistent = network.IsPersistent();
                var autostart = persistent && network.GetAutostart();
                var liveXml = network.GetXmlDesc();
                var persistentXml = active && persistent ? PersistentXml(network, liveXml) : liveXml;
                var persistentDef = NetworkXml.Parse(persistentXml);
                var liveDef = active ? NetworkXml.Parse(liveXml) : null;
                var p = NetworkMapping.ToArgs(persistentDef, autostart, active);
                var l = liveDef is null ? null : NetworkMapping.ToArgs(liveDef, autostart, active);
                var bridge = liveDef?.Bridge?.Name ?? persistentDef.Bridge?.Name ?? "";
                var drift = l is null ? [] : LiveDrift(p, l, bridge);
                var state = NetworkMapping.ToState(p, bridge, liveXml, drift);
                return new Observation(network.Name, persistent, persistentDef, liveDef, p, l, p, state);
            }
            catch (LibvirtException e) when (e.IsNotFound)
            {
                return null;
            }
            catch (Exception e) when (e is FormatException or System.Xml.XmlException)
            {
                throw new ProviderException(StatusCode.Unknown, $"libvirt reported XML for network {id} that cannot be read: {e.Message}", e);
            }
        }
    }

    /// <summary>The network an id names: by name, else (an import by UUID) by UUID.</summary>
    private ILibvirtNetwork? FindNetwork(string id)
    {
        var libvirt = Host.Libvirt;
        return libvirt.FindNetworkByName(id) ?? (Guid.TryParseExact(id, "D", out var uuid) ? libvirt.FindNetworkByUuid(uuid) : null);
    }

    /// <summary>
    /// The persistent XML of a running network. A driver without VIR_NETWORK_XML_INACTIVE (libvirt's
    /// test driver) keeps a single definition, which the live XML then is.
    /// </summary>
    private static string PersistentXml(ILibvirtNetwork network, string liveXml)
    {
        try
        {
            return network.GetXmlDesc(NetworkXmlFlags.Inactive);
        }
        catch (LibvirtException e) when (e.Code == LibvirtErrorCode.InvalidArg)
        {
            return liveXml;
        }
    }

    /// <summary>The paths where the running network differs from its persistent definition (only values the definition holds: live-only fill-ins are not drift).</summary>
    private string[] LiveDrift(LibvirtNetworkArgs persistent, LibvirtNetworkArgs live, string bridge)
    {
        var liveState = NetworkMapping.ToState(live, bridge, "", []);
        var asInputs = Writer.Write(persistent, inputsOnly: true);
        var diff = DiffEngine.Compute(InputShape, Writer.Write(liveState), asInputs, asInputs, [], deleteBeforeReplace: false);
        return [.. diff.Detailed.Keys.Where(k => NetworkChanges.Classify(k) is not (ChangeClass.Autostart or ChangeClass.Active))];
    }

    // ---- helpers ----

    /// <summary>The planned outputs of a preview: the inputs, with what only libvirt can tell unknown (or, on update, as it was).</summary>
    private static Outcome<LibvirtNetworkState> Planned(LibvirtNetworkArgs a, Bound<LibvirtNetworkArgs> inputs, LibvirtNetworkState? old)
    {
        var state = new LibvirtNetworkState
        {
            Name = a.Name,
            Uuid = a.Uuid ?? old?.Uuid,
            Forward = a.Forward ?? old?.Forward ?? (inputs.IsUnknown("forward") ? null : new NetworkForwardArgs { Mode = "isolated", Interfaces = [] }),
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
        var unknown = new List<string> { "xml" };
        void IfUnset(object? value, string output)
        {
            if (value is null && !inputs.IsUnknown(output)) unknown.Add(output);
        }
        IfUnset(state.Uuid, "uuid");
        IfUnset(state.BridgeName, "bridgeName");
        var mode = state.Forward?.Mode;
        if (mode is null or "nat" or "route" or "open" or "isolated")
        {
            IfUnset(state.MacAddress, "macAddress");
            if (state.Bridge is null) IfUnset(null, "bridge");
            else if (state.Bridge.Name is null && !inputs.IsUnknown("bridge")) unknown.Add("bridge.name");
        }
        return new Outcome<LibvirtNetworkState>(a.Name ?? "", state) { UnknownOutputs = [.. unknown] };
    }

    /// <summary>A LibvirtNetwork's id is the network's name (an import may also give its UUID).</summary>
    private static string EnsureId(string id) =>
        NetworkRules.NameError(id) is not { } error || Guid.TryParseExact(id, "D", out _)
            ? id
            : throw ProviderException.InvalidArgument(
                $"\"{(id.Length > 40 ? id[..40] + "..." : id)}\" is not a LibvirtNetwork id: the id is the network's name (or, for an import, its UUID): {error}");

    private static string LockKey(string name) => $"network/{name}";

    /// <summary>libvirt refused a call. Its calls are atomic, so nothing was applied, unless the connection itself failed.</summary>
    private ProviderException Refused(LibvirtException e, string what)
    {
        var message = $"{what}: {e.Message}";
        var lost = e.Code is LibvirtErrorCode.SystemError or LibvirtErrorCode.Rpc || e.Domain is LibvirtErrorDomain.Rpc or LibvirtErrorDomain.Remote;
        if (lost && !Host.Libvirt.IsAlive)
            return new ProviderException(StatusCode.Unknown, $"{message} (the connection to libvirt was lost; the change may or may not have been made)", e);
        return e.Code switch
        {
            LibvirtErrorCode.NetworkExist => new ProviderException(StatusCode.AlreadyExists, message, e),
            LibvirtErrorCode.NoNetwork => new ProviderException(StatusCode.NotFound, message, e),
            LibvirtErrorCode.XmlError or LibvirtErrorCode.XmlDetail or LibvirtErrorCode.XmlInvalidSchema or LibvirtErrorCode.InvalidArg
                or LibvirtErrorCode.InvalidMac or LibvirtErrorCode.ConfigUnsupported or LibvirtErrorCode.ArgumentUnsupported
                => new ProviderException(StatusCode.InvalidArgument, message, e),
            _ => new ProviderException(StatusCode.FailedPrecondition, message, e),
        };
    }
}

using System.Runtime.CompilerServices;
using Grpc.Core;
using Kvm.Netlink;
using Kvm.Ovsdb;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>
/// An Open vSwitch bridge over OVSDB: each operation reads the tables once and writes one guarded transaction; then,
/// when the program declares the host's side (addresses, routes, up), the internal port's link by netlink.
/// </summary>
internal sealed class OvsBridgeApplier(ProviderHost host) : Applier<OvsBridgeArgs, OvsBridgeState>(host)
{
    private readonly OvsInternalPort _port = new(host);
    private readonly HostAddressChecks _checks = new(host);

    private string Where => Host.Ovsdb.Endpoint;

    /// <summary>How long a change waits for the internal port's link once ovs-vswitchd reports the change applied.</summary>
    private static readonly TimeSpan InternalPortPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A declared port that is another bridge's, or a guest's, is refused before anything is written; so is a link the
    /// host's network manager configures (without takeOverManagedLinks), an address another link holds, and taking the
    /// host's default route or management address off the internal port (without forceDestroy).
    /// </summary>
    public override async Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<OvsBridgeArgs> ctx)
    {
        var a = ctx.News.Value;
        if (a.Name is not { } bridge) return [];
        OvsSnapshot snapshot;
        try
        {
            snapshot = await OvsSnapshot.ReadAsync(Host.Ovsdb, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OvsdbException or OvsdbConnectionException or FormatException)
        {
            return []; // the database cannot be read now; applying says what is wrong
        }
        var failures = PortFailures(a, bridge, snapshot);
        try
        {
            if (a.TakeOverManagedLinks != true)
            {
                failures.AddRange((await ManagedLinksTakenAsync(a, ctx.News.IsUnknown, snapshot, ctx.Cancellation).ConfigureAwait(false))
                    .Select(t => new CheckFailure(t.Path, t.Owner.Refusal(t.Link))));
            }
            // The links are read only for what is declared: a bridge without the host's side is the database's alone.
            var links = HostLinks(a, ctx.Olds).ToList();
            var handingOver = UplinkNames(a).Concat(links.Select(l => l.Name)).ToList();
            foreach (var link in links.Where(l => LinkName.IsValid(l.Name)))
            {
                bool Unknown(string path) => ctx.News.IsUnknown(link.Prefix + path);
                var cutsOff = a.ForceDestroy != true && link.Before?.DeclaresLayer3 == true && snapshot.Bridge(bridge) is not null;
                if (link.Wanted.Addresses is not { Length: > 0 } && !cutsOff) continue;
                var own = await _port.FindAsync(link.Name, ctx.Cancellation).ConfigureAwait(false);
                failures.AddRange((await _checks.HeldElsewhereAsync(link.Wanted, Unknown, own, handingOver, ctx.Cancellation).ConfigureAwait(false)).Select(f => link.Under(f)));
                if (cutsOff && own is not null)
                    failures.AddRange((await _checks.CutsTheHostOffAsync(link.Wanted, link.Before!, Unknown, own, ctx.Cancellation).ConfigureAwait(false)).Select(f => link.Under(f)));
            }
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            // the host's links cannot be read now; applying says what is wrong
        }
        return failures;
    }

    private static List<CheckFailure> PortFailures(OvsBridgeArgs a, string bridge, OvsSnapshot snapshot)
    {
        var failures = new List<CheckFailure>();
        var ports = a.Ports ?? [];
        for (var i = 0; i < ports.Length; i++)
        {
            if (ports[i] is not { Name: { } name } port) continue;
            var item = PropertyPath.Index(OvsBridgeArgs.Paths.Ports, i);
            var other = snapshot.BridgeOfPort(name);
            if (other is not null && other != bridge)
                failures.Add(new(PropertyPath.Append(item, OvsPortArgs.Paths.Name), $"{name} is already a port of the Open vSwitch bridge {other}; a port belongs to one bridge (remove it there first)"));
            else if (other == bridge && snapshot.Ports.Values.FirstOrDefault(p => p.String("name") == name) is { } row && snapshot.IsGuestPort(row))
                failures.Add(new(PropertyPath.Append(item, OvsPortArgs.Paths.Name), $"{name} is a guest's port (libvirt attached it for a domain: its interface carries vm-id/attached-mac); it belongs to the guest and is never taken over"));
            var members = port.Bond?.Members ?? [];
            for (var j = 0; j < members.Length; j++)
            {
                if (members[j] is not { } member || snapshot.PortOfInterface(member) is not { } holder || holder.String("name") == name) continue;
                var holderBridge = snapshot.BridgeOfPort(holder.String("name")!);
                if (holderBridge == bridge && ports.Any(p => p?.Name == holder.String("name"))) continue; // moves between ports of this program
                failures.Add(new(MemberPath(i, j),
                    $"{member} is already an interface of port {holder.String("name")}{(holderBridge is null ? "" : $" on the Open vSwitch bridge {holderBridge}")}; an interface belongs to one port"));
            }
        }
        return failures;
    }

    private static string MemberPath(int port, int member) =>
        PropertyPath.Index(PropertyPath.Append(PropertyPath.Append(PropertyPath.Index(OvsBridgeArgs.Paths.Ports, port), OvsPortArgs.Paths.Bond), OvsBondArgs.Paths.Members), member);

    /// <summary>The existing interfaces the ports declare (plain ports and bond members): those that can hand the host's address over as they join.</summary>
    private static IEnumerable<string> UplinkNames(OvsBridgeArgs a) =>
        (a.Ports ?? []).Where(p => p is { Type: null }).SelectMany(p => OvsBridgeMapping.InterfaceNames(p!)).OfType<string>();

    /// <summary>A link of the host on the bridge: its own internal port ("" prefix) or an internal port of `ports` (at <c>ports[i].</c>).</summary>
    private sealed record HostLink(string Name, string Prefix, IHostAddressing Wanted, IHostAddressing? Before)
    {
        public CheckFailure Under(CheckFailure f) => f with { Property = Prefix + f.Property };
    }

    /// <summary>The bridge's internal port, then each internal port <paramref name="a"/> declares, with what the program declared for it before.</summary>
    private static IEnumerable<HostLink> HostLinks(OvsBridgeArgs a, OvsBridgeArgs? before)
    {
        if (a.Name is { } name) yield return new HostLink(name, "", a, before);
        var ports = a.Ports ?? [];
        for (var i = 0; i < ports.Length; i++)
        {
            if (ports[i] is not { Type: "internal", Name: { } port } p) continue;
            var was = before?.Ports?.FirstOrDefault(o => o is { Type: "internal" } && o.Name == port);
            yield return new HostLink(port, PropertyPath.Index(OvsBridgeArgs.Paths.Ports, i) + ".", p, was);
        }
    }

    /// <summary>
    /// The links this change takes that the host's own network manager configures: the bridge's name when Open vSwitch
    /// has no such bridge yet (its internal port is made with that name), and the interfaces of ports (plain, bond
    /// members, internal) not yet in this bridge. None when the provider works where those managers do not.
    /// </summary>
    private async Task<List<(string Path, string Link, LinkOwner Owner)>> ManagedLinksTakenAsync(OvsBridgeArgs a, Func<string, bool> unknown, OvsSnapshot snapshot, CancellationToken ct)
    {
        var taken = new List<(string, string, LinkOwner)>();
        if (Host.Config.EffectiveHostRoot is not { } root || a.Name is not { } name || unknown(OvsBridgeArgs.Paths.Name) || !LinkName.IsValid(name)) return taken;
        var owners = new LinkOwners(root);
        if (snapshot.Bridge(name) is null && owners.Find(name, (await _port.FindAsync(name, ct).ConfigureAwait(false))?.Index) is { } bridgeOwner)
            taken.Add((OvsBridgeArgs.Paths.Name, name, bridgeOwner));
        var ports = a.Ports ?? [];
        for (var i = 0; i < ports.Length; i++)
        {
            if (ports[i] is not { Name: { } portName } port || port.Type == "patch") continue;
            var item = PropertyPath.Index(OvsBridgeArgs.Paths.Ports, i);
            var interfaces = port.Bond?.Members is { } members
                ? members.Select((m, j) => (Name: m, Path: MemberPath(i, j)))
                : [(Name: portName, Path: PropertyPath.Append(item, OvsPortArgs.Paths.Name))];
            foreach (var (link, path) in interfaces)
            {
                if (link is null || unknown(path) || unknown(item) || !LinkName.IsValid(link)) continue;
                if (snapshot.PortOfInterface(link) is { } holder && snapshot.BridgeOfPort(holder.String("name")!) == name) continue; // taken before
                var index = (await Host.Links.GetByNameAsync(link, ct).ConfigureAwait(false))?.Index;
                if (index is null && port.Type != "internal") continue; // a missing interface is Open vSwitch's to report
                if (owners.Find(link, index) is { } owner) taken.Add((path, link, owner));
            }
        }
        return taken;
    }

    /// <summary>Ports joining with the address the bridge declares, links taken from another manager, and the checkpoint: what only the host can tell.</summary>
    public override async Task<IReadOnlyList<Announcement>> PreviewNotesAsync(OvsBridgeArgs news, OvsBridgeState? old, CancellationToken ct)
    {
        if (news.Name is not { } name) return [];
        try
        {
            var snapshot = await OvsSnapshot.ReadAsync(Host.Ovsdb, ct).ConfigureAwait(false);
            var reads = new LinkReads(Host.Links);
            var plan = await PlanHostSideAsync(reads, news, old, snapshot, ct).ConfigureAwait(false);
            var notes = plan.Moves.Select(m => Announcement.Warning($"kvm:move {UplinkTakeover.Describe(m.Move, m.Target)}: the port joins, the internal port {m.Target} takes them, then {m.Move.Port} lets them go")).ToList();
            if (news.TakeOverManagedLinks == true)
            {
                foreach (var (_, link, owner) in await ManagedLinksTakenAsync(news, _ => false, snapshot, ct).ConfigureAwait(false))
                    notes.Add(Announcement.Warning(owner.TakenAnyway(link)));
            }
            if (plan.Checkpoint is { } checkpoint)
            {
                notes.Add(Announcement.Warning(CheckpointedChange.PreviewNote(Host, name, checkpoint, included: "Open vSwitch's ports")));
            }
            return notes;
        }
        catch (Exception e) when (e is NetlinkException or OvsdbException or OvsdbConnectionException or FormatException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            return [];
        }
    }

    /// <summary>What the host's side of a change involves: the uplinks handing addresses over (to which internal port), and the checkpoint when the change touches the links that keep the host reachable.</summary>
    private sealed record HostSidePlan(IReadOnlyList<(string Target, UplinkMove Move)> Moves, LinkCheckpoint? Checkpoint);

    /// <summary>
    /// Read before anything is written: the interfaces joining the bridge (not yet in it), what they hand over to which
    /// internal port, and a checkpoint of them, of the ports leaving, of the host's links on the bridge and of the
    /// default route's holders when the route moves.
    /// </summary>
    private async Task<HostSidePlan> PlanHostSideAsync(LinkReads reads, OvsBridgeArgs a, OvsBridgeArgs? before, OvsSnapshot snapshot, CancellationToken ct)
    {
        var name = a.Name!;
        var existing = snapshot.Bridge(name);
        var joining = new List<Link>();
        foreach (var uplink in UplinkNames(a))
        {
            if (existing is not null && snapshot.PortOfInterface(uplink) is { } holder && snapshot.BridgeOfPort(holder.String("name")!) == name) continue;
            if (await Host.Links.GetByNameAsync(uplink, ct).ConfigureAwait(false) is { } link) joining.Add(link);
        }
        var leaving = new List<Link>();
        if (existing is not null && a.Ports is { } wanted)
        {
            foreach (var port in snapshot.PortsOf(existing).Where(p => p.String("name") != name && !snapshot.IsGuestPort(p) && wanted.All(w => w?.Name != p.String("name"))))
            {
                foreach (var i in snapshot.InterfacesOf(port))
                    if (i.String("name") is { } n && await Host.Links.GetByNameAsync(n, ct).ConfigureAwait(false) is { } link) leaving.Add(link);
            }
        }
        var moves = new List<(string, UplinkMove)>();
        var own = new List<Link>();
        var gatewayMoves = false;
        foreach (var target in HostLinks(a, before))
        {
            moves.AddRange((await UplinkTakeover.PlanAsync(reads, target.Wanted, joining, ct).ConfigureAwait(false)).Select(m => (target.Name, m)));
            if (existing is not null && (target.Prefix.Length == 0 || OvsInternalPort.Manages(target.Wanted, target.Before))
                && await _port.FindAsync(target.Name, ct).ConfigureAwait(false) is { } link) own.Add(link);
            gatewayMoves |= (target.Wanted.Gateway is not null && target.Wanted.Gateway != target.Before?.Gateway)
                || (target.Wanted.Gateway6 is not null && target.Wanted.Gateway6 != target.Before?.Gateway6);
        }
        IReadOnlyList<Link> routeHolders = gatewayMoves ? await LinkCheckpoint.DefaultRouteHoldersAsync(reads, ct).ConfigureAwait(false) : [];
        var checkpoint = await LinkCheckpoint.TakeIfNeededAsync(reads, [.. own, .. joining, .. leaving, .. routeHolders],
            createdBridge: null, Host.ManagementAddress, ct).ConfigureAwait(false);
        return new HostSidePlan(moves, checkpoint);
    }

    public override async Task<Outcome<OvsBridgeState>> CreateAsync(CreateContext<OvsBridgeArgs> ctx)
    {
        var a = ctx.Args;
        var name = a.Name!;
        using var held = await Host.Locks.AcquireAsync($"ovs/{name}", ctx.Cancellation).ConfigureAwait(false);
        var before = await ReadAsync(ctx.Cancellation).ConfigureAwait(false);
        if (before.Bridge(name) is not null)
            throw HostErrors.NeverAdopted($"an Open vSwitch bridge named \"{name}\" already exists ({Where})", OvsBridgeResource.TypeToken, name);
        var plan = await PlanHostSideAsync(new LinkReads(Host.Links), a, null, before, ctx.Cancellation).ConfigureAwait(false);
        // Rolling back a new bridge deletes it in the database first: its ports leave, and ovs-vswitchd removes the internal port.
        var checkpoint = plan.Checkpoint?.UndoingSwitchFirst(() => UndoAsync(name, previous: null));
        await TransactAsync(OvsTransactions.Create(a), $"creating the Open vSwitch bridge {name}", ctx.Cancellation).ConfigureAwait(false);

        // From here the bridge exists: a failure must leave the engine its id, not an orphan.
        await ApplyHostSideAsync(name, a, before: null, plan, checkpoint, "creating", new StrongBox<int>(1), ctx.Cancellation).ConfigureAwait(false);
        return new Outcome<OvsBridgeState>(name, await ObserveAsync(name, a, ctx.Cancellation).ConfigureAwait(false));
    }

    /// <summary>
    /// The internal port's side, once the database holds the bridge: the link brought to what <paramref name="a"/> declares
    /// and the uplinks' addresses moved. A failure rolls back to the checkpoint (then nothing was changed), or, without one,
    /// is reported with what the host holds, so the next `pulumi up` finishes it.
    /// </summary>
    private async Task ApplyHostSideAsync(string name, OvsBridgeArgs a, OvsBridgeArgs? before, HostSidePlan plan, LinkCheckpoint? checkpoint, string doing, StrongBox<int> applied, CancellationToken ct)
    {
        try
        {
            foreach (var target in HostLinks(a, before))
            {
                var moves = plan.Moves.Where(m => m.Target == target.Name).Select(m => m.Move).ToList();
                if (!OvsInternalPort.Manages(target.Wanted, target.Before) && moves.Count == 0) continue;
                var link = await _port.AwaitAsync(target.Name, InternalPortPatience, ct).ConfigureAwait(false);
                await _port.ApplyAsync(link, target.Wanted, target.Before, moves, () => applied.Value++, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is NetlinkException or InternalPortMissingException or OperationCanceledException && checkpoint is not null && applied.Value > 0)
        {
            throw await CheckpointedChange.RolledBackAsync(Host, checkpoint!, $"{doing} the Open vSwitch bridge {name} failed half-way ({e.Message})", e).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NetlinkException or InternalPortMissingException or OperationCanceledException)
        {
            if (applied.Value == 0 && e is NetlinkException refused) throw HostErrors.Refused(refused, $"{doing} the Open vSwitch bridge {name}", Host.NamespaceDescription);
            if (applied.Value == 0 && e is InternalPortMissingException) throw ProviderException.FailedPrecondition($"{doing} the Open vSwitch bridge {name}: {e.Message}; nothing was changed");
            if (applied.Value == 0) throw;
            var partial = await TryObserveAsync(name, a, CancellationToken.None).ConfigureAwait(false);
            throw new ResourceInitFailedException(name, partial ?? new OvsBridgeState { Name = name },
                $"the Open vSwitch bridge {name} was only partly {(before is null ? "made" : "changed")}: {e.Message}; `pulumi up` tries again", e);
        }
        if (checkpoint is not null && applied.Value > 0)
            await CheckpointedChange.ConfirmOrRollBackAsync(Host, checkpoint, $"{doing} the Open vSwitch bridge {name}", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the database back for a rollback: a bridge this change created is deleted; a changed one gets back the
    /// settings and ports it had (<paramref name="previous"/>: its inputs and its row, as read before). Returns what could not be put back.
    /// </summary>
    private async Task<IReadOnlyList<string>> UndoAsync(string name, (OvsBridgeArgs Inputs, OvsSnapshot Snapshot, OvsdbRow Row)? previous)
    {
        try
        {
            var snapshot = await ReadAsync(CancellationToken.None).ConfigureAwait(false);
            if (snapshot.Bridge(name) is not { } bridge) return previous is null ? [] : [$"the Open vSwitch bridge {name} is gone"];
            var ops = previous is { } p ? OvsTransactions.Revert(p.Inputs, p.Snapshot, p.Row, snapshot, bridge) : OvsTransactions.Delete(bridge);
            if (ops.Count > 0) await TransactAsync(ops, $"rolling back the Open vSwitch bridge {name}", CancellationToken.None).ConfigureAwait(false);
            return [];
        }
        catch (ProviderException e)
        {
            return [e.Message];
        }
    }

    public override async Task<Observed<OvsBridgeArgs, OvsBridgeState>?> ReadAsync(ReadContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        var snapshot = await ReadAsync(ctx.Cancellation).ConfigureAwait(false);
        if (snapshot.Bridge(ctx.Id) is not { } bridge) return null;
        var hostSide = LinkName.IsValid(ctx.Id) ? await _port.ObserveAsync(ctx.Id, ctx.Cancellation).ConfigureAwait(false) : null;
        var portSides = await ObservePortSidesAsync(snapshot, bridge, ctx.OldInputs, ctx.IsImport, ctx.Cancellation).ConfigureAwait(false);
        var (state, inputs) = OvsBridgeMapping.Observe(snapshot, bridge, hostSide, ctx.OldInputs, ctx.IsImport, portSides);
        // Consent the host cannot report, kept as the program gave it.
        var consent = ctx.OldInputs?.TakeOverManagedLinks ?? ctx.OldState?.TakeOverManagedLinks;
        return new Observed<OvsBridgeArgs, OvsBridgeState>(ctx.Id, state with { TakeOverManagedLinks = consent }, inputs with { TakeOverManagedLinks = consent });
    }

    public override async Task<Outcome<OvsBridgeState>> UpdateAsync(UpdateContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        var a = ctx.News.Value;
        var name = a.Name!;
        using var held = await Host.Locks.AcquireAsync($"ovs/{name}", ctx.Cancellation).ConfigureAwait(false);
        var snapshot = await ReadAsync(ctx.Cancellation).ConfigureAwait(false);
        var bridge = snapshot.Bridge(name)
            ?? throw ProviderException.FailedPrecondition($"the Open vSwitch bridge {name} no longer exists ({Where}); run `pulumi refresh`, then `pulumi up` makes it again. Nothing was changed");
        var plan = await PlanHostSideAsync(new LinkReads(Host.Links), a, ctx.OldInputs, snapshot, ctx.Cancellation).ConfigureAwait(false);
        var ops = OvsTransactions.Update(a, snapshot, bridge);
        // Rolling back puts the database's settings and ports back as read, before the links.
        var previous = OvsBridgeMapping.Observe(snapshot, bridge, null, a, importing: false).Inputs;
        var checkpoint = plan.Checkpoint?.UndoingSwitchFirst(() => ops.Count > 0 ? UndoAsync(name, (previous, snapshot, bridge)) : Task.FromResult<IReadOnlyList<string>>([]));
        var applied = new StrongBox<int>(0);
        if (ops.Count > 0)
        {
            await TransactAsync(ops, $"changing the Open vSwitch bridge {name}", ctx.Cancellation).ConfigureAwait(false);
            applied.Value++;
        }
        await ApplyHostSideAsync(name, a, ctx.OldInputs, plan, checkpoint, "changing", applied, ctx.Cancellation).ConfigureAwait(false);
        return new Outcome<OvsBridgeState>(name, await ObserveAsync(name, a, ctx.Cancellation).ConfigureAwait(false));
    }

    public override async Task DeleteAsync(DeleteContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        using var held = await Host.Locks.AcquireAsync($"ovs/{ctx.Id}", ctx.Cancellation).ConfigureAwait(false);
        var snapshot = await ReadAsync(ctx.Cancellation).ConfigureAwait(false);
        if (snapshot.Bridge(ctx.Id) is not { } bridge)
        {
            await Host.Log.WarnAsync($"the Open vSwitch bridge {ctx.Id} was already gone", ctx.Urn).ConfigureAwait(false);
            return;
        }
        if ((ctx.OldInputs?.ForceDestroy ?? ctx.State.ForceDestroy) != true)
        {
            var guests = snapshot.PortsOf(bridge).Where(snapshot.IsGuestPort).Select(p => p.String("name")).ToList();
            if (guests.Count > 0)
                throw ProviderException.FailedPrecondition(
                    $"the Open vSwitch bridge {ctx.Id} carries guests' ports ({string.Join(", ", guests)}): deleting it cuts those guests off, and libvirt does not put their ports back. Set forceDestroy: true to delete it anyway. Nothing was changed");
            // The bridge's internal port and its internal ports go with it: none may carry the host's traffic.
            var internals = snapshot.PortsOf(bridge)
                .Where(p => snapshot.IsInternal(p) || p.String("name") == ctx.Id)
                .Select(p => p.String("name")).OfType<string>().Where(LinkName.IsValid).Order(StringComparer.Ordinal);
            foreach (var link in internals)
            {
                if (await _port.FindAsync(link, ctx.Cancellation).ConfigureAwait(false) is { } own && await _checks.CarriedAsync(own, ctx.Cancellation).ConfigureAwait(false) is { } what)
                    throw ProviderException.FailedPrecondition(
                        $"{(link == ctx.Id ? "the internal port" : $"the internal port {link}")} of the Open vSwitch bridge {ctx.Id} carries {what}; deleting the bridge could cut this host off the network. " +
                        "Move them off it first, or set forceDestroy: true (and `pulumi up`) to delete it anyway. Nothing was changed");
            }
        }
        await TransactAsync(OvsTransactions.Delete(bridge), $"deleting the Open vSwitch bridge {ctx.Id}", ctx.Cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits (inside ovsdb-server: a "wait" with a timeout, no polling) until ovs-vswitchd reports the configuration
    /// <paramref name="next"/> applied. A switch that does not within the timeout (stopped, or slow) is a warning:
    /// the database holds the change, and the switch applies it when it runs.
    /// </summary>
    private async Task WaitForSwitchAsync(long next, string what, CancellationToken ct)
    {
        try
        {
            await Host.Ovsdb.TransactAsync(OvsSnapshot.Database,
                [new Wait("Open_vSwitch", [new Condition("cur_cfg", ">=", OvsdbValue.Of(next))], [], "!=", [], (long)SwitchApplyTimeout.TotalMilliseconds)], ct).ConfigureAwait(false);
        }
        catch (OvsdbException e) when (e.Error == "timed out")
        {
            await Host.Log.WarnAsync($"{what}: the database holds the change, but ovs-vswitchd has not applied it within {SwitchApplyTimeout.TotalSeconds:0} s (is it running?); it applies it when it runs").ConfigureAwait(false);
        }
    }

    private async Task<OvsBridgeState> ObserveAsync(string name, OvsBridgeArgs form, CancellationToken ct) =>
        await TryObserveAsync(name, form, ct).ConfigureAwait(false)
        ?? throw new ProviderException(StatusCode.Unknown, $"the Open vSwitch bridge {name} was gone right after it was written ({Where})");

    /// <summary>The bridge's rows and its internal port's side in the kernel, read now; null without the bridge.</summary>
    private async Task<OvsBridgeState?> TryObserveAsync(string name, OvsBridgeArgs form, CancellationToken ct)
    {
        var snapshot = await ReadAsync(ct).ConfigureAwait(false);
        if (snapshot.Bridge(name) is not { } bridge) return null;
        var hostSide = await _port.ObserveAsync(name, ct).ConfigureAwait(false);
        var portSides = await ObservePortSidesAsync(snapshot, bridge, form, importing: false, ct).ConfigureAwait(false);
        return OvsBridgeMapping.Observe(snapshot, bridge, hostSide, form, importing: false, portSides).State with { TakeOverManagedLinks = form.TakeOverManagedLinks };
    }

    /// <summary>
    /// The kernel's side of the bridge's internal ports, by name: those whose side <paramref name="form"/> declares, or
    /// every one on import. The others are not read (a bridge of a hundred VLAN ports is read in one OVSDB round trip).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, OvsHostSide>> ObservePortSidesAsync(OvsSnapshot snapshot, OvsdbRow bridge, OvsBridgeArgs? form, bool importing, CancellationToken ct)
    {
        var sides = new Dictionary<string, OvsHostSide>(StringComparer.Ordinal);
        var name = bridge.String("name");
        foreach (var port in snapshot.PortsOf(bridge))
        {
            if (port.String("name") is not { } portName || portName == name || snapshot.IsGuestPort(port)) continue;
            if (!snapshot.IsInternal(port) || !LinkName.IsValid(portName)) continue;
            var declared = form?.Ports?.FirstOrDefault(p => p?.Name == portName);
            if (!importing && (declared is null || !OvsInternalPort.Declares(declared))) continue;
            if (await _port.ObserveAsync(portName, ct).ConfigureAwait(false) is { } side) sides[portName] = side;
        }
        return sides;
    }

    private async Task<OvsSnapshot> ReadAsync(CancellationToken ct)
    {
        try
        {
            return await OvsSnapshot.ReadAsync(Host.Ovsdb, ct).ConfigureAwait(false);
        }
        catch (OvsdbConnectionException e)
        {
            throw ProviderException.FailedPrecondition($"{e.Message}. Is Open vSwitch running on the host? The provider's ovsdbSocket (kvm:ovsdbSocket) names its database socket");
        }
        catch (OvsdbException e)
        {
            throw ProviderException.FailedPrecondition($"reading Open vSwitch's database at {Where} failed: {e.Message}");
        }
    }

    /// <summary>How long a change waits for ovs-vswitchd to apply it (ovs-vsctl's default wait is unbounded).</summary>
    private static readonly TimeSpan SwitchApplyTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// One transaction; OVSDB's own words when it refuses (nothing was committed then). Like ovs-vsctl, it asks
    /// ovs-vswitchd to take the new configuration (next_cfg += 1) and waits until it has (cur_cfg), so the bridge's
    /// interfaces exist when the step ends and a guest declared on it can start.
    /// </summary>
    private async Task TransactAsync(IReadOnlyList<Operation> ops, string what, CancellationToken ct)
    {
        try
        {
            var results = await Host.Ovsdb.TransactAsync(OvsSnapshot.Database,
                [.. ops, new Mutate("Open_vSwitch", [], [new Mutation("next_cfg", "+=", OvsdbValue.Of(1))]), new Select("Open_vSwitch", [], ["next_cfg"])], ct).ConfigureAwait(false);
            if (results[^1].Rows is [var row] && row.Integer("next_cfg") is { } next)
                await WaitForSwitchAsync(next, what, ct).ConfigureAwait(false);
        }
        catch (OvsdbException e) when (e.IsConcurrentChange)
        {
            throw ProviderException.FailedPrecondition(
                $"{what}: the bridge or one of its ports was changed by someone else after the provider read it (OVSDB: {e.Message}); nothing was changed. Run `pulumi up` again to apply the change over theirs, or `pulumi refresh` first to see it");
        }
        catch (OvsdbException e)
        {
            throw ProviderException.FailedPrecondition($"{what}: Open vSwitch refused it (OVSDB: {e.Message}); nothing was changed");
        }
        catch (OvsdbConnectionException e)
        {
            // Sent or not, the transaction is all or nothing: a refresh tells which.
            throw new ProviderException(StatusCode.Unknown, $"{what}: {e.Message}; whether the transaction was committed is unknown (run `pulumi refresh`)", e);
        }
    }
}

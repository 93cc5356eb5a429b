using Grpc.Core;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>The Bridge on the host: rtnetlink requests to make, change, read and delete it, and its ports.</summary>
internal sealed class BridgeApplier(ProviderHost host) : Applier<BridgeArgs, BridgeState>(host)
{
    private readonly HostAddressChecks _checks = new(host);

    /// <summary>
    /// Ports must already exist, and not be bridges: the provider enslaves interfaces, it does not create them.
    /// An address must not be held by another link: the kernel would take it twice and answer for it on both.
    /// </summary>
    public override async Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<BridgeArgs> ctx)
    {
        var failures = new List<CheckFailure>();
        var ports = ctx.News.Value.Ports ?? [];
        try
        {
            for (var i = 0; i < ports.Length; i++)
            {
                if (ports[i] is not { } port || ctx.News.IsUnknown($"ports[{i}]")) continue;
                var link = await Host.Links.GetByNameAsync(port, ctx.Cancellation).ConfigureAwait(false);
                if (link is null)
                    failures.Add(new($"ports[{i}]", $"no interface named \"{port}\" exists in {Host.NamespaceDescription}"));
                else if (link.IsBridge)
                    failures.Add(new($"ports[{i}]", $"\"{port}\" is a bridge; a bridge cannot be a port of another bridge"));
            }
            failures.AddRange(await ManagedElsewhereAsync(ctx).ConfigureAwait(false));
            failures.AddRange(await AddressesHeldElsewhereAsync(ctx).ConfigureAwait(false));
            failures.AddRange(await CutsTheHostOffAsync(ctx).ConfigureAwait(false));
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            // the host cannot be read now; Create will say what is wrong
        }
        return failures;
    }

    /// <summary>
    /// The links this change takes that the host's own network manager configures, with that manager: the bridge's
    /// name when there is no such bridge yet, and ports not yet in it (one already in it was taken before, and consented
    /// to then). Judged against the kernel, not the old inputs, so Check, preview and the step itself agree. None when
    /// the provider works where those managers do not (<see cref="ProviderConfig.EffectiveHostRoot"/>).
    /// </summary>
    private async Task<List<(string Path, string Link, LinkOwner Owner)>> ManagedLinksTakenAsync(BridgeArgs news, Func<string, bool> unknown, CancellationToken ct)
    {
        var taken = new List<(string, string, LinkOwner)>();
        if (Host.Config.EffectiveHostRoot is not { } root || news.Name is not { } name || unknown(BridgeArgs.Paths.Name) || !LinkName.IsValid(name)) return taken;
        var owners = new LinkOwners(root);
        var bridge = await Host.Links.GetByNameAsync(name, ct).ConfigureAwait(false);
        if (bridge is not { IsBridge: true } && owners.Find(name, bridge?.Index) is { } bridgeOwner)
            taken.Add((BridgeArgs.Paths.Name, name, bridgeOwner));
        var ports = news.Ports ?? [];
        for (var i = 0; i < ports.Length; i++)
        {
            var path = PropertyPath.Index(BridgeArgs.Paths.Ports, i);
            if (ports[i] is not { } port || unknown(path) || !LinkName.IsValid(port)) continue;
            if (await Host.Links.GetByNameAsync(port, ct).ConfigureAwait(false) is { } link
                && (bridge is not { IsBridge: true } || link.MasterIndex != bridge.Index)
                && owners.Find(port, link.Index) is { } owner)
                taken.Add((path, port, owner));
        }
        return taken;
    }

    /// <summary>A link another network manager configures is not taken without takeOverManagedLinks: both would reconfigure it.</summary>
    private async Task<IEnumerable<CheckFailure>> ManagedElsewhereAsync(CheckContext<BridgeArgs> ctx)
    {
        if (ctx.News.Value.TakeOverManagedLinks == true) return [];
        var taken = await ManagedLinksTakenAsync(ctx.News.Value, ctx.News.IsUnknown, ctx.Cancellation).ConfigureAwait(false);
        return taken.Select(t => new CheckFailure(t.Path, t.Owner.Refusal(t.Link)));
    }

    /// <summary>Taking the host's default route or its management address off the bridge needs forceDestroy: true (<see cref="HostAddressChecks"/>).</summary>
    private async Task<IEnumerable<CheckFailure>> CutsTheHostOffAsync(CheckContext<BridgeArgs> ctx)
    {
        var (a, olds) = (ctx.News.Value, ctx.Olds);
        if (a.ForceDestroy == true || olds is null || a.Name is not { } name || !LinkName.IsValid(name)) return [];
        if (await Host.Links.GetByNameAsync(name, ctx.Cancellation).ConfigureAwait(false) is not { IsBridge: true } bridge) return [];
        return await _checks.CutsTheHostOffAsync(a, olds, ctx.News.IsUnknown, bridge, ctx.Cancellation).ConfigureAwait(false);
    }

    /// <summary>An address must not be held by another link, unless a joining port hands it over.</summary>
    private async Task<IEnumerable<CheckFailure>> AddressesHeldElsewhereAsync(CheckContext<BridgeArgs> ctx)
    {
        if (ctx.News.Value.Addresses is not { Length: > 0 }) return [];
        var bridge = ctx.News.Value.Name is { } name && LinkName.IsValid(name) ? await Host.Links.GetByNameAsync(name, ctx.Cancellation).ConfigureAwait(false) : null;
        return await _checks.HeldElsewhereAsync(ctx.News.Value, ctx.News.IsUnknown, bridge, [.. (ctx.News.Value.Ports ?? []).OfType<string>()], ctx.Cancellation).ConfigureAwait(false);
    }

    public override async Task<Outcome<BridgeState>> CreateAsync(CreateContext<BridgeArgs> ctx)
    {
        var a = ctx.Args;
        var name = a.Name!;
        using var locks = await Host.Locks.AcquireAllAsync([LockKey(name), .. (a.Ports ?? []).Select(LockKey)], ctx.Cancellation).ConfigureAwait(false);
        var links = Host.Links;
        if (await links.GetByNameAsync(name, ctx.Cancellation).ConfigureAwait(false) is not null)
            throw HostErrors.NeverAdopted($"a link named \"{name}\" already exists in {Host.NamespaceDescription}", BridgeResource.TypeToken, name);
        var portLinks = await ResolvePortsAsync(a.Ports ?? [], bridgeIndex: null, ctx.Cancellation).ConfigureAwait(false);
        var reads = new LinkReads(links);
        var moves = await UplinkTakeover.PlanAsync(reads, a, portLinks, ctx.Cancellation).ConfigureAwait(false);
        IReadOnlyList<Link> routeHolders = a.Gateway is not null || a.Gateway6 is not null ? await LinkCheckpoint.DefaultRouteHoldersAsync(reads, ctx.Cancellation).ConfigureAwait(false) : [];
        var checkpoint = await LinkCheckpoint.TakeIfNeededAsync(reads, [.. portLinks, .. routeHolders], createdBridge: name, Host.ManagementAddress, ctx.Cancellation).ConfigureAwait(false);

        Link bridge;
        try
        {
            bridge = await links.CreateBridgeAsync(new NewBridge(name)
            {
                Mtu = (uint?)a.Mtu,
                Address = a.MacAddress is { } mac ? Netlink.MacAddress.Parse(mac) : null,
                AdminState = a.Up == false ? AdminState.Down : AdminState.Up,
                Options = Options(a, bridge: null),
            }, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (NetlinkException e)
        {
            throw HostErrors.Refused(e, $"creating bridge {name}", Host.NamespaceDescription);
        }

        // From here the bridge exists: a failure must leave the engine its id, not an orphan.
        try
        {
            foreach (var port in portLinks)
                await links.SetMasterAsync(port.Index, bridge.Index, ctx.Cancellation).ConfigureAwait(false);
            if (a.Mtu is { } mtu && portLinks.Count > 0)
                await links.SetAsync(bridge.Index, new LinkChange { Mtu = (uint)mtu }, ctx.Cancellation).ConfigureAwait(false);
            await WritePortOptionsAsync(bridge.Index, a.PortOptions, ctx.Cancellation).ConfigureAwait(false);
            if (a.Addresses is { Length: > 0 } || a.Gateway is not null || a.Gateway6 is not null || a.Routes is { Length: > 0 })
                await BridgeAddressing.Changes(a, before: null, [], [], bridge.Index).ApplyAsync(links, bridge.Index, () => { }, ctx.Cancellation).ConfigureAwait(false);
            foreach (var move in moves)
                await UplinkTakeover.FinishAsync(links, move, () => { }, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NetlinkException or OperationCanceledException && checkpoint is not null)
        {
            throw await RolledBackAsync(checkpoint!, $"creating bridge {name} failed half-way ({e.Message})", e).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NetlinkException or OperationCanceledException)
        {
            var partial = await ObserveAsync(name, a.ForceDestroy, a.Ports, CancellationToken.None, a.PortOptions).ConfigureAwait(false);
            throw new ResourceInitFailedException(name, partial ?? new BridgeState { Name = name },
                $"bridge {name} was created but not fully configured: {e.Message}", e);
        }
        if (checkpoint is not null) await ConfirmOrRollBackAsync(checkpoint, $"creating bridge {name}", ctx.Cancellation).ConfigureAwait(false);
        // Read back whole: with ports, its MTU and MAC follow them; the kernel adds its own routes to the addresses.
        var state = await MustObserveAsync(name, a.ForceDestroy, a.Ports, ctx.Cancellation, a.PortOptions).ConfigureAwait(false);
        return new Outcome<BridgeState>(name, state with { TakeOverManagedLinks = a.TakeOverManagedLinks });
    }

    /// <summary>A port joining with the address the bridge declares: the preview says what moves where.</summary>
    public override async Task<IReadOnlyList<Announcement>> PreviewNotesAsync(BridgeArgs news, BridgeState? old, CancellationToken ct)
    {
        var ports = news.Ports ?? [];
        try
        {
            var joining = new List<Link>();
            foreach (var port in ports.Where(p => !(old?.Ports ?? []).Contains(p)))
            {
                if (await Host.Links.GetByNameAsync(port, ct).ConfigureAwait(false) is { } link) joining.Add(link);
            }
            // The take-over and the checkpoint look at the same ports: one read of each serves both.
            var reads = new LinkReads(Host.Links);
            var moves = await UplinkTakeover.PlanAsync(reads, news, joining, ct).ConfigureAwait(false);
            var notes = moves.Select(m => Announcement.Warning($"kvm:move {UplinkTakeover.Describe(m, news.Name!)}: the port joins, {news.Name} takes them, then {m.Port} lets them go")).ToList();
            if (news.TakeOverManagedLinks == true)
            {
                foreach (var (_, link, owner) in await ManagedLinksTakenAsync(news, _ => false, ct).ConfigureAwait(false))
                    notes.Add(Announcement.Warning(owner.TakenAnyway(link)));
            }
            var bridge = old is null ? null : await Host.Links.GetByNameAsync(news.Name!, ct).ConfigureAwait(false);
            var leaving = new List<Link>();
            foreach (var port in (old?.Ports ?? []).Where(p => news.Ports is { } wanted && !wanted.Contains(p)))
            {
                if (await Host.Links.GetByNameAsync(port, ct).ConfigureAwait(false) is { } link) leaving.Add(link);
            }
            IReadOnlyList<Link> routeHolders = (news.Gateway is not null && news.Gateway != old?.Gateway) || (news.Gateway6 is not null && news.Gateway6 != old?.Gateway6)
                ? await LinkCheckpoint.DefaultRouteHoldersAsync(reads, ct).ConfigureAwait(false) : [];
            if (await LinkCheckpoint.TakeIfNeededAsync(reads, [.. bridge is null ? [] : new[] { bridge }, .. joining, .. leaving, .. routeHolders], null, Host.ManagementAddress, ct).ConfigureAwait(false) is { } checkpoint)
            {
                notes.Add(Announcement.Warning(CheckpointedChange.PreviewNote(Host, news.Name!, checkpoint)));
            }
            return notes;
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            return [];
        }
    }

    public override async Task<Observed<BridgeArgs, BridgeState>?> ReadAsync(ReadContext<BridgeArgs, BridgeState> ctx)
    {
        EnsureBridgeId(ctx.Id);
        var forceDestroy = ctx.OldInputs?.ForceDestroy ?? ctx.OldState?.ForceDestroy ?? false;
        var state = await ObserveAsync(ctx.Id, forceDestroy, ctx.OldInputs?.Ports, ctx.Cancellation, ctx.OldInputs?.PortOptions).ConfigureAwait(false);
        if (state is null) return null;
        // Consent the kernel cannot report, kept as the program gave it.
        state = state with { TakeOverManagedLinks = ctx.OldInputs?.TakeOverManagedLinks ?? ctx.OldState?.TakeOverManagedLinks };
        // Everything the kernel reports is an input that reproduces it: the state itself, read as inputs. But an
        // empty `addresses` or `routes` declares "exactly none" (any added later would be removed), which a bridge
        // that merely has none does not say: unless the program declares the list, an empty one is left out, so an
        // import leaves them unmanaged. A program that declares `addresses: []` keeps it, and sees additions as drift.
        var inputs = state with
        {
            Addresses = state.Addresses is { Length: 0 } && ctx.OldInputs?.Addresses is null ? null : state.Addresses,
            Routes = state.Routes is { Length: 0 } && ctx.OldInputs?.Routes is null ? null : state.Routes,
        };
        return new Observed<BridgeArgs, BridgeState>(ctx.Id, state, inputs);
    }

    public override async Task<Outcome<BridgeState>> UpdateAsync(UpdateContext<BridgeArgs, BridgeState> ctx)
    {
        var a = ctx.Args;
        var name = EnsureBridgeId(ctx.Id);
        // Ports the program used to declare and no longer does are released.
        var wantedPorts = a.Ports ?? (ctx.OldInputs.Ports is not null ? [] : null);
        var lockKeys = new[] { LockKey(name) }.Concat((wantedPorts ?? []).Concat(ctx.OldState.Ports ?? []).Select(LockKey));
        using var locks = await Host.Locks.AcquireAllAsync(lockKeys, ctx.Cancellation).ConfigureAwait(false);
        var links = Host.Links;
        var bridge = await links.GetByNameAsync(name, ctx.Cancellation).ConfigureAwait(false) is { IsBridge: true } found ? found
            : throw ProviderException.NotFound($"bridge {name} no longer exists in {Host.NamespaceDescription}; run `pulumi refresh` to drop it from the state, then `pulumi up` to create it again");

        var change = new LinkChange
        {
            Mtu = a.Mtu is { } mtu && mtu != bridge.Mtu ? (uint)mtu : null,
            Address = a.MacAddress is { } mac && Netlink.MacAddress.Parse(mac) is var parsed && parsed != bridge.Address ? parsed : null,
            AdminState = a.Up is { } up && up != bridge.IsUp ? (up ? AdminState.Up : AdminState.Down) : null,
            Bridge = Options(a, bridge),
        };
        var toAdd = new List<Link>();
        var toRelease = new List<Link>();
        if (wantedPorts is not null)
        {
            var current = await links.ListPortsAsync(bridge.Index, ctx.Cancellation).ConfigureAwait(false);
            toAdd = await ResolvePortsAsync(wantedPorts.Where(p => current.All(c => c.Name != p)), bridge.Index, ctx.Cancellation).ConfigureAwait(false);
            // A guest's tap is released only if the program itself had declared it.
            var declaredBefore = ctx.OldInputs.Ports ?? [];
            toRelease = [.. current.Where(l => !wantedPorts.Contains(l.Name) && (!IsGuestTap(l) || declaredBefore.Contains(l.Name)))];
        }
        // Everything below reads the host before changing it: one read of each link's addresses and routes serves all.
        var reads = new LinkReads(links);
        var moves = await UplinkTakeover.PlanAsync(reads, a, toAdd, ctx.Cancellation).ConfigureAwait(false);

        // Addresses and routes as the kernel holds them now, against what the program declares (and declared before).
        var layer3 = a.Addresses is null && a.Gateway is null && a.Gateway6 is null && a.Routes is null
            && ctx.OldInputs.Addresses is null && ctx.OldInputs.Gateway is null && ctx.OldInputs.Gateway6 is null && ctx.OldInputs.Routes is null
            ? new Layer3Changes()
            : BridgeAddressing.Changes(a, ctx.OldInputs,
                await reads.AddressesAsync(bridge.Index, ctx.Cancellation).ConfigureAwait(false),
                await reads.RoutesAsync(bridge.Index, ctx.Cancellation).ConfigureAwait(false), bridge.Index);
        IReadOnlyList<Link> routeHolders = layer3.AddRoutes.Any(r => r.Route.IsDefault) ? await LinkCheckpoint.DefaultRouteHoldersAsync(reads, ctx.Cancellation).ConfigureAwait(false) : [];
        var checkpoint = await LinkCheckpoint.TakeIfNeededAsync(reads, [bridge, .. toAdd, .. toRelease, .. routeHolders], createdBridge: null, Host.ManagementAddress, ctx.Cancellation).ConfigureAwait(false);

        var applied = 0;
        try
        {
            // The bridge's own settings go in one request; each port is its own link, so its own request.
            if (!change.IsEmpty)
            {
                await links.SetAsync(bridge.Index, change, ctx.Cancellation).ConfigureAwait(false);
                applied++;
            }
            foreach (var port in toRelease)
            {
                await links.ReleaseFromMasterAsync(port.Index, ctx.Cancellation).ConfigureAwait(false);
                applied++;
            }
            foreach (var port in toAdd)
            {
                await links.SetMasterAsync(port.Index, bridge.Index, ctx.Cancellation).ConfigureAwait(false);
                applied++;
            }
            if (a.Mtu is { } m && toAdd.Count > 0)
                await links.SetAsync(bridge.Index, new LinkChange { Mtu = (uint)m }, ctx.Cancellation).ConfigureAwait(false);
            applied += await WritePortOptionsAsync(bridge.Index, a.PortOptions, ctx.Cancellation).ConfigureAwait(false);
            await layer3.ApplyAsync(links, bridge.Index, () => applied++, ctx.Cancellation).ConfigureAwait(false);
            foreach (var move in moves)
                await UplinkTakeover.FinishAsync(links, move, () => applied++, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NetlinkException or OperationCanceledException && checkpoint is not null && applied > 0)
        {
            throw await RolledBackAsync(checkpoint!, $"updating bridge {name} failed half-way ({e.Message})", e).ConfigureAwait(false);
        }
        catch (NetlinkException e)
        {
            if (applied == 0) throw HostErrors.Refused(e, $"updating bridge {name}", Host.NamespaceDescription);
            var partial = await ObserveAsync(name, a.ForceDestroy, wantedPorts, CancellationToken.None, a.PortOptions).ConfigureAwait(false);
            throw new ResourceInitFailedException(name, partial ?? ctx.OldState, $"bridge {name} was only partly updated: {e.Message}", e);
        }
        if (checkpoint is not null && applied > 0) await ConfirmOrRollBackAsync(checkpoint, $"updating bridge {name}", ctx.Cancellation).ConfigureAwait(false);
        return new Outcome<BridgeState>(name, await MustObserveAsync(name, a.ForceDestroy, wantedPorts, ctx.Cancellation, a.PortOptions).ConfigureAwait(false) with { TakeOverManagedLinks = a.TakeOverManagedLinks });
    }

    private Task ConfirmOrRollBackAsync(LinkCheckpoint checkpoint, string what, CancellationToken ct) =>
        CheckpointedChange.ConfirmOrRollBackAsync(Host, checkpoint, what, ct);

    private Task<ProviderException> RolledBackAsync(LinkCheckpoint checkpoint, string why, Exception? inner) =>
        CheckpointedChange.RolledBackAsync(Host, checkpoint, why, inner);

    public override async Task DeleteAsync(DeleteContext<BridgeArgs, BridgeState> ctx)
    {
        var name = EnsureBridgeId(ctx.Id);
        using var locks = await Host.Locks.AcquireAllAsync([LockKey(name), .. (ctx.State.Ports ?? []).Select(LockKey)], ctx.Cancellation).ConfigureAwait(false);
        var links = Host.Links;
        var bridge = await links.GetByNameAsync(name, ctx.Cancellation).ConfigureAwait(false);
        if (bridge is null)
        {
            await Host.Log.WarnAsync($"bridge {name} was already gone from {Host.NamespaceDescription}; nothing to delete", ctx.Urn).ConfigureAwait(false);
            return;
        }
        if (!bridge.IsBridge)
            throw ProviderException.FailedPrecondition($"\"{name}\" in {Host.NamespaceDescription} is now a {bridge.Kind ?? "physical"} link, not a bridge; not deleting it");

        var force = ctx.OldInputs?.ForceDestroy ?? ctx.State.ForceDestroy ?? false;
        var ports = await links.ListPortsAsync(bridge.Index, ctx.Cancellation).ConfigureAwait(false);
        if (!force)
        {
            var taps = ports.Where(IsGuestTap).Select(l => l.Name).ToList();
            if (taps.Count > 0)
                throw ProviderException.FailedPrecondition(
                    $"bridge {name} has guests attached ({string.Join(", ", taps)}); deleting it would cut them off. " +
                    "Move or stop those guests first, or set forceDestroy: true (and `pulumi up`) to delete it anyway");
            if (await _checks.CarriedAsync(bridge, ctx.Cancellation).ConfigureAwait(false) is { } what)
                throw ProviderException.FailedPrecondition(
                    $"bridge {name} carries {what}; deleting it could cut this host off the network. " +
                    "Move them off the bridge first, or set forceDestroy: true (and `pulumi up`) to delete it anyway");
        }

        try
        {
            foreach (var port in ports)
                await links.ReleaseFromMasterAsync(port.Index, ctx.Cancellation).ConfigureAwait(false);
            await Host.LinkDeletions.DeleteAsync(bridge.Index, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (NetlinkException e) when (!e.IsNoSuchDevice)
        {
            throw HostErrors.Refused(e, $"deleting bridge {name}", Host.NamespaceDescription);
        }
    }

    /// <summary>Bridge options to send: only inputs the program sets, and (on update) only where the kernel differs.</summary>
    private static BridgeOptions Options(BridgeArgs a, Link? bridge)
    {
        var observed = bridge?.Bridge;
        static T? Changed<T>(T? wanted, T? current) where T : struct => wanted is { } w && !Equals(w, current) ? w : null;
        var stp = a.Stp is { } s ? (s ? BridgeStpState.Kernel : BridgeStpState.Disabled) : (BridgeStpState?)null;
        var stpChanged = observed is null ? stp : stp is { } st && (st == BridgeStpState.Disabled) != (observed.StpState is null or BridgeStpState.Disabled) ? st : null;
        return new BridgeOptions
        {
            StpState = stpChanged,
            ForwardDelayCentiseconds = Changed(Centiseconds(a.ForwardDelay), observed?.ForwardDelayCentiseconds),
            HelloTimeCentiseconds = Changed(Centiseconds(a.HelloTime), observed?.HelloTimeCentiseconds),
            MaxAgeCentiseconds = Changed(Centiseconds(a.MaxAge), observed?.MaxAgeCentiseconds),
            AgeingTimeCentiseconds = Changed(Centiseconds(a.AgeingTime), observed?.AgeingTimeCentiseconds),
            // A new bridge does not filter VLANs; saying so would fail on kernels without VLAN filtering.
            VlanFiltering = observed is null ? (a.VlanFiltering == true ? true : null) : Changed(a.VlanFiltering, observed.VlanFiltering ?? false),
            VlanProtocol = Changed(Protocol(a.VlanProtocol), observed?.VlanProtocol),
            VlanDefaultPvid = Changed((ushort?)a.DefaultPvid, observed?.VlanDefaultPvid),
            MulticastSnooping = Changed(a.MulticastSnooping, observed?.MulticastSnooping),
            Switches = NetlinkSwitches.Wanted(a, bridge),
        };
    }

    private static uint? Centiseconds(double? seconds) => seconds is { } s ? (uint)Math.Round(s * 100) : null;

    private static BridgeVlanProtocol? Protocol(string? p) => p switch
    {
        "802.1Q" => BridgeVlanProtocol.Dot1Q,
        "802.1ad" => BridgeVlanProtocol.Dot1AD,
        _ => null,
    };

    private async Task<List<Link>> ResolvePortsAsync(IEnumerable<string> names, int? bridgeIndex, CancellationToken ct)
    {
        var result = new List<Link>();
        foreach (var name in names)
        {
            var link = await Host.Links.GetByNameAsync(name, ct).ConfigureAwait(false)
                ?? throw ProviderException.FailedPrecondition($"port \"{name}\" does not exist in {Host.NamespaceDescription}; nothing was changed");
            if (link.MasterIndex is { } master && master != 0 && master != bridgeIndex)
            {
                var owner = (await Host.Links.GetByIndexAsync(master, ct).ConfigureAwait(false))?.Name;
                var other = owner is null ? null : Host.Declared.Find<BridgeArgs>(BridgeResource.TypeToken, owner);
                // A port this program's other bridge has given up (its new declaration no longer lists it): the kernel
                // takes it from there as it joins this bridge.
                if (other is not null && !(other.Ports ?? []).Contains(name)) { result.Add(link); continue; }
                throw ProviderException.FailedPrecondition(other is null
                    ? $"port \"{name}\" already belongs to {owner ?? $"ifindex {master}"}, which this program does not manage; release it there first (nothing was changed)"
                    : $"port \"{name}\" still belongs to {owner}, whose declaration in this program lists it too. If {owner} gives it up in this update, " +
                      $"make this bridge depend on {owner}'s resource (`dependsOn`) so that {owner} lets it go first; a port can be on one bridge only (nothing was changed)");
            }
            result.Add(link);
        }
        return result;
    }

    /// <summary>Port options go to ports already on the bridge (joining resets them): one request per port the kernel holds otherwise. Returns the requests sent.</summary>
    private async Task<int> WritePortOptionsAsync(int bridgeIndex, BridgePortOptionsArgs[]? options, CancellationToken ct)
    {
        if (options is not { Length: > 0 }) return 0;
        var ports = await Host.Links.ListPortsAsync(bridgeIndex, ct).ConfigureAwait(false);
        var sent = 0;
        foreach (var entry in options)
        {
            if (ports.FirstOrDefault(l => l.Name == entry.Port) is not { } port || NetlinkPortOptions.Wanted(entry, port) is not { IsEmpty: false } settings) continue;
            await Host.Links.SetAsync(port.Index, new LinkChange { Port = settings }, ct).ConfigureAwait(false);
            sent++;
        }
        return sent;
    }

    private async Task<BridgeState> MustObserveAsync(string name, bool? forceDestroy, IReadOnlyCollection<string>? declared, CancellationToken ct, BridgePortOptionsArgs[]? options = null) =>
        await ObserveAsync(name, forceDestroy, declared, ct, options).ConfigureAwait(false)
        ?? throw new ProviderException(StatusCode.Unknown, $"bridge {name} vanished right after it was changed");

    /// <summary>The bridge as the kernel reports it now (a get, and dumps of its ports, addresses and routes), or null when there is none.</summary>
    private async Task<BridgeState?> ObserveAsync(string name, bool? forceDestroy, IReadOnlyCollection<string>? declared, CancellationToken ct, BridgePortOptionsArgs[]? options = null)
    {
        var link = await Host.Links.GetByNameAsync(name, ct).ConfigureAwait(false);
        if (link is null || !link.IsBridge) return null;
        var ports = await Host.Links.ListPortsAsync(link.Index, ct).ConfigureAwait(false);
        var layer3 = BridgeAddressing.Observe(
            await Host.Links.ListAddressesAsync(link.Index, ct).ConfigureAwait(false),
            await Host.Links.ListRoutesAsync(link.Index, ct).ConfigureAwait(false), link.Index);
        return StateOf(link, ports, forceDestroy, declared, options) with
        {
            Addresses = layer3.Addresses,
            Gateway = layer3.Gateway,
            Gateway6 = layer3.Gateway6,
            Routes = layer3.Routes,
        };
    }

    /// <param name="declared">Ports the program declares: a guest tap among them counts as a port.</param>
    /// <param name="options">Port options the program declares: reported entry by entry; without them, the ports' options that differ from the kernel's defaults (import).</param>
    private static BridgeState StateOf(Link link, IReadOnlyList<Link> ports, bool? forceDestroy, IReadOnlyCollection<string>? declared, BridgePortOptionsArgs[]? options = null)
    {
        bool IsPort(Link l) => !IsGuestTap(l) || declared?.Contains(l.Name) == true;
        var o = link.Bridge ?? BridgeOptions.Empty;
        return NetlinkSwitches.Observed(new BridgeState
        {
            Name = link.Name,
            Mtu = (int)link.Mtu,
            MacAddress = link.Address?.ToString(),
            Stp = o.StpState is { } stp ? stp != BridgeStpState.Disabled : null,
            ForwardDelay = Seconds(o.ForwardDelayCentiseconds),
            HelloTime = Seconds(o.HelloTimeCentiseconds),
            MaxAge = Seconds(o.MaxAgeCentiseconds),
            AgeingTime = Seconds(o.AgeingTimeCentiseconds),
            // A kernel without VLAN filtering reports nothing: such a bridge does not filter.
            VlanFiltering = o.VlanFiltering ?? false,
            VlanProtocol = o.VlanProtocol switch
            {
                BridgeVlanProtocol.Dot1Q => "802.1Q",
                BridgeVlanProtocol.Dot1AD => "802.1ad",
                _ => null,
            },
            DefaultPvid = o.VlanDefaultPvid,
            MulticastSnooping = o.MulticastSnooping,
            Ports = [.. ports.Where(IsPort).Select(l => l.Name).Order(StringComparer.Ordinal)],
            PortOptions = options is not null ? NetlinkPortOptions.Observed(options, ports) : NetlinkPortOptions.Changed(ports.Where(IsPort)),
            GuestTaps = [.. ports.Where(l => !IsPort(l)).Select(l => l.Name).Order(StringComparer.Ordinal)],
            Up = link.IsUp,
            ForceDestroy = forceDestroy ?? false,
            Ifindex = link.Index,
            OperState = link.OperationalState.ToString().ToLowerInvariant(),
        }, link);
    }

    /// <summary>A tap (kind tun) on a bridge is a guest's NIC (libvirt's vnetN) or a VPN's end: it belongs to whoever made it.</summary>
    public static bool IsGuestTap(Link link) => link.Kind == "tun";

    private static double? Seconds(uint? centiseconds) => centiseconds is { } cs ? cs / 100.0 : null;

    /// <summary>A Bridge's id is its interface name; anything else cannot name a bridge.</summary>
    private static string EnsureBridgeId(string id) => LinkName.IsValid(id)
        ? id
        : throw ProviderException.InvalidArgument($"\"{(id.Length > 40 ? id[..40] + "..." : id)}\" is not a bridge id: a Bridge's id is its interface name (1-15 characters, no '/', ':' or whitespace)");

    private static string LockKey(string linkName) => $"link/{linkName}";
}

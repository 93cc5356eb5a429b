using Kvm.Libvirt;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// The LibvirtNetwork on the host, the only network code that calls libvirt or netlink: define and
/// start, read, update as the plan says (virNetworkUpdate deltas, or a new definition and a
/// restart that puts running guests' taps back on the bridge), delete. What it reads of the host is
/// in LibvirtNetworkApplier.Observing.cs.
/// </summary>
/// <param name="planner">Decides what a difference between the program and the host's definitions means (the update compares with the host, not the state).</param>
internal sealed partial class LibvirtNetworkApplier(ProviderHost host, LibvirtNetworkPlanner planner) : Applier<LibvirtNetworkArgs, LibvirtNetworkState>(host)
{
    /// <summary>
    /// The running guests on the network, for the preview's words, when the plan cuts them off (a restart of a running
    /// network, a replacement, a stop); a host that cannot be asked says so rather than failing the preview.
    /// </summary>
    public override Task<IReadOnlyList<string>> AffectedGuestsAsync(LibvirtNetworkState old, LibvirtNetworkArgs news, Plan plan, CancellationToken ct)
    {
        var running = old.Active ?? true;
        var cutsOff = plan.Replaces || plan.PathsOf(ChangeClass.Replace).Any()
            || (running && news.Active != false && plan.PathsOf(ChangeClass.Restart).Any())
            || (running && news.Active == false);
        if (!cutsOff) return Task.FromResult<IReadOnlyList<string>>([]);
        IReadOnlyList<string> guests;
        try
        {
            var name = old.Name ?? "";
            guests = [.. FindGuests(name, old.BridgeName ?? Observe(name)?.State.BridgeName).Select(n => n.Guest)];
        }
        catch (Exception e) when (e is LibvirtException or ProviderException)
        {
            guests = AttachedGuests.Unlisted(e.Message);
        }
        return Task.FromResult(guests);
    }

    public override async Task<Outcome<LibvirtNetworkState>> CreateAsync(CreateContext<LibvirtNetworkArgs> ctx)
    {
        var a = ctx.Args;
        var name = a.Name!;
        using var held = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        var libvirt = Host.Libvirt;
        using (var existing = libvirt.FindNetworkByName(name))
        {
            if (existing is not null)
                throw HostErrors.NeverAdopted($"a libvirt network named \"{name}\" already exists at {libvirt.Uri}", LibvirtNetworkResource.TypeToken, name);
        }
        // A UUID of our own makes the define fail, rather than silently redefine, should a network of this name appear meanwhile.
        var uuid = a.Uuid is { } u ? Guid.Parse(u) : Guid.NewGuid();
        using (var sameUuid = libvirt.FindNetworkByUuid(uuid))
        {
            if (sameUuid is not null)
                throw ProviderException.AlreadyExists(
                    $"the UUID {uuid} already belongs to the libvirt network \"{sameUuid.Name}\"; to manage that network, import it: `pulumi import {LibvirtNetworkResource.TypeToken} <resource-name> {sameUuid.Name}`");
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
            throw HostErrors.Refused(e, $"defining network {name}", libvirt);
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
                throw new ResourceInitFailedException(name, PartialState(name, xml),
                    $"network {name} was defined, but {step} failed: {e.Message.Trim()}. The network stays defined and recorded in the stack; fix the cause and run `pulumi up` again", e);
            }
            try
            {
                return new Outcome<LibvirtNetworkState>(name, MustObserve(name).State);
            }
            catch (Exception e) when (e is ProviderException or LibvirtException)
            {
                // What libvirt made of the definition cannot be read back: the engine still gets the id.
                throw new ResourceInitFailedException(name, PartialState(name, xml),
                    $"network {name} was defined, but reading it back failed: {e.Message.Trim()}. The network stays defined and recorded in the stack", e);
            }
        }
    }

    /// <summary>The state of a network that exists but did not get as far as planned: as observed, else as defined.</summary>
    private LibvirtNetworkState PartialState(string name, string xml)
    {
        try
        {
            if (Observe(name)?.State is { } observed) return observed;
        }
        catch (Exception e) when (e is ProviderException or LibvirtException)
        {
            // as defined, below
        }
        return new LibvirtNetworkState { Name = name, BridgeName = "", Xml = xml, LiveDrift = [] };
    }

    public override async Task<Observed<LibvirtNetworkArgs, LibvirtNetworkState>?> ReadAsync(ReadContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
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
        return new Observed<LibvirtNetworkArgs, LibvirtNetworkState>(observed.Name, observed.State, observed.Persistent);
    }

    /// <summary>
    /// The plan's change, made to the definitions libvirt holds now: a restart-class change defines
    /// the new configuration and restarts a running network (the one path that interrupts guests);
    /// otherwise each definition gets the virNetworkUpdate delta that brings it to the program's.
    /// Autostart and active are then set where the network differs from the program.
    /// </summary>
    public override async Task<Outcome<LibvirtNetworkState>> UpdateAsync(UpdateContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var a = ctx.Args;
        var name = EnsureId(ctx.Id);
        using var held = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        var libvirt = Host.Libvirt;
        var now = Observe(name) ?? throw ProviderException.NotFound(
            $"the libvirt network {name} no longer exists at {libvirt.Uri}; run `pulumi refresh` to drop it from the state, then `pulumi up` to create it again");
        // Against what the host holds now, not what the engine remembers: persistent and (if running) live.
        var persistent = ChangesAgainst(now.Persistent, now, ctx);
        var live = now.Live is { } liveArgs ? ChangesAgainst(liveArgs, now, ctx) : [];
        var restart = persistent.Concat(live).Any(c => c.Class == ChangeClass.Restart);
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
            if (restart)
            {
                var tops = persistent.Select(c => PropertyPath.TopLevel(c.Path)).Where(t => !NetworkChanges.IsRunState(t)).ToHashSet(StringComparer.Ordinal);
                if (tops.Count > 0)
                {
                    step = "defining the new configuration";
                    var desired = NetworkMapping.Apply(now.PersistentDefinition, a, old, tops.Contains);
                    libvirt.DefineNetwork(NetworkXml.Format(desired)).Dispose();
                    applied++;
                }
                if (now.Live is not null)
                {
                    // What was defined takes effect only at a start.
                    guestNics = FindGuests(name, now.State.BridgeName);
                    step = "stopping the network to restart it";
                    await Host.Log.StatusAsync(RestartStatus(name, guestNics), ctx.Urn).ConfigureAwait(false);
                    network.Destroy();
                    applied++;
                    if (wantActive)
                    {
                        step = "starting the network again";
                        await Host.Log.StatusAsync($"restarting network {name}: starting it with the new configuration", ctx.Urn).ConfigureAwait(false);
                        network.Start();
                        restarted = true;
                    }
                }
            }
            else
            {
                if (persistent.Any(c => PropertyPath.TopLevel(c.Path) == LibvirtNetworkArgs.Paths.MetadataXml))
                {
                    step = "writing the new metadata to the definition";
                    var desired = NetworkMapping.Apply(now.PersistentDefinition, a, old, top => top == LibvirtNetworkArgs.Paths.MetadataXml);
                    libvirt.DefineNetwork(NetworkXml.Format(desired)).Dispose();
                    applied++;
                }
                foreach (var (op, flags, target) in LiveUpdates(now, a, old))
                {
                    step = Describe(op) + target;
                    network.Update(op, flags);
                    applied++;
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
                guestNics = FindGuests(name, now.State.BridgeName);
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
            if (applied == 0) throw HostErrors.Refused(e, $"updating network {name}: {step}", libvirt);
            var partial = Observe(name)?.State ?? ctx.OldState;
            throw new ResourceInitFailedException(name, partial,
                $"network {name} was only partly updated: {step} failed: {e.Message}. Fix the cause and run `pulumi up` again", e);
        }
        var after = MustObserve(name);
        if (restarted && guestNics.Count > 0)
            await ReattachAsync(after, guestNics, ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
        return new Outcome<LibvirtNetworkState>(name, after.State);
    }

    /// <summary>What a network restart is doing while guests wait for their link (the engine's ephemeral status).</summary>
    private static string RestartStatus(string name, IReadOnlyList<GuestNic> guests)
    {
        var names = guests.Select(g => g.Guest).Distinct(StringComparer.Ordinal).ToList();
        return names.Count switch
        {
            0 => $"restarting network {name}: stopping it",
            1 => $"restarting network {name}: stopping it; {names[0]} loses its link until it is back",
            _ => $"restarting network {name}: stopping it; {string.Join(", ", names)} lose their link until it is back",
        };
    }

    /// <summary>
    /// The virNetworkUpdate requests of a live-class change, each with the definitions it goes to:
    /// both at once when the running network and its persistent definition need the same delta,
    /// else each its own.
    /// </summary>
    private static IEnumerable<(NetworkUpdate Op, NetworkUpdateFlags Flags, string Target)> LiveUpdates(Observation now, LibvirtNetworkArgs a, LibvirtNetworkArgs old)
    {
        var persistentOps = NetworkChanges.LiveUpdates(now.PersistentDefinition, a, old);
        var liveOps = now.LiveDefinition is { } liveDef ? NetworkChanges.LiveUpdates(liveDef, a, old) : [];
        if (now.LiveDefinition is not null && persistentOps.SequenceEqual(liveOps))
            return persistentOps.Select(op => (op, NetworkUpdateFlags.Live | NetworkUpdateFlags.Config, ""));
        return persistentOps.Select(op => (op, NetworkUpdateFlags.Config, " (persistent definition)"))
            .Concat(liveOps.Select(op => (op, NetworkUpdateFlags.Live, " (running network)")));
    }

    /// <summary>Old inputs without the pins of values libvirt fills in: dropping such a pin keeps libvirt's value rather than removing it.</summary>
    private static LibvirtNetworkArgs WithoutFilledIn(LibvirtNetworkArgs old) => old with
    {
        Uuid = null,
        MacAddress = null,
        Bridge = null,
        Forward = old.Forward is null ? null : old.Forward with { Interfaces = null },
    };

    private static string Describe(NetworkUpdate op) =>
        $"{op.Command switch { NetworkUpdateCommand.Delete => "deleting", NetworkUpdateCommand.Modify => "modifying", _ => "adding" }} " +
        $"{op.Section switch { NetworkUpdateSection.IpDhcpHost => "DHCP host", NetworkUpdateSection.IpDhcpRange => "DHCP range", NetworkUpdateSection.DnsHost => "DNS host", _ => "portgroup" }} {op.Xml}";

    /// <summary>The program's changes against one of the host's definitions, classified as a plan classifies them.</summary>
    private IReadOnlyList<PlannedChange> ChangesAgainst(LibvirtNetworkArgs observed, Observation now, UpdateContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
    {
        var state = NetworkMapping.ToState(observed, now.State.BridgeName ?? "", "", []);
        var byDefault = RecordDiff.Compare(state, ctx.News.Value, ctx.OldInputs, ctx.News.UnknownPaths, deleteBeforeReplace: true);
        return planner.Plan(new DiffContext<LibvirtNetworkArgs, LibvirtNetworkState>(ctx.Id, ctx.Urn, ctx.News, state, ctx.OldInputs, byDefault)).Changes;
    }

    public override async Task DeleteAsync(DeleteContext<LibvirtNetworkArgs, LibvirtNetworkState> ctx)
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
                var guests = FindGuests(name, ctx.State.BridgeName);
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
            throw HostErrors.Refused(e, $"deleting network {name}", libvirt);
        }
    }

    /// <summary>A LibvirtNetwork's id is the network's name (an import may also give its UUID).</summary>
    private static string EnsureId(string id) =>
        NetworkRules.NameError(id) is not { } error || Guid.TryParseExact(id, "D", out _)
            ? id
            : throw ProviderException.InvalidArgument(
                $"\"{(id.Length > 40 ? id[..40] + "..." : id)}\" is not a LibvirtNetwork id: the id is the network's name (or, for an import, its UUID): {error}");

    private static string LockKey(string name) => $"network/{name}";
}

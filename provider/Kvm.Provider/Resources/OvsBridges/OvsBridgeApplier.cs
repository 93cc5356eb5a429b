using Grpc.Core;
using Kvm.Ovsdb;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>An Open vSwitch bridge over OVSDB: each operation reads the tables once and writes one guarded transaction.</summary>
internal sealed class OvsBridgeApplier(ProviderHost host) : Applier<OvsBridgeArgs, OvsBridgeState>(host)
{
    private string Where => Host.Ovsdb.Endpoint;

    /// <summary>A declared port that is another bridge's, or a guest's, is refused before anything is written.</summary>
    public override async Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<OvsBridgeArgs> ctx)
    {
        var a = ctx.News.Value;
        if (a.Ports is not { Length: > 0 } ports || a.Name is not { } bridge) return [];
        OvsSnapshot snapshot;
        try
        {
            snapshot = await OvsSnapshot.ReadAsync(Host.Ovsdb, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OvsdbException or OvsdbConnectionException or FormatException)
        {
            return []; // the database cannot be read now; applying says what is wrong
        }
        var failures = new List<CheckFailure>();
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
                failures.Add(new(PropertyPath.Index(PropertyPath.Append(PropertyPath.Append(item, OvsPortArgs.Paths.Bond), OvsBondArgs.Paths.Members), j),
                    $"{member} is already an interface of port {holder.String("name")}{(holderBridge is null ? "" : $" on the Open vSwitch bridge {holderBridge}")}; an interface belongs to one port"));
            }
        }
        return failures;
    }

    public override async Task<Outcome<OvsBridgeState>> CreateAsync(CreateContext<OvsBridgeArgs> ctx)
    {
        var a = ctx.Args;
        var name = a.Name!;
        using var held = await Host.Locks.AcquireAsync($"ovs/{name}", ctx.Cancellation).ConfigureAwait(false);
        var before = await ReadAsync(ctx.Cancellation).ConfigureAwait(false);
        if (before.Bridge(name) is not null)
            throw HostErrors.NeverAdopted($"an Open vSwitch bridge named \"{name}\" already exists ({Where})", OvsBridgeResource.TypeToken, name);
        await TransactAsync(OvsTransactions.Create(a), $"creating the Open vSwitch bridge {name}", ctx.Cancellation).ConfigureAwait(false);
        return new Outcome<OvsBridgeState>(name, await ObserveAsync(name, a, ctx.Cancellation).ConfigureAwait(false));
    }

    public override async Task<Observed<OvsBridgeArgs, OvsBridgeState>?> ReadAsync(ReadContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        var snapshot = await ReadAsync(ctx.Cancellation).ConfigureAwait(false);
        if (snapshot.Bridge(ctx.Id) is not { } bridge) return null;
        var (state, inputs) = OvsBridgeMapping.Observe(snapshot, bridge, ctx.OldInputs, ctx.IsImport);
        return new Observed<OvsBridgeArgs, OvsBridgeState>(ctx.Id, state, inputs);
    }

    public override async Task<Outcome<OvsBridgeState>> UpdateAsync(UpdateContext<OvsBridgeArgs, OvsBridgeState> ctx)
    {
        var a = ctx.News.Value;
        var name = a.Name!;
        using var held = await Host.Locks.AcquireAsync($"ovs/{name}", ctx.Cancellation).ConfigureAwait(false);
        var snapshot = await ReadAsync(ctx.Cancellation).ConfigureAwait(false);
        var bridge = snapshot.Bridge(name)
            ?? throw ProviderException.FailedPrecondition($"the Open vSwitch bridge {name} no longer exists ({Where}); run `pulumi refresh`, then `pulumi up` makes it again. Nothing was changed");
        var ops = OvsTransactions.Update(a, snapshot, bridge);
        if (ops.Count > 0) await TransactAsync(ops, $"changing the Open vSwitch bridge {name}", ctx.Cancellation).ConfigureAwait(false);
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
        var guests = snapshot.PortsOf(bridge).Where(snapshot.IsGuestPort).Select(p => p.String("name")).ToList();
        if (guests.Count > 0 && (ctx.OldInputs?.ForceDestroy ?? ctx.State.ForceDestroy) != true)
            throw ProviderException.FailedPrecondition(
                $"the Open vSwitch bridge {ctx.Id} carries guests' ports ({string.Join(", ", guests)}): deleting it cuts those guests off, and libvirt does not put their ports back. Set forceDestroy: true to delete it anyway. Nothing was changed");
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

    private async Task<OvsBridgeState> ObserveAsync(string name, OvsBridgeArgs form, CancellationToken ct)
    {
        var snapshot = await ReadAsync(ct).ConfigureAwait(false);
        var bridge = snapshot.Bridge(name) ?? throw new ProviderException(StatusCode.Unknown, $"the Open vSwitch bridge {name} was gone right after it was written ({Where})");
        return OvsBridgeMapping.Observe(snapshot, bridge, form, importing: false).State;
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

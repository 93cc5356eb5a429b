using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Resources.VlanFilters;
using Kvm.Provider.Values;

namespace Kvm.Provider.Restore;

/// <summary>
/// Re-applies one namespace's desired state through the resources' own appliers (the code `pulumi up` runs):
/// a missing bridge is created, an existing one is updated to its recorded inputs, Open vSwitch bridges' internal
/// ports get back their admin state, addresses and routes, then the VLAN tables are written. Applying what already holds sends nothing, so running it twice changes nothing the second time.
/// One entry's failure never stops the others; each is reported through <paramref name="problem"/>.
/// </summary>
internal sealed class HostRestorer(ProviderHost host, Action<string> problem)
{
    private readonly BridgeApplier _bridges = new(host);
    private readonly VlanFilterApplier _vlans = new(host);
    private readonly OvsInternalPort _ovsPorts = new(host);

    /// <summary>
    /// How long restore waits for ovs-vswitchd to make a bridge's internal port. The unit runs after ovs-vswitchd.service,
    /// which returns once it has configured its bridges, so the link is normally there at once.
    /// </summary>
    private static readonly TimeSpan OvsBootPatience = TimeSpan.FromSeconds(10);

    public async Task RestoreAsync(NamespaceState state, CancellationToken ct)
    {
        foreach (var (name, inputs) in state.Of(DesiredState.Bridges))
            await GuardAsync($"bridge {name}", () => RestoreBridgeAsync(name, inputs, ct)).ConfigureAwait(false);
        foreach (var (name, inputs) in state.Of(DesiredState.OvsBridges))
        {
            if (Bind<OvsBridgeArgs>($"Open vSwitch bridge {name}", inputs) is not { } bound) continue;
            foreach (var (link, wanted) in OvsHostLinks(name, bound.Value))
                await GuardAsync(link == name ? $"Open vSwitch bridge {name}" : $"Open vSwitch bridge {name}, internal port {link}",
                    () => RestoreOvsLinkAsync(link, wanted, ct)).ConfigureAwait(false);
        }
        foreach (var (id, inputs) in state.Of(DesiredState.VlanFilters))
            await GuardAsync($"VLAN table {id}", () => RestoreVlanFilterAsync(id, inputs, ct)).ConfigureAwait(false);
    }

    private async Task RestoreBridgeAsync(string name, ObjectValue inputs, CancellationToken ct)
    {
        if (Bind<BridgeArgs>($"bridge {name}", inputs) is not { } bound) return;
        var urn = Urn(BridgeResource.TypeToken, name);

        // A port that is not there (a NIC renamed, a veth not made yet) is left out: the rest of the bridge still comes back.
        var present = new List<string>();
        foreach (var port in bound.Value.Ports ?? [])
        {
            var link = await host.Links.GetByNameAsync(port, ct).ConfigureAwait(false);
            if (link is null) problem($"bridge {name}: port {port} does not exist in {host.NamespaceDescription}; skipped");
            else if (link.IsBridge) problem($"bridge {name}: port {port} is a bridge, which cannot be a port; skipped");
            else present.Add(port);
        }
        var args = bound.Value with
        {
            Ports = bound.Value.Ports is null ? null : [.. present],
            PortOptions = bound.Value.PortOptions is null ? null : [.. bound.Value.PortOptions.Where(o => o.Port is { } p && (bound.Value.Ports is null || present.Contains(p)))],
        };
        var news = bound with { Value = args };

        var existing = await host.Links.GetByNameAsync(name, ct).ConfigureAwait(false);
        if (existing is null)
        {
            await _bridges.CreateAsync(new CreateContext<BridgeArgs>(urn, name, news, null, ct)).ConfigureAwait(false);
            return;
        }
        if (!existing.IsBridge)
        {
            problem($"bridge {name}: a {existing.Kind ?? "physical"} link of that name exists in {host.NamespaceDescription}; not touched");
            return;
        }
        // Already there (restore ran before, or something else made it): brought to the recorded inputs, as an update would.
        var observed = await _bridges.ReadAsync(new ReadContext<BridgeArgs, BridgeState>(name, urn, null, args, ct)).ConfigureAwait(false);
        if (observed is null) return;
        await _bridges.UpdateAsync(new UpdateContext<BridgeArgs, BridgeState>(name, urn, observed.State, args, news,
            Plan.Unclassified(DiffResult.None), null, ct)).ConfigureAwait(false);
    }

    /// <summary>
    /// Open vSwitch keeps the bridge and its ports in its own database across reboots, and ovs-vswitchd makes them
    /// again; the kernel's side of the internal ports is what is lost (they come back down, without addresses), so
    /// that is what is re-applied: the bridge's own, and each internal port's that declares one. The database is not
    /// written: a change made there since the last `up` is drift for a refresh to show, not something a boot should undo.
    /// </summary>
    private static IEnumerable<(string Link, IHostAddressing Wanted)> OvsHostLinks(string name, OvsBridgeArgs a) =>
        new[] { (Link: name, Wanted: (IHostAddressing)a) }
            .Concat((a.Ports ?? []).Where(p => p is { Type: "internal", Name: not null }).Select(p => (Link: p.Name!, Wanted: (IHostAddressing)p)))
            .Where(l => OvsInternalPort.Manages(l.Wanted, null));

    private async Task RestoreOvsLinkAsync(string link, IHostAddressing wanted, CancellationToken ct)
    {
        var found = await _ovsPorts.AwaitAsync(link, OvsBootPatience, ct).ConfigureAwait(false);
        await _ovsPorts.ApplyAsync(found, wanted, before: null, moves: [], () => { }, ct).ConfigureAwait(false);
    }

    private async Task RestoreVlanFilterAsync(string id, ObjectValue inputs, CancellationToken ct)
    {
        if (Bind<VlanFilterArgs>($"VLAN table {id}", inputs) is not { } bound) return;
        // A VlanFilter's create writes the whole table as a difference from what the port holds: the same code re-applies it.
        await _vlans.CreateAsync(new CreateContext<VlanFilterArgs>(Urn(VlanFilterResource.TypeToken, id), id, bound, null, ct)).ConfigureAwait(false);
    }

    private Bound<T>? Bind<T>(string what, ObjectValue inputs) where T : class, Schema.IShaped<T>
    {
        var bound = PropertyBinder.Bind<T>(inputs, BindMode.State);
        if (bound.Ok) return bound;
        problem($"{what}: the recorded inputs are not valid ({string.Join("; ", bound.Failures)}); skipped");
        return null;
    }

    private async Task GuardAsync(string what, Func<Task> restore)
    {
        try
        {
            await restore().ConfigureAwait(false);
        }
        // At boot nothing is there to catch a crash: whatever one entry throws (a host error, or a value in an edited
        // file the appliers cannot take) is that entry's problem, and the next entry is still applied.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problem($"{what}: {e.Message}");
        }
    }

    /// <summary>The appliers log and lock by URN; restore has no stack, so the URN only names the object.</summary>
    private static string Urn(string type, string id) => $"urn:pulumi:boot::restore::{type}::{id}";
}

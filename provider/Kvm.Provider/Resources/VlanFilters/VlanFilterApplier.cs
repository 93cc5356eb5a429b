using Grpc.Core;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.VlanFilters;

/// <summary>A port's VLAN table on the host: read, replaced by delta (the old table put back if the kernel refuses), reset on delete.</summary>
internal sealed class VlanFilterApplier(ProviderHost host) : Applier<VlanFilterArgs, VlanFilterState>(host)
{
    public override async Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<VlanFilterArgs> ctx)
    {
        var a = ctx.News.Value;
        var failures = new List<CheckFailure>();
        if (a.Bridge is not { } bridge || a.Port is not { } port) return failures;

        // The bridge of the same program tells first; the host tells when the program does not manage the bridge.
        var declared = ctx.Declared.Find<BridgeArgs>(BridgeResource.TypeToken, bridge);
        if (declared is not null && declared.VlanFiltering != true)
            failures.Add(new("bridge", $"bridge {bridge} is declared in this program {(declared.VlanFiltering == false ? "with vlanFiltering: false" : "without vlanFiltering")}; a VLAN table needs vlanFiltering: true on it"));
        if (port == bridge || declared?.Ports?.Contains(port) == true) return failures;

        Link? bridgeLink, portLink;
        try
        {
            bridgeLink = await Host.Links.GetByNameAsync(bridge, ctx.Cancellation).ConfigureAwait(false);
            portLink = await Host.Links.GetByNameAsync(port, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            return failures; // the host cannot be read now; apply will say what is wrong
        }
        if (bridgeLink is null && declared is null)
            failures.Add(new("bridge", $"no bridge named {bridge} exists in {Host.NamespaceDescription}, and this program declares none"));
        else if (portLink is null)
            failures.Add(new("port", $"no interface named {port} exists in {Host.NamespaceDescription}"));
        else if (bridgeLink is null || portLink.MasterIndex != bridgeLink.Index)
            failures.Add(new("port", $"{port} is not a port of bridge {bridge}; enslave it first (list it in the Bridge's ports)"));
        else if (bridgeLink.Bridge?.VlanFiltering != true && declared is null)
            failures.Add(new("bridge", $"bridge {bridge} does not filter VLANs (vlan_filtering is off on the host); turn vlanFiltering on"));
        return failures;
    }

    public override Task<Outcome<VlanFilterState>> CreateAsync(CreateContext<VlanFilterArgs> ctx) => ApplyAsync(ctx.Args, ctx.Urn, ctx.Cancellation);

    /// <summary>A table change that apply confirms and puts back (the bridge carries the default route or the session's address): the preview says so.</summary>
    public override async Task<IReadOnlyList<Announcement>> PreviewNotesAsync(VlanFilterArgs news, VlanFilterState? old, CancellationToken ct)
    {
        if (news.Bridge is not { } bridge || news.Port is not { } port) return [];
        try
        {
            if (await Host.Links.GetByNameAsync(bridge, ct).ConfigureAwait(false) is not { IsBridge: true } bridgeLink) return [];
            var portLink = port == bridge ? bridgeLink : await Host.Links.GetByNameAsync(port, ct).ConfigureAwait(false);
            if (portLink is null || (port != bridge && portLink.MasterIndex != bridgeLink.Index)) return [];
            var current = (await Host.Vlans.GetTableAsync(portLink.Index, ct).ConfigureAwait(false))?.Entries ?? [];
            if (VlanTable.Diff(current, VlanPlan.Desired(news)).IsEmpty) return [];
            // The same links apply looks at (ApplyAsync): the bridge the table's frames reach the host through.
            if (await LinkCheckpoint.TakeIfNeededAsync(new LinkReads(Host.Links), [bridgeLink], createdBridge: null, Host.ManagementAddress, ct).ConfigureAwait(false) is not { } checkpoint) return [];
            return [Announcement.Warning(Host.Reachability is { } reachability
                ? $"kvm:checkpoint {bridge}/{port}: {checkpoint.Why}; the change is kept once {reachability.Description} confirms the host is reachable, else the host puts the old table back by itself after {Host.ConfirmTimeout.TotalSeconds:0} s"
                : $"kvm:checkpoint {bridge}/{port}: {checkpoint.Why}; the old table is put back if the change fails half-way (set the provider's reachabilityProbe to have it confirmed too)")];
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            return [];
        }
    }

    public override Task<Outcome<VlanFilterState>> UpdateAsync(UpdateContext<VlanFilterArgs, VlanFilterState> ctx) => ApplyAsync(ctx.Args, ctx.Urn, ctx.Cancellation);

    private async Task<Outcome<VlanFilterState>> ApplyAsync(VlanFilterArgs a, string? urn, CancellationToken ct)
    {
        var id = $"{a.Bridge}/{a.Port}";
        var (bridge, port) = (a.Bridge!, a.Port!);
        using var locks = await Host.Locks.AcquireAllAsync([$"link/{bridge}", $"link/{port}"], ct).ConfigureAwait(false);
        var (bridgeLink, portLink, target) = await FindAsync(bridge, port, requireFiltering: true, ct).ConfigureAwait(false);
        var vlans = Host.Vlans;
        var current = (await vlans.GetTableAsync(portLink.Index, ct).ConfigureAwait(false))?.Entries ?? [];
        var desired = VlanPlan.Desired(a);
        // The table of a port of a bridge that carries the default route or the SSH session's address (or of
        // that bridge itself) decides whether the host's own frames get through: the change must be confirmed.
        var risk = VlanTable.Diff(current, desired).IsEmpty ? null
            : await LinkCheckpoint.TakeIfNeededAsync(new LinkReads(Host.Links), [bridgeLink], createdBridge: null, Host.ManagementAddress, ct).ConfigureAwait(false);
        var what = $"the VLAN table of {port} on {bridge}";
        await ReplaceTableAsync(vlans, portLink.Index, target, current, desired, what, urn, ct).ConfigureAwait(false);
        if (risk is not null && Host.Reachability is { } reachability)
        {
            await Host.Log.StatusAsync($"{what} changed: waiting up to {Host.ConfirmTimeout.TotalSeconds:0} s for the host to be confirmed reachable through {reachability.Description}", urn).ConfigureAwait(false);
            if (!await ConfirmedAsync(reachability, ct).ConfigureAwait(false))
            {
                try
                {
                    await PutBackAsync(vlans, portLink.Index, target, current).ConfigureAwait(false);
                }
                catch (NetlinkException restore)
                {
                    throw new ProviderException(StatusCode.Unknown,
                        $"after changing {what}, the host was not confirmed reachable through {reachability.Description}, and putting the old table back failed ({restore.Message}); check the host");
                }
                throw ProviderException.FailedPrecondition(
                    $"after changing {what}, the host was not confirmed reachable through {reachability.Description} within {Host.ConfirmTimeout.TotalSeconds:0} s; " +
                    $"the change touched the links that keep the host reachable ({risk.Why}), so the host put the old table back by itself: nothing was changed");
            }
        }
        return new Outcome<VlanFilterState>(id, await MustObserveAsync(bridge, port, a, ct).ConfigureAwait(false));
    }

    /// <summary>Whether the host was confirmed reachable; a cancelled wait counts as not (the change is then undone).</summary>
    private async Task<bool> ConfirmedAsync(IReachability reachability, CancellationToken ct)
    {
        try
        {
            return await reachability.ConfirmAsync(Host.ConfirmTimeout, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes then adds (one request each for any table). If the adds fail after the deletes went
    /// through, the old table is put back, so a refused change leaves the port as it was.
    /// </summary>
    private async Task ReplaceTableAsync(IBridgeVlanApi vlans, int index, VlanTarget target, IReadOnlyList<VlanEntry> current,
        IReadOnlyList<VlanEntry> desired, string what, string? urn, CancellationToken ct)
    {
        var delta = VlanTable.Diff(current, desired);
        if (delta.IsEmpty) return;
        await Host.Log.StatusAsync(ProgrammingStatus(what, delta.ToDelete.Count, delta.ToAdd.Count), urn).ConfigureAwait(false);
        try
        {
            if (delta.ToDelete.Count > 0) await vlans.DeleteAsync(index, target, delta.ToDelete, ct).ConfigureAwait(false);
        }
        catch (NetlinkException e)
        {
            throw HostErrors.Refused(e, $"changing {what}", Host.NamespaceDescription);
        }
        try
        {
            if (delta.ToAdd.Count > 0) await vlans.AddAsync(index, target, delta.ToAdd, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NetlinkException or OperationCanceledException)
        {
            try
            {
                await PutBackAsync(vlans, index, target, current).ConfigureAwait(false);
            }
            catch (NetlinkException restore)
            {
                throw new ProviderException(StatusCode.Unknown,
                    $"changing {what} failed ({e.Message}) and putting the old table back failed too ({restore.Message}); run `pulumi refresh` to see the port's table", e);
            }
            throw e is NetlinkException ne ? HostErrors.Refused(ne, $"changing {what} (the old table was put back)", Host.NamespaceDescription) : e;
        }
    }

    /// <summary>What a table change is about to program (entries are VLANs or ranges, as netlink carries them).</summary>
    internal static string ProgrammingStatus(string what, int removing, int adding) =>
        $"programming {what}: {(removing > 0 ? $"removing {removing} entr{(removing == 1 ? "y" : "ies")}" : "")}" +
        $"{(removing > 0 && adding > 0 ? ", " : "")}{(adding > 0 ? $"adding {adding} entr{(adding == 1 ? "y" : "ies")}" : "")}";

    /// <summary>Gives the port back the table it had before a change, whatever the change left (uncancellable: it undoes).</summary>
    private static async Task PutBackAsync(IBridgeVlanApi vlans, int index, VlanTarget target, IReadOnlyList<VlanEntry> before)
    {
        var now = (await vlans.GetTableAsync(index, CancellationToken.None).ConfigureAwait(false))?.Entries ?? [];
        await vlans.ApplyAsync(index, target, VlanTable.Diff(now, before), CancellationToken.None).ConfigureAwait(false);
    }

    public override async Task<Observed<VlanFilterArgs, VlanFilterState>?> ReadAsync(ReadContext<VlanFilterArgs, VlanFilterState> ctx)
    {
        var (bridge, port) = ParseId(ctx.Id);
        var state = await ObserveAsync(bridge, port, ctx.OldInputs, ctx.Cancellation).ConfigureAwait(false);
        if (state is null) return null;
        return new Observed<VlanFilterArgs, VlanFilterState>(ctx.Id, state,
            VlanPlan.InputsOf(bridge, port, VlanPlan.FromArgs(state.Table), ctx.OldInputs));
    }

    public override async Task DeleteAsync(DeleteContext<VlanFilterArgs, VlanFilterState> ctx)
    {
        var (bridge, port) = ParseId(ctx.Id);
        using var locks = await Host.Locks.AcquireAllAsync([$"link/{bridge}", $"link/{port}"], ctx.Cancellation).ConfigureAwait(false);
        var bridgeLink = await Host.Links.GetByNameAsync(bridge, ctx.Cancellation).ConfigureAwait(false) is { IsBridge: true } b ? b : null;
        var portLink = port == bridge ? bridgeLink : await Host.Links.GetByNameAsync(port, ctx.Cancellation).ConfigureAwait(false);
        if (bridgeLink is null || portLink is null || (port != bridge && portLink.MasterIndex != bridgeLink.Index))
        {
            await Host.Log.WarnAsync($"{port} is no longer a port of bridge {bridge}; there is no VLAN table to reset", ctx.Urn).ConfigureAwait(false);
            return;
        }
        // Back to what a port gets when it joins: the bridge's default PVID, untagged.
        var pvid = bridgeLink.Bridge?.VlanDefaultPvid ?? 1;
        IReadOnlyList<VlanEntry> fallback = pvid == 0 ? [] : [new VlanEntry(pvid, pvid, Pvid: true, Untagged: true)];
        var vlans = Host.Vlans;
        var current = (await vlans.GetTableAsync(portLink.Index, ctx.Cancellation).ConfigureAwait(false))?.Entries ?? [];
        await ReplaceTableAsync(vlans, portLink.Index, port == bridge ? VlanTarget.BridgeSelf : VlanTarget.BridgePort, current, fallback,
            $"the VLAN table of {port} on {bridge}", ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
    }

    private async Task<(Link Bridge, Link Port, VlanTarget Target)> FindAsync(string bridge, string port, bool requireFiltering, CancellationToken ct)
    {
        var bridgeLink = await Host.Links.GetByNameAsync(bridge, ct).ConfigureAwait(false)
            ?? throw ProviderException.FailedPrecondition($"no bridge named {bridge} exists in {Host.NamespaceDescription}; nothing was changed");
        if (!bridgeLink.IsBridge)
            throw ProviderException.FailedPrecondition($"{bridge} is a {bridgeLink.Kind ?? "physical"} link, not a bridge; nothing was changed");
        if (requireFiltering && bridgeLink.Bridge?.VlanFiltering != true)
            throw ProviderException.FailedPrecondition($"bridge {bridge} does not filter VLANs (vlan_filtering 0); set vlanFiltering: true on it first. Nothing was changed");
        if (port == bridge) return (bridgeLink, bridgeLink, VlanTarget.BridgeSelf);
        var portLink = await Host.Links.GetByNameAsync(port, ct).ConfigureAwait(false)
            ?? throw ProviderException.FailedPrecondition($"no interface named {port} exists in {Host.NamespaceDescription}; nothing was changed");
        if (portLink.MasterIndex != bridgeLink.Index)
            throw ProviderException.FailedPrecondition($"{port} is not a port of bridge {bridge}; nothing was changed");
        return (bridgeLink, portLink, VlanTarget.BridgePort);
    }

    private async Task<VlanFilterState> MustObserveAsync(string bridge, string port, VlanFilterArgs form, CancellationToken ct) =>
        await ObserveAsync(bridge, port, form, ct).ConfigureAwait(false)
        ?? throw new ProviderException(StatusCode.Unknown, $"{port} left bridge {bridge} right after its VLAN table was changed");

    /// <summary>The table as the kernel reports it now, or null when the port is no longer in the bridge.</summary>
    private async Task<VlanFilterState?> ObserveAsync(string bridge, string port, VlanFilterArgs? form, CancellationToken ct)
    {
        var bridgeLink = await Host.Links.GetByNameAsync(bridge, ct).ConfigureAwait(false) is { IsBridge: true } b ? b : null;
        var portLink = port == bridge ? bridgeLink : await Host.Links.GetByNameAsync(port, ct).ConfigureAwait(false);
        if (bridgeLink is null || portLink is null || (port != bridge && portLink.MasterIndex != bridgeLink.Index)) return null;
        var table = (await Host.Vlans.GetTableAsync(portLink.Index, ct).ConfigureAwait(false))?.Entries ?? [];
        var inputs = VlanPlan.InputsOf(bridge, port, table, form);
        return VlanFilterPlanner.Echo(inputs) with { Table = VlanPlan.ToArgs(table), Ifindex = portLink.Index };
    }


    private static (string Bridge, string Port) ParseId(string id)
    {
        var parts = id.Split('/');
        if (parts.Length != 2 || !LinkName.IsValid(parts[0]) || !LinkName.IsValid(parts[1]))
            throw ProviderException.InvalidArgument($"\"{(id.Length > 40 ? id[..40] + "..." : id)}\" is not a VlanFilter id: write bridge/port, e.g. br0/eth1 (or br0/br0 for the bridge's own entries)");
        return (parts[0], parts[1]);
    }
}

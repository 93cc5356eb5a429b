using System.Collections.Immutable;
using Grpc.Core;
using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.VlanFilters;

/// <summary>
/// `kvm:index:VlanFilter`: the whole VLAN table of one bridge port (or of the bridge itself), with
/// exact `bridge vlan` semantics. The id is `bridge/port`.
/// </summary>
public sealed class VlanFilterResource(ProviderHost host) : LegacyResource<VlanFilterArgs, VlanFilterState>(host)
{
    public const string TypeToken = "kvm:index:VlanFilter";

    public override string Token => TypeToken;

    public override string Description => """
        The whole VLAN table of one port of a VLAN-filtering bridge, or of the bridge itself (`port` = the bridge's name: what the host sees on the bridge), with exact `bridge vlan` semantics: vids and ranges, one PVID, untagged egress. Give it as `vlans` (entry by entry), `access` (one VLAN, PVID and untagged) or `trunk` (tagged vids or ranges plus a native VLAN).

        The resource owns the table: entries the kernel holds that are not declared (such as VLAN 1, which a port gets when it joins a bridge) are removed; to keep one, declare it. Updates send only the difference, in as few netlink requests as the kernel allows. Deleting the resource returns the port to the bridge's default PVID, so its untagged traffic is not silently cut.

        Import: `pulumi import kvm:index:VlanFilter br0-eth1 br0/eth1` (id: bridge/port).
        """;

    protected override string? HostNameOf(VlanFilterArgs args) => args.Bridge is { } b && args.Port is { } p ? $"{b}/{p}" : null;

    protected override async Task<IEnumerable<CheckFailure>> ValidateAsync(CheckContext<VlanFilterArgs> ctx)
    {
        var a = ctx.News.Value;
        var failures = VlanPlan.Validate(a, ctx.News.IsUnknown);
        if (a.Bridge is { } b && !LinkName.IsValid(b)) failures.Add(new("bridge", $"\"{b}\" is not a valid interface name"));
        if (a.Port is { } p && !LinkName.IsValid(p)) failures.Add(new("port", $"\"{p}\" is not a valid interface name"));
        if (failures.Count > 0 || a.Bridge is not { } bridge || a.Port is not { } port) return failures;

        // The bridge of the same program tells first; the host tells when the program does not manage the bridge.
        var declared = Host.Declared.Find<BridgeArgs>(BridgeResource.TypeToken, bridge);
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

    protected override DiffResult Diff(DiffContext<VlanFilterArgs, VlanFilterState> ctx)
    {
        // bridge and port replace (from the default diff); the table is compared entry by entry with what the kernel reports.
        var keep = ctx.Default.Detailed.Where(d => d.Key is "bridge" or "port");
        var table = VlanPlan.Diff(ctx.News.Value, VlanPlan.FromArgs(ctx.OldState.Table));
        var all = keep.Concat(table.Where(t => !ctx.News.IsUnknown(PropertyPath.TopLevel(t.Key))))
            .Concat(new[] { "vlans", "access", "trunk" }.Where(ctx.News.IsUnknown).Select(k => new KeyValuePair<string, DiffKind>(k, DiffKind.Update)))
            .Concat(new[] { "vlans", "access", "trunk" }
                .Where(k => ctx.News.Value is var n && Form(n) != k && Form(ctx.OldInputs) == k)
                .Select(k => new KeyValuePair<string, DiffKind>(k, DiffKind.Delete)));
        return ctx.Default with
        {
            Detailed = all.GroupBy(kv => kv.Key).ToImmutableSortedDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
        };
    }

    private static string? Form(VlanFilterArgs a) => a.Vlans is not null ? "vlans" : a.Access is not null ? "access" : a.Trunk is not null ? "trunk" : null;

    protected override Task<Outcome<VlanFilterState>> CreateAsync(LegacyCreateContext<VlanFilterArgs> ctx) =>
        ApplyAsync(ctx.Args, ctx.Inputs, ctx.Preview, oldState: null, ctx.Cancellation);

    protected override Task<Outcome<VlanFilterState>> UpdateAsync(LegacyUpdateContext<VlanFilterArgs, VlanFilterState> ctx) =>
        ApplyAsync(ctx.Args, ctx.News, ctx.Preview, ctx.OldState, ctx.Cancellation);

    private async Task<Outcome<VlanFilterState>> ApplyAsync(VlanFilterArgs a, Bound<VlanFilterArgs> bound, bool preview, VlanFilterState? oldState, CancellationToken ct)
    {
        var id = $"{a.Bridge}/{a.Port}";
        if (preview)
        {
            var tableKnown = !new[] { "vlans", "access", "trunk" }.Any(k => bound.UnknownPaths.Any(u => u == k || u.StartsWith(k + ".", StringComparison.Ordinal) || u.StartsWith(k + "[", StringComparison.Ordinal)));
            var planned = Echo(a) with { Table = tableKnown ? VlanPlan.ToArgs(VlanPlan.Desired(a)) : null, Ifindex = oldState?.Ifindex };
            return new Outcome<VlanFilterState>(id, planned)
            {
                UnknownOutputs = [.. new[] { tableKnown ? null : "table", oldState is null ? "ifindex" : null }.OfType<string>()],
            };
        }

        var (bridge, port) = (a.Bridge!, a.Port!);
        using var locks = await Host.Locks.AcquireAllAsync([$"link/{bridge}", $"link/{port}"], ct).ConfigureAwait(false);
        var (_, portLink, target) = await FindAsync(bridge, port, requireFiltering: true, ct).ConfigureAwait(false);
        var vlans = Host.Vlans;
        var current = (await vlans.GetTableAsync(portLink.Index, ct).ConfigureAwait(false))?.Entries ?? [];
        var desired = VlanPlan.Desired(a);
        await ReplaceTableAsync(vlans, portLink.Index, target, current, desired, $"the VLAN table of {port} on {bridge}", ct).ConfigureAwait(false);
        return new Outcome<VlanFilterState>(id, await MustObserveAsync(bridge, port, a, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Deletes then adds (one request each for any table). If the adds fail after the deletes went
    /// through, the old table is put back, so a refused change leaves the port as it was.
    /// </summary>
    private async Task ReplaceTableAsync(IBridgeVlanApi vlans, int index, VlanTarget target, IReadOnlyList<VlanEntry> current,
        IReadOnlyList<VlanEntry> desired, string what, CancellationToken ct)
    {
        var delta = VlanTable.Diff(current, desired);
        if (delta.IsEmpty) return;
        try
        {
            if (delta.ToDelete.Count > 0) await vlans.DeleteAsync(index, target, delta.ToDelete, ct).ConfigureAwait(false);
        }
        catch (NetlinkException e)
        {
            throw Refused(e, $"changing {what}");
        }
        try
        {
            if (delta.ToAdd.Count > 0) await vlans.AddAsync(index, target, delta.ToAdd, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NetlinkException or OperationCanceledException)
        {
            try
            {
                var now = (await vlans.GetTableAsync(index, CancellationToken.None).ConfigureAwait(false))?.Entries ?? [];
                await vlans.ApplyAsync(index, target, VlanTable.Diff(now, current), CancellationToken.None).ConfigureAwait(false);
            }
            catch (NetlinkException restore)
            {
                throw new ProviderException(StatusCode.Unknown,
                    $"changing {what} failed ({e.Message}) and putting the old table back failed too ({restore.Message}); run `pulumi refresh` to see the port's table", e);
            }
            throw e is NetlinkException ne ? Refused(ne, $"changing {what} (the old table was put back)") : e;
        }
    }

    protected override async Task<Observed<VlanFilterArgs, VlanFilterState>?> ReadAsync(ReadContext<VlanFilterArgs, VlanFilterState> ctx)
    {
        var (bridge, port) = ParseId(ctx.Id);
        var state = await ObserveAsync(bridge, port, ctx.OldInputs, ctx.Cancellation).ConfigureAwait(false);
        if (state is null) return null;
        return new Observed<VlanFilterArgs, VlanFilterState>(ctx.Id, state,
            VlanPlan.InputsOf(bridge, port, VlanPlan.FromArgs(state.Table), ctx.OldInputs));
    }

    protected override async Task DeleteAsync(DeleteContext<VlanFilterArgs, VlanFilterState> ctx)
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
            $"the VLAN table of {port} on {bridge}", ctx.Cancellation).ConfigureAwait(false);
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
        return Echo(inputs) with { Table = VlanPlan.ToArgs(table), Ifindex = portLink.Index };
    }

    private static VlanFilterState Echo(VlanFilterArgs a) => new()
    {
        Bridge = a.Bridge, Port = a.Port, Vlans = a.Vlans, Access = a.Access, Trunk = a.Trunk,
    };

    private static (string Bridge, string Port) ParseId(string id)
    {
        var parts = id.Split('/');
        if (parts.Length != 2 || !LinkName.IsValid(parts[0]) || !LinkName.IsValid(parts[1]))
            throw ProviderException.InvalidArgument($"\"{(id.Length > 40 ? id[..40] + "..." : id)}\" is not a VlanFilter id: write bridge/port, e.g. br0/eth1 (or br0/br0 for the bridge's own entries)");
        return (parts[0], parts[1]);
    }

    private ProviderException Refused(NetlinkException e, string what) => e.Errno switch
    {
        Errno.EOPNOTSUPP => ProviderException.FailedPrecondition($"{what}: the kernel of {Host.NamespaceDescription} has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): {e.Message}"),
        Errno.EINVAL or Errno.ERANGE => ProviderException.InvalidArgument($"{what}: the kernel refused the table: {e.Message}"),
        Errno.ENODEV => ProviderException.FailedPrecondition($"{what}: the port vanished: {e.Message}"),
        Errno.EPERM => ProviderException.FailedPrecondition($"{what}: permission denied (the provider needs CAP_NET_ADMIN): {e.Message}"),
        _ => new ProviderException(StatusCode.Unknown, $"{what}: {e.Message}", e),
    };
}

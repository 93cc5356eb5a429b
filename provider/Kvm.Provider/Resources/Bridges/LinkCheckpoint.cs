using System.Net;
using Kvm.Netlink;
using Kvm.Provider.Host;
using Route = Kvm.Netlink.Route;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>One link as a checkpoint keeps it: where it is enslaved, whether it is up, its settings, its addresses and routes.</summary>
internal sealed record LinkSnapshot(Link Link, IReadOnlyList<LinkAddress> Addresses, IReadOnlyList<Route> Routes);

/// <summary>
/// The safety net under a bridge change that touches the links carrying the host's default route or
/// the address its management (SSH) session comes in on: what those links were before, taken just
/// before the change, put back by the host itself when the change fails half-way or the host is not
/// confirmed reachable afterwards (<see cref="IReachability"/>). nmstate's checkpoint, for one bridge.
/// </summary>
internal sealed class LinkCheckpoint
{
    private readonly IReadOnlyList<LinkSnapshot> _links;
    private readonly string? _createdBridge;
    private readonly Func<Task<IReadOnlyList<string>>>? _undoSwitchFirst;

    private LinkCheckpoint(IReadOnlyList<LinkSnapshot> links, string? createdBridge, string why, Func<Task<IReadOnlyList<string>>>? undoSwitchFirst = null)
    {
        _links = links;
        _createdBridge = createdBridge;
        _undoSwitchFirst = undoSwitchFirst;
        Why = why;
    }

    /// <summary>
    /// The same checkpoint, whose restore first runs <paramref name="undo"/>: a switch the kernel does not own (Open
    /// vSwitch, whose ports are set in its database) is put back before the links, so that ports leave or rejoin it
    /// there rather than being pulled from under it. The undo returns what it could not put back.
    /// </summary>
    public LinkCheckpoint UndoingSwitchFirst(Func<Task<IReadOnlyList<string>>> undo) => new(_links, _createdBridge, Why, undo);

    /// <summary>"eth0 carries the default route": why the change is checkpointed.</summary>
    public string Why { get; }

    /// <summary>
    /// A checkpoint of <paramref name="involved"/> when one of them carries the default route or holds
    /// <paramref name="managementAddress"/>; null when the change cannot cut the host off that way.
    /// </summary>
    /// <param name="createdBridge">The bridge this change creates (rolled back by deleting it), or null for an update.</param>
    public static async Task<LinkCheckpoint?> TakeIfNeededAsync(LinkReads reads, IReadOnlyCollection<Link> involved, string? createdBridge,
        IPAddress? managementAddress, CancellationToken ct)
    {
        var reasons = new List<string>();
        var snapshots = new List<LinkSnapshot>();
        foreach (var link in involved.DistinctBy(l => l.Index))
        {
            var addresses = await reads.AddressesAsync(link.Index, ct).ConfigureAwait(false);
            var routes = await reads.RoutesAsync(link.Index, ct).ConfigureAwait(false);
            if (routes.Any(r => r.IsDefaultRouteVia(link.Index))) reasons.Add($"{link.Name} carries the default route");
            if (managementAddress is not null && addresses.Any(a => a.Address.Equals(managementAddress)))
                reasons.Add($"{link.Name} holds {managementAddress}, the address the provider's SSH session comes in on");
            snapshots.Add(new LinkSnapshot(link,
                [.. addresses.Where(BridgeAddressing.IsManaged)],
                [.. routes.Where(r => BridgeAddressing.IsManaged(r, link.Index))]));
        }
        return reasons.Count == 0 ? null : new LinkCheckpoint(snapshots, createdBridge, string.Join("; ", reasons));
    }

    /// <summary>
    /// The links that carry a default route now. A bridge that declares a gateway swaps the default route
    /// onto itself, taking it from them: they are part of the change even when they are not its ports.
    /// </summary>
    public static async Task<IReadOnlyList<Link>> DefaultRouteHoldersAsync(LinkReads reads, CancellationToken ct)
    {
        var holders = new List<Link>();
        foreach (var link in await reads.Links.ListAsync(ct).ConfigureAwait(false))
        {
            if ((await reads.RoutesAsync(link.Index, ct).ConfigureAwait(false)).Any(r => r.IsDefaultRouteVia(link.Index))) holders.Add(link);
        }
        return holders;
    }

    /// <summary>
    /// Puts the links back as they were: ports back on (or off) their masters first, so the uplink carries
    /// traffic again, then addresses, then routes, then what the change added; a bridge the change created
    /// is deleted. Every step is tried; what could not be undone is returned, for the error message.
    /// </summary>
    public async Task<IReadOnlyList<string>> RestoreAsync(ILinkApi links, LinkDeletions deletions)
    {
        var failed = new List<string>();
        if (_undoSwitchFirst is not null) failed.AddRange(await _undoSwitchFirst().ConfigureAwait(false));
        async Task Try(string what, Func<Task> step)
        {
            try { await step().ConfigureAwait(false); }
            catch (NetlinkException e) { failed.Add($"{what}: {e.Message}"); }
        }

        var created = _createdBridge is null ? null : await links.GetByNameAsync(_createdBridge, CancellationToken.None).ConfigureAwait(false);
        foreach (var s in _links)
        {
            var now = await links.GetByIndexAsync(s.Link.Index, CancellationToken.None).ConfigureAwait(false);
            if (now is null) continue;
            var wasOn = s.Link.MasterIndex is > 0 ? s.Link.MasterIndex : null;
            var isOn = now.MasterIndex is > 0 ? now.MasterIndex : null;
            if (wasOn != isOn)
            {
                await Try($"putting {s.Link.Name} back", () => wasOn is { } master
                    ? links.SetMasterAsync(s.Link.Index, master, CancellationToken.None)
                    : links.ReleaseFromMasterAsync(s.Link.Index, CancellationToken.None)).ConfigureAwait(false);
            }
            var change = new LinkChange
            {
                AdminState = now.IsUp != s.Link.IsUp ? (s.Link.IsUp ? AdminState.Up : AdminState.Down) : null,
                Mtu = now.Mtu != s.Link.Mtu ? s.Link.Mtu : null,
                Bridge = s.Link.Bridge is { } was && now.Bridge is { } cur ? BridgeSettingsBack(was, cur) : null,
            };
            if (!change.IsEmpty) await Try($"resetting {s.Link.Name}", () => links.SetAsync(s.Link.Index, change, CancellationToken.None)).ConfigureAwait(false);
        }
        foreach (var s in _links)
        {
            var held = (await links.ListAddressesAsync(s.Link.Index, CancellationToken.None).ConfigureAwait(false)).Where(BridgeAddressing.IsManaged).ToList();
            foreach (var a in s.Addresses.Where(a => !held.Any(h => Same(h, a))))
                await Try($"giving {a} back to {s.Link.Name}", () => links.AddAddressAsync(s.Link.Index, a.Address, a.PrefixLength, CancellationToken.None)).ConfigureAwait(false);
            var routes = (await links.ListRoutesAsync(s.Link.Index, CancellationToken.None).ConfigureAwait(false)).Where(r => BridgeAddressing.IsManaged(r, s.Link.Index)).ToList();
            // A default route goes back in one request that replaces the one the change put elsewhere.
            foreach (var r in s.Routes.Where(r => !routes.Any(h => BridgeAddressing.SameRoute(h, r))))
                await Try($"giving {r} back to {s.Link.Name}", () => links.AddRouteAsync(r with { Protocol = RouteProtocol.Static }, replace: r.IsDefault, CancellationToken.None)).ConfigureAwait(false);
        }
        foreach (var s in _links)
        {
            foreach (var r in (await links.ListRoutesAsync(s.Link.Index, CancellationToken.None).ConfigureAwait(false))
                .Where(r => BridgeAddressing.IsManaged(r, s.Link.Index) && !s.Routes.Any(w => BridgeAddressing.SameRoute(r, w))))
                await Try($"removing {r} from {s.Link.Name}", async () => await links.DeleteRouteAsync(r, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
            foreach (var a in (await links.ListAddressesAsync(s.Link.Index, CancellationToken.None).ConfigureAwait(false))
                .Where(a => BridgeAddressing.IsManaged(a) && !s.Addresses.Any(w => Same(a, w))))
                await Try($"removing {a} from {s.Link.Name}", async () => await links.DeleteAddressAsync(s.Link.Index, a.Address, a.PrefixLength, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
        }
        if (created is not null)
        {
            foreach (var port in await links.ListPortsAsync(created.Index, CancellationToken.None).ConfigureAwait(false))
                await Try($"releasing {port.Name}", () => links.ReleaseFromMasterAsync(port.Index, CancellationToken.None)).ConfigureAwait(false);
            await Try($"deleting {created.Name}", async () => await deletions.DeleteAsync(created.Index, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
        }
        return failed;
    }

    /// <summary>The bridge settings that can keep traffic from flowing (STP and its delay, VLAN filtering), where the change moved them.</summary>
    private static BridgeOptions? BridgeSettingsBack(BridgeOptions was, BridgeOptions now)
    {
        var options = new BridgeOptions
        {
            StpState = was.StpState != now.StpState ? was.StpState : null,
            ForwardDelayCentiseconds = was.ForwardDelayCentiseconds != now.ForwardDelayCentiseconds ? was.ForwardDelayCentiseconds : null,
            VlanFiltering = was.VlanFiltering != now.VlanFiltering ? was.VlanFiltering : null,
            VlanDefaultPvid = was.VlanDefaultPvid != now.VlanDefaultPvid ? was.VlanDefaultPvid : null,
        };
        return options.StpState is null && options.ForwardDelayCentiseconds is null && options.VlanFiltering is null && options.VlanDefaultPvid is null ? null : options;
    }

    private static bool Same(LinkAddress a, LinkAddress b) => a.Address.Equals(b.Address) && a.PrefixLength == b.PrefixLength;
}

using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Resources.Bridges;

namespace Kvm.Provider.Resources.OvsBridges;

/// <summary>The host's side of an Open vSwitch bridge as the kernel reports it: its internal port's admin state, addresses and routes.</summary>
internal sealed record OvsHostSide(bool Up, Layer3 Layer3);

/// <summary>
/// The bridge's internal port as a link of the kernel (ovs-vswitchd makes it, named like the bridge, down): what
/// Open vSwitch's database does not hold, so the provider sets it by netlink, with a Linux Bridge's rules
/// (<see cref="BridgeAddressing"/>) and uplink take-over (<see cref="UplinkTakeover"/>).
/// </summary>
internal sealed class OvsInternalPort(ProviderHost host)
{
    /// <summary>The admin state <paramref name="a"/> asks for: as declared; up when it declares layer 3; null when not managed.</summary>
    public static bool? WantedUp(IHostAddressing a) => a.Up ?? (a.DeclaresLayer3 ? true : null);

    /// <summary>Whether <paramref name="a"/> declares anything of the link (so a read looks at it).</summary>
    public static bool Declares(IHostAddressing a) => a.DeclaresLayer3 || a.Up is not null;

    /// <summary>Whether a change from <paramref name="before"/> to <paramref name="a"/> has anything to do on the link.</summary>
    public static bool Manages(IHostAddressing a, IHostAddressing? before) => WantedUp(a) is not null || before?.DeclaresLayer3 == true;

    /// <summary>The internal port now, or null when ovs-vswitchd has not made it (not running, or the bridge is new).</summary>
    public Task<Link?> FindAsync(string bridge, CancellationToken ct) => host.Links.GetByNameAsync(bridge, ct);

    /// <summary>What the link holds, in the inputs' terms; null without the link.</summary>
    public async Task<OvsHostSide?> ObserveAsync(string bridge, CancellationToken ct)
    {
        if (await FindAsync(bridge, ct).ConfigureAwait(false) is not { } link) return null;
        var layer3 = BridgeAddressing.Observe(
            await host.Links.ListAddressesAsync(link.Index, ct).ConfigureAwait(false),
            await host.Links.ListRoutesAsync(link.Index, ct).ConfigureAwait(false), link.Index);
        return new OvsHostSide(link.IsUp, layer3);
    }

    /// <summary>
    /// The internal port of <paramref name="bridge"/>, once ovs-vswitchd has made it. A change waits for ovs-vswitchd
    /// already (cur_cfg), so the link is normally there at the first look; at boot, <c>restore</c> may run while
    /// ovs-vswitchd is still adding it, hence the short, bounded wait.
    /// </summary>
    public async Task<Link> AwaitAsync(string bridge, TimeSpan patience, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (await FindAsync(bridge, ct).ConfigureAwait(false) is { } link) return link;
            if (DateTime.UtcNow >= deadline)
                throw new InternalPortMissingException(
                    $"the internal port {bridge} (the host's interface on the Open vSwitch bridge) does not exist in {host.NamespaceDescription} after {patience.TotalSeconds:0} s: ovs-vswitchd has not made it (is it running, in this network namespace?)");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Brings <paramref name="link"/> to what <paramref name="a"/> declares: up first (the kernel refuses routes through a
    /// link that is down), then addresses and routes in <see cref="BridgeAddressing.Changes"/>'s order, then the joining
    /// ports let go of what they handed over, then down when declared so.
    /// </summary>
    /// <param name="before">What the program declared before: a part it no longer declares is emptied.</param>
    /// <param name="applied">Counts each request the kernel took, for a partial failure's report.</param>
    public async Task ApplyAsync(Link link, IHostAddressing a, IHostAddressing? before, IReadOnlyList<UplinkMove> moves, Action applied, CancellationToken ct)
    {
        var up = WantedUp(a);
        if (up == true && !link.IsUp)
        {
            await host.Links.SetAdminStateAsync(link.Index, AdminState.Up, ct).ConfigureAwait(false);
            applied();
        }
        if (a.DeclaresLayer3 || before?.DeclaresLayer3 == true)
        {
            var changes = BridgeAddressing.Changes(a, before,
                await host.Links.ListAddressesAsync(link.Index, ct).ConfigureAwait(false),
                await host.Links.ListRoutesAsync(link.Index, ct).ConfigureAwait(false), link.Index);
            await changes.ApplyAsync(host.Links, link.Index, applied, ct).ConfigureAwait(false);
        }
        foreach (var move in moves)
            await UplinkTakeover.FinishAsync(host.Links, move, applied, ct).ConfigureAwait(false);
        if (up == false && link.IsUp)
        {
            await host.Links.SetAdminStateAsync(link.Index, AdminState.Down, ct).ConfigureAwait(false);
            applied();
        }
    }
}

/// <summary>The bridge's internal port never appeared: ovs-vswitchd did not apply the bridge.</summary>
internal sealed class InternalPortMissingException(string message) : Exception(message);

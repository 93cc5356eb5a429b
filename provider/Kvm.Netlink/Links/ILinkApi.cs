namespace Kvm.Netlink;

/// <summary>
/// Links (network devices) of one network namespace, over rtnetlink. Every method is one
/// request unless it says otherwise; kernel refusals throw <see cref="NetlinkException"/>.
/// </summary>
public interface ILinkApi
{
    /// <summary>Every link, from one RTM_GETLINK dump.</summary>
    Task<IReadOnlyList<Link>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The links enslaved to a master (a bridge's ports), from one dump the kernel filters by IFLA_MASTER.</summary>
    Task<IReadOnlyList<Link>> ListPortsAsync(int masterIndex, CancellationToken cancellationToken = default);

    /// <summary>The link with this name, or null when the kernel answers ENODEV.</summary>
    Task<Link?> GetByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The link with this ifindex, or null when the kernel answers ENODEV.</summary>
    Task<Link?> GetByIndexAsync(int index, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a bridge with its settings in one RTM_NEWLINK (EEXIST when the name is taken;
    /// nothing is left behind when an option is refused), then reads it back: two requests.
    /// An <see cref="NewBridge.Mtu"/> costs a third, sent right after the create, because the
    /// kernel keeps an MTU only when it is set on an existing bridge (one given at creation is
    /// replaced by the ports' minimum when the first port joins).
    /// </summary>
    Task<Link> CreateBridgeAsync(NewBridge bridge, CancellationToken cancellationToken = default);

    /// <summary>Applies a change set in one request; an empty change set sends nothing.</summary>
    Task SetAsync(int index, LinkChange change, CancellationToken cancellationToken = default);

    /// <summary>Enslaves the link to a master (a bridge).</summary>
    Task SetMasterAsync(int index, int masterIndex, CancellationToken cancellationToken = default);

    /// <summary>Releases the link from its master; a link without one stays as it is.</summary>
    Task ReleaseFromMasterAsync(int index, CancellationToken cancellationToken = default);

    Task SetAdminStateAsync(int index, AdminState state, CancellationToken cancellationToken = default);

    /// <summary>Deletes the link; ENODEV is reported as <see cref="DeleteOutcome.AlreadyGone"/>, not thrown.</summary>
    Task<DeleteOutcome> DeleteAsync(int index, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes several links under one unregistration: the kernel's wait for in-flight readers
    /// (an RCU grace period, tens of milliseconds on a busy host) is paid once for the batch
    /// instead of once per link. The links are moved into a fresh device group and the group is
    /// deleted (RTM_DELLINK with IFLA_GROUP); if that fails they get their groups back.
    /// Links already gone are <see cref="DeleteOutcome.AlreadyGone"/>.
    /// </summary>
    Task<IReadOnlyList<DeleteOutcome>> DeleteManyAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken = default);

    /// <summary>The IPv4 and IPv6 addresses on the link (IPv6 link-local ones included), from one dump. ENODEV throws.</summary>
    Task<IReadOnlyList<LinkAddress>> ListAddressesAsync(int index, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether an IPv4 or IPv6 default route of the main table leaves through the link (also as
    /// one next hop of a multipath route), from one dump. ENODEV throws. Routes that point at
    /// nexthop objects (RTA_NH_ID) name no device and are not counted.
    /// </summary>
    Task<bool> CarriesDefaultRouteAsync(int index, CancellationToken cancellationToken = default);

    /// <summary>Every IPv4 and IPv6 address of every link of the namespace, from one dump.</summary>
    Task<IReadOnlyList<LinkAddress>> ListAllAddressesAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds an address to the link (EEXIST when the link already holds it).</summary>
    Task AddAddressAsync(int index, System.Net.IPAddress address, byte prefixLength, CancellationToken cancellationToken = default);

    /// <summary>Removes an address from the link; false when the link did not hold it (EADDRNOTAVAIL).</summary>
    Task<bool> DeleteAddressAsync(int index, System.Net.IPAddress address, byte prefixLength, CancellationToken cancellationToken = default);

    /// <summary>
    /// The IPv4 and IPv6 routes of the main table that leave through the link (every protocol:
    /// callers decide which ones the kernel made), from one dump. ENODEV throws.
    /// </summary>
    Task<IReadOnlyList<Route>> ListRoutesAsync(int index, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a unicast route to the main table, proto static (EEXIST when one with the same destination
    /// and metric exists). <paramref name="replace"/> swaps such a route in one step instead.
    /// </summary>
    Task AddRouteAsync(Route route, bool replace = false, CancellationToken cancellationToken = default);

    /// <summary>Removes the route from the main table; false when there was none (ESRCH).</summary>
    Task<bool> DeleteRouteAsync(Route route, CancellationToken cancellationToken = default);
}

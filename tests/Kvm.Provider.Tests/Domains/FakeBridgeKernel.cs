using Kvm.Netlink;

namespace Kvm.Provider.Tests.Domains;

/// <summary>
/// An in-memory kernel with bridges, ports and VLAN tables, standing in for rtnetlink so the VLAN
/// programming and the hook can be tested without privileges (the live tests use the real one).
/// </summary>
internal sealed class FakeBridgeKernel : ILinkApi, IBridgeVlanApi
{
    private readonly List<Link> _links = [];
    public Dictionary<int, List<VlanEntry>> Tables { get; } = [];
    public List<string> Requests { get; } = [];

    /// <summary>Addresses by ifindex (none unless a test gives some).</summary>
    public Dictionary<int, List<LinkAddress>> Addresses { get; } = [];

    /// <summary>Main-table routes (none unless a test gives some).</summary>
    public List<Route> Routes { get; } = [];

    /// <summary>Address and route dumps asked for, one per call as rtnetlink answers them ("addr eth0", "route eth0", "addr *").</summary>
    public List<string> Dumps { get; } = [];

    /// <summary>Makes VLAN adds and deletes fail as on a kernel without CONFIG_BRIDGE_VLAN_FILTERING.</summary>
    public bool NoVlanFiltering { get; set; }

    public int AddBridge(string name, bool vlanFiltering = true, ushort defaultPvid = 1)
    {
        var index = _links.Count + 2;
        _links.Add(new Link(index, name, LinkKinds.Bridge, 1500, null, OperationalState.Up, LinkFlags.Up, null,
            new BridgeOptions { VlanFiltering = vlanFiltering, VlanDefaultPvid = defaultPvid }, null));
        return index;
    }

    /// <summary>A link that is not a bridge port (an uplink such as eth0), or a port when <paramref name="bridge"/> is given.</summary>
    public int AddLink(string name, string? kind = LinkKinds.Veth, string? bridge = null)
    {
        var master = bridge is null ? (int?)null : _links.Single(l => l.Name == bridge).Index;
        var index = _links.Count + 2;
        _links.Add(new Link(index, name, kind, 1500, null, OperationalState.Up, LinkFlags.Up, master, null, master is null ? null : "bridge"));
        return index;
    }

    /// <summary>Gives a link a configured (permanent) address, as `ip addr add` does.</summary>
    public void AddAddress(string link, string cidr)
    {
        var index = _links.Single(l => l.Name == link).Index;
        var parts = cidr.Split('/');
        var address = new LinkAddress(index, System.Net.IPAddress.Parse(parts[0]), byte.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), AddressScope.Universe, link)
        {
            Flags = AddressFlags.Permanent,
        };
        (Addresses.TryGetValue(index, out var list) ? list : Addresses[index] = []).Add(address);
    }

    /// <summary>Gives a link the default route via <paramref name="gateway"/>, as `ip route add default via` does.</summary>
    public void AddDefaultRoute(string link, string gateway) =>
        Routes.Add(new Route(System.Net.IPAddress.Any, 0, System.Net.IPAddress.Parse(gateway), _links.Single(l => l.Name == link).Index) { Protocol = RouteProtocol.Static });

    private string NameOf(int index) => _links.FirstOrDefault(l => l.Index == index)?.Name ?? $"#{index}";

    public int AddPort(string name, string bridge, params VlanEntry[] entries)
    {
        var master = _links.Single(l => l.Name == bridge).Index;
        var index = _links.Count + 2;
        _links.Add(new Link(index, name, "tun", 1500, null, OperationalState.Up, LinkFlags.Up, master, null, "bridge"));
        Tables[index] = [.. entries];
        return index;
    }

    public void SetTable(string name, params VlanEntry[] entries) => Tables[_links.Single(l => l.Name == name).Index] = [.. entries];

    public IReadOnlyList<VlanEntry> TableOf(string name) => VlanTable.Compress(Tables[_links.Single(l => l.Name == name).Index]);

    public Task<IReadOnlyList<Link>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<Link>>([.. _links]);
    public Task<Link?> GetByNameAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_links.FirstOrDefault(l => l.Name == name));
    public Task<Link?> GetByIndexAsync(int index, CancellationToken cancellationToken = default) => Task.FromResult(_links.FirstOrDefault(l => l.Index == index));
    public Task<IReadOnlyList<Link>> ListPortsAsync(int masterIndex, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Link>>([.. _links.Where(l => l.MasterIndex == masterIndex)]);

    public Task<IReadOnlyList<BridgeVlanTable>> DumpAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BridgeVlanTable>>([.. Tables.Select(t => Table(t.Key))]);

    public Task<BridgeVlanTable?> GetTableAsync(int index, CancellationToken cancellationToken = default) =>
        Task.FromResult(Tables.ContainsKey(index) ? Table(index) : null);

    private BridgeVlanTable Table(int index)
    {
        var link = _links.Single(l => l.Index == index);
        return new BridgeVlanTable(index, link.Name, link.MasterIndex ?? index, NoVlanFiltering ? [] : VlanTable.Compress(Tables[index]));
    }

    public Task ApplyAsync(int index, VlanTarget target, VlanDelta delta, CancellationToken cancellationToken = default)
    {
        if (!delta.ToDelete.Any() && !delta.ToAdd.Any()) return Task.CompletedTask;
        Requests.Add($"apply {index} -{string.Join(",", delta.ToDelete)} +{string.Join(",", delta.ToAdd)}");
        if (NoVlanFiltering) throw new NetlinkException(Errno.EOPNOTSUPP, "RTM_SETLINK");
        var now = VlanTable.Compress(Tables[index]);
        var vids = now.SelectMany(e => Enumerable.Range(e.VidStart, e.Count).Select(v => (v, e))).ToDictionary(x => x.v, x => x.e);
        foreach (var d in delta.ToDelete) for (int v = d.VidStart; v <= d.VidEnd; v++) vids.Remove(v);
        foreach (var a in delta.ToAdd) for (int v = a.VidStart; v <= a.VidEnd; v++) vids[v] = a;
        Tables[index] = [.. vids.Select(p => new VlanEntry((ushort)p.Key, (ushort)p.Key, p.Value.Pvid, p.Value.Untagged))];
        return Task.CompletedTask;
    }

    public Task AddAsync(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, CancellationToken cancellationToken = default) =>
        ApplyAsync(index, target, new VlanDelta([], entries), cancellationToken);
    public Task DeleteAsync(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, CancellationToken cancellationToken = default) =>
        ApplyAsync(index, target, new VlanDelta(entries, []), cancellationToken);
    public Task<Link> CreateBridgeAsync(NewBridge bridge, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task SetAsync(int index, LinkChange change, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task SetMasterAsync(int index, int masterIndex, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task ReleaseFromMasterAsync(int index, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task SetAdminStateAsync(int index, AdminState state, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<DeleteOutcome> DeleteAsync(int index, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    // Without addresses and routes given by the test, a VLAN table change on the fake host never needs confirming.
    public Task<IReadOnlyList<LinkAddress>> ListAddressesAsync(int index, CancellationToken cancellationToken = default)
    {
        Dumps.Add($"addr {NameOf(index)}");
        return Task.FromResult<IReadOnlyList<LinkAddress>>(Addresses.TryGetValue(index, out var list) ? [.. list] : []);
    }

    public async Task<bool> CarriesDefaultRouteAsync(int index, CancellationToken cancellationToken = default) =>
        (await ListRoutesAsync(index, cancellationToken).ConfigureAwait(false)).Any(r => r.IsDefaultRouteVia(index));

    public Task<IReadOnlyList<LinkAddress>> ListAllAddressesAsync(CancellationToken cancellationToken = default)
    {
        Dumps.Add("addr *");
        return Task.FromResult<IReadOnlyList<LinkAddress>>([.. Addresses.Values.SelectMany(a => a)]);
    }
    public Task AddAddressAsync(int index, System.Net.IPAddress address, byte prefixLength, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> DeleteAddressAsync(int index, System.Net.IPAddress address, byte prefixLength, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<Route>> ListRoutesAsync(int index, CancellationToken cancellationToken = default)
    {
        Dumps.Add($"route {NameOf(index)}");
        return Task.FromResult<IReadOnlyList<Route>>([.. Routes.Where(r => r.OutputInterfaces.Contains(index))]);
    }
    public Task AddRouteAsync(Route route, bool replace = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> DeleteRouteAsync(Route route, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<DeleteOutcome>> DeleteManyAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

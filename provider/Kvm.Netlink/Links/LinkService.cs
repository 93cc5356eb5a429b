using System.Net;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>The rtnetlink implementation of <see cref="ILinkApi"/> over a shared socket (which it does not own).</summary>
public sealed class LinkService(NetlinkSocket socket) : ILinkApi
{
    private readonly NetlinkSocket _socket = socket ?? throw new ArgumentNullException(nameof(socket));

    public Task<IReadOnlyList<Link>> ListAsync(CancellationToken cancellationToken = default) =>
        _socket.DumpAsync(LinkMessages.Dump(), LinkMessages.ParseLink, cancellationToken);

    public async Task<IReadOnlyList<DeleteOutcome>> DeleteManyAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        foreach (var index in indexes) ValidateIndex(index);
        if (indexes.Count <= 1)
            return indexes.Count == 0 ? [] : [await DeleteAsync(indexes[0], cancellationToken).ConfigureAwait(false)];

        // A group no link of the namespace is in, so the group delete takes exactly these links.
        var links = (await ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(l => l.Index);
        var taken = links.Values.Select(l => l.Group).ToHashSet();
        uint group;
        do group = (uint)Random.Shared.NextInt64(0x4B56_0001, 0x7FFF_FFFF); while (taken.Contains(group));

        var outcomes = new DeleteOutcome[indexes.Count];
        var grouped = new List<(int Index, uint OldGroup)>();
        try
        {
            for (var i = 0; i < indexes.Count; i++)
            {
                if (!links.TryGetValue(indexes[i], out var link))
                {
                    outcomes[i] = DeleteOutcome.AlreadyGone;
                    continue;
                }
                try
                {
                    await _socket.ExecuteAsync(LinkMessages.SetGroup(link.Index, group), cancellationToken).ConfigureAwait(false);
                    grouped.Add((link.Index, link.Group));
                    outcomes[i] = DeleteOutcome.Deleted;
                }
                catch (NetlinkException e) when (e.IsNoSuchDevice)
                {
                    outcomes[i] = DeleteOutcome.AlreadyGone;
                }
            }
            if (grouped.Count > 0)
                await _socket.ExecuteAsync(LinkMessages.DeleteGroup(group), cancellationToken).ConfigureAwait(false);
            return outcomes;
        }
        catch
        {
            foreach (var (index, oldGroup) in grouped)
            {
                try { await _socket.ExecuteAsync(LinkMessages.SetGroup(index, oldGroup), CancellationToken.None).ConfigureAwait(false); }
                catch (NetlinkException) { } // gone after all, or beyond repair: the first error is the one to report
            }
            throw;
        }
    }

    public async Task<IReadOnlyList<Link>> ListPortsAsync(int masterIndex, CancellationToken cancellationToken = default)
    {
        ValidateIndex(masterIndex);
        var links = await _socket.DumpAsync(LinkMessages.DumpPortsOf(masterIndex), LinkMessages.ParseLink, cancellationToken).ConfigureAwait(false);
        // A kernel that ignores the filter sends every link; the answer is the same either way.
        return [.. links.Where(l => l.MasterIndex == masterIndex)];
    }

    public Task<Link?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        LinkName.Validate(name);
        return GetAsync(LinkMessages.GetByName(name), cancellationToken);
    }

    public Task<Link?> GetByIndexAsync(int index, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        return GetAsync(LinkMessages.GetByIndex(index), cancellationToken);
    }

    public async Task<Link> CreateBridgeAsync(NewBridge bridge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        LinkName.Validate(bridge.Name, nameof(bridge));
        await _socket.ExecuteAsync(LinkMessages.CreateBridge(bridge), cancellationToken).ConfigureAwait(false);
        if (bridge.Mtu is { } mtu)
            await SetMtuOfNewBridgeAsync(bridge.Name, mtu, cancellationToken).ConfigureAwait(false);
        return await GetByNameAsync(bridge.Name, cancellationToken).ConfigureAwait(false)
            ?? throw new NetlinkException(Errno.ENODEV, NetlinkMessageType.Name(NetlinkMessageType.GetLink),
                $"bridge {bridge.Name} was deleted right after it was created");
    }

    /// <summary>Sets the MTU right after the create (see <see cref="LinkMessages.CreateBridge"/>) and takes the bridge back if that fails.</summary>
    private async Task SetMtuOfNewBridgeAsync(string name, uint mtu, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.ExecuteAsync(LinkMessages.SetMtuByName(name, mtu), CancellationToken.None).ConfigureAwait(false);
        }
        catch (NetlinkException)
        {
            try
            {
                await _socket.ExecuteAsync(LinkMessages.DeleteByName(name), CancellationToken.None).ConfigureAwait(false);
            }
            catch (NetlinkException e) when (e.IsNoSuchDevice)
            {
            }
            throw;
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    public Task SetAsync(int index, LinkChange change, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        ArgumentNullException.ThrowIfNull(change);
        if (change.MasterIndex is < 0)
            throw new ArgumentOutOfRangeException(nameof(change), "MasterIndex is an ifindex, or 0 to release");
        if (change.MasterIndex is not null && change.Port is { IsEmpty: false })
            throw new ArgumentException("port settings go in their own request, after the link has joined its bridge (the kernel applies them through the master the link had before)", nameof(change));
        return change.IsEmpty
            ? Task.CompletedTask
            : _socket.ExecuteAsync(LinkMessages.Change(index, change), cancellationToken);
    }

    public Task SetMasterAsync(int index, int masterIndex, CancellationToken cancellationToken = default)
    {
        ValidateIndex(masterIndex, nameof(masterIndex));
        return SetAsync(index, new LinkChange { MasterIndex = masterIndex }, cancellationToken);
    }

    public Task ReleaseFromMasterAsync(int index, CancellationToken cancellationToken = default) =>
        SetAsync(index, new LinkChange { MasterIndex = 0 }, cancellationToken);

    public Task SetAdminStateAsync(int index, AdminState state, CancellationToken cancellationToken = default) =>
        SetAsync(index, new LinkChange { AdminState = state }, cancellationToken);

    public async Task<DeleteOutcome> DeleteAsync(int index, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        try
        {
            await _socket.ExecuteAsync(LinkMessages.Delete(index), cancellationToken).ConfigureAwait(false);
            return DeleteOutcome.Deleted;
        }
        catch (NetlinkException e) when (e.IsNoSuchDevice)
        {
            return DeleteOutcome.AlreadyGone;
        }
    }

    public Task<IReadOnlyList<LinkAddress>> ListAddressesAsync(int index, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        // The kernel already filters by ifindex; checking again keeps old kernels honest.
        return _socket.DumpAsync(AddressMessages.DumpOfLink(index),
            (in NetlinkMessage message) => AddressMessages.ParseAddress(message) is { } address && address.Index == index ? address : null,
            cancellationToken);
    }

    public async Task<bool> CarriesDefaultRouteAsync(int index, CancellationToken cancellationToken = default)
    {
        var routes = await ListRoutesAsync(index, cancellationToken).ConfigureAwait(false);
        return routes.Any(route => route.IsDefaultRouteVia(index));
    }

    public Task<IReadOnlyList<LinkAddress>> ListAllAddressesAsync(CancellationToken cancellationToken = default) =>
        _socket.DumpAsync(AddressMessages.DumpAll(), AddressMessages.ParseAddress, cancellationToken);

    public Task AddAddressAsync(int index, IPAddress address, byte prefixLength, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        ArgumentNullException.ThrowIfNull(address);
        return _socket.ExecuteAsync(AddressMessages.Add(index, address, prefixLength), cancellationToken);
    }

    public async Task<bool> DeleteAddressAsync(int index, IPAddress address, byte prefixLength, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        ArgumentNullException.ThrowIfNull(address);
        try
        {
            await _socket.ExecuteAsync(AddressMessages.Delete(index, address, prefixLength), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.EADDRNOTAVAIL)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<Route>> ListRoutesAsync(int index, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        var routes = await _socket.DumpAsync(RouteMessages.DumpMainTableVia(index), RouteMessages.ParseRoute, cancellationToken)
            .ConfigureAwait(false);
        // A kernel that ignores the filter sends every route; the answer is the same either way.
        return [.. routes.Where(r => r.Table == RouteTables.Main && r.OutputInterfaces.Contains(index))];
    }

    public Task AddRouteAsync(Route route, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        ValidateIndex(route.OutputInterface, nameof(route));
        return _socket.ExecuteAsync(RouteMessages.Add(route, replace), cancellationToken);
    }

    public async Task<bool> DeleteRouteAsync(Route route, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        ValidateIndex(route.OutputInterface, nameof(route));
        try
        {
            await _socket.ExecuteAsync(RouteMessages.Delete(route), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.ESRCH)
        {
            return false;
        }
    }

    private async Task<Link?> GetAsync(NetlinkRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _socket.QueryAsync(request, LinkMessages.ParseLink, cancellationToken).ConfigureAwait(false);
        }
        catch (NetlinkException e) when (e.IsNoSuchDevice)
        {
            return null;
        }
    }

    private static void ValidateIndex(int index, string parameterName = "index")
    {
        if (index <= 0)
            throw new ArgumentOutOfRangeException(parameterName, index, "an ifindex is a positive number");
    }
}

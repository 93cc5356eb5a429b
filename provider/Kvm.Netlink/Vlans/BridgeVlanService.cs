namespace Kvm.Netlink;

/// <summary>The rtnetlink implementation of <see cref="IBridgeVlanApi"/> over a shared socket (which it does not own).</summary>
public sealed class BridgeVlanService(NetlinkSocket socket) : IBridgeVlanApi
{
    private readonly NetlinkSocket _socket = socket ?? throw new ArgumentNullException(nameof(socket));

    public Task<IReadOnlyList<BridgeVlanTable>> DumpAsync(CancellationToken cancellationToken = default) =>
        _socket.DumpAsync(BridgeVlanMessages.Dump(), BridgeVlanMessages.ParseTable, cancellationToken);

    public async Task<BridgeVlanTable?> GetTableAsync(int index, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        var tables = await DumpAsync(cancellationToken).ConfigureAwait(false);
        return tables.FirstOrDefault(table => table.Index == index);
    }

    public Task AddAsync(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        return SendAllAsync(BridgeVlanMessages.Add(index, target, entries), cancellationToken);
    }

    public Task DeleteAsync(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, CancellationToken cancellationToken = default)
    {
        ValidateIndex(index);
        return SendAllAsync(BridgeVlanMessages.Delete(index, target, entries), cancellationToken);
    }

    public async Task ApplyAsync(int index, VlanTarget target, VlanDelta delta, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delta);
        // Deletes first: a moved PVID or a shrunk range must not briefly coexist with the new one.
        await DeleteAsync(index, target, delta.ToDelete, cancellationToken).ConfigureAwait(false);
        await AddAsync(index, target, delta.ToAdd, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAllAsync(IReadOnlyList<Protocol.NetlinkRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
            await _socket.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static void ValidateIndex(int index)
    {
        if (index <= 0)
            throw new ArgumentOutOfRangeException(nameof(index), index, "an ifindex is a positive number");
    }
}

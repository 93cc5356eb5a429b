namespace Kvm.Netlink;

/// <summary>
/// Bridge VLAN tables (<c>bridge vlan</c>) over rtnetlink AF_BRIDGE messages. Needs a kernel
/// with CONFIG_BRIDGE_VLAN_FILTERING; without it adds and deletes fail with EOPNOTSUPP and the
/// dump reports empty tables.
/// </summary>
public interface IBridgeVlanApi
{
    /// <summary>The tables of every bridge (its own entries) and every bridge port, from one dump.</summary>
    Task<IReadOnlyList<BridgeVlanTable>> DumpAsync(CancellationToken cancellationToken = default);

    /// <summary>The table of one port or bridge (one dump, filtered here: the kernel has no single-link AF_BRIDGE get); null when the link is neither.</summary>
    Task<BridgeVlanTable?> GetTableAsync(int index, CancellationToken cancellationToken = default);

    /// <summary>Adds (or re-flags) entries, as many per request as fit (one request for any normalised table).</summary>
    Task AddAsync(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Deletes entries, as many per request as fit.</summary>
    Task DeleteAsync(int index, VlanTarget target, IReadOnlyList<VlanEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a <see cref="VlanDelta"/> (see <see cref="VlanTable.Diff"/>): its deletes, then its
    /// adds, normally one request each. The kernel applies the entries of a request in order and
    /// does not roll back earlier ones when a later one fails.
    /// </summary>
    Task ApplyAsync(int index, VlanTarget target, VlanDelta delta, CancellationToken cancellationToken = default);
}

using Kvm.Libvirt;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Networks;

/// <summary>
/// The change classification of a libvirt network and the virNetworkUpdate requests of the live
/// class: only the delta (add / delete / modify per DHCP host, DHCP range, DNS host, portgroup).
/// </summary>
internal static class NetworkChanges
{
    /// <summary>
    /// The class of a detailed-diff path (<c>ips[0].dhcp.hosts[2]</c>, <c>forward.mode</c>, ...).
    /// Live: virNetworkUpdate LIVE|CONFIG (DHCP hosts and ranges, DNS host, TXT and SRV records, portgroups), and autostart
    /// and active, which the applier sets on the network itself (no new definition). Restart: a new
    /// persistent definition, then destroy + start of a running network. Replace: name and uuid.
    /// </summary>
    public static ChangeClass Classify(string path)
    {
        var s = PropertyPath.Parse(path);
        if (s.IsEmpty || !s[0].IsKey) return ChangeClass.Restart;
        return s[0].Key switch
        {
            LibvirtNetworkArgs.Paths.Name or LibvirtNetworkArgs.Paths.Uuid => ChangeClass.Replace,
            LibvirtNetworkArgs.Paths.Autostart or LibvirtNetworkArgs.Paths.Active => ChangeClass.Live,
            // Nothing reads metadata at run time: the definition is written again, the network keeps running.
            LibvirtNetworkArgs.Paths.MetadataXml => ChangeClass.Live,
            // DNS records and portgroups are sections of their own; forwarders and the switches are not.
            LibvirtNetworkArgs.Paths.PortGroups => ChangeClass.Live,
            LibvirtNetworkArgs.Paths.Dns when s.Length >= 2 && s[1].Key is NetworkDnsArgs.Paths.Hosts or NetworkDnsArgs.Paths.Txts or NetworkDnsArgs.Paths.Srvs => ChangeClass.Live,
            // ips[i].dhcp.hosts... and ips[i].dhcp.ranges...; a whole ip or dhcp element appearing or going needs a restart.
            LibvirtNetworkArgs.Paths.Ips when s.Length >= 4 && !s[1].IsKey && s[2].Key == "dhcp" && s[3].Key is "hosts" or "ranges" => ChangeClass.Live,
            _ => ChangeClass.Restart,
        };
    }

    /// <summary>Whether a path is autostart or active: set on the network by their own calls, never part of its definition.</summary>
    public static bool IsRunState(string path) => PropertyPath.TopLevel(path) is LibvirtNetworkArgs.Paths.Autostart or LibvirtNetworkArgs.Paths.Active;

    /// <summary>
    /// Whether the program sets the value at a path of a live-drift entry: every object key on the
    /// way is set (or unknown, in a preview, at the path's end); reaching a list means the program
    /// manages that list (an extra item is a change).
    /// </summary>
    public static bool ProgramSets(Bound<LibvirtNetworkArgs> news, string path)
    {
        object? current = news.Value;
        ObjectShape? shape = ObjectShape.Of<LibvirtNetworkArgs>();
        var at = "";
        foreach (var seg in PropertyPath.Parse(path))
        {
            if (!seg.IsKey) return current is Array;
            if (current is null || shape?.Find(seg.Key!) is not { } prop) return false;
            at = PropertyPath.Append(at, seg.Key!);
            current = prop.Get(current);
            // An unknown value is set, but nothing is known beneath it.
            if (current is null && !news.IsUnknown(at)) return false;
            shape = (prop.Type as ObjectTypeShape)?.Object;
        }
        return true;
    }

    /// <summary>
    /// The paths where the running network differs from its persistent definition: only values the
    /// definition holds (live-only fill-ins are not drift), and never autostart or active, which
    /// neither definition holds.
    /// </summary>
    public static string[] LiveDrift(LibvirtNetworkArgs persistent, LibvirtNetworkArgs live, string bridge)
    {
        var liveState = NetworkMapping.ToState(live, bridge, "", []);
        var diff = RecordDiff.Compare<LibvirtNetworkArgs>(liveState, persistent, persistent);
        // Metadata has no effect on a running network; a new one is written to the definition only.
        return [.. diff.Detailed.Keys.Where(k => !IsRunState(k) && PropertyPath.TopLevel(k) != LibvirtNetworkArgs.Paths.MetadataXml)];
    }

    /// <summary>
    /// The virNetworkUpdate requests that turn <paramref name="actual"/>'s DHCP hosts and ranges,
    /// DNS hosts and portgroups into the program's. Collections the program leaves unset are not
    /// touched, unless it used to set them (<paramref name="old"/>): then they are emptied. Within a
    /// collection: deletes, then modifies, then adds, so replaced entries never collide.
    /// </summary>
    public static List<NetworkUpdate> LiveUpdates(NetworkDefinition actual, LibvirtNetworkArgs a, LibvirtNetworkArgs? old)
    {
        var ops = new List<NetworkUpdate>();
        foreach (var ip in a.Ips ?? [])
        {
            if (ip?.Address is not { } addr || ip.Dhcp is not { } dhcp) continue;
            var canonical = IpAddr.Canonical(addr);
            var index = IndexOf(actual.Ips, x => IpAddr.Canonical(x.Address) == canonical);
            if (index < 0 || actual.Ips[index].Dhcp is not { } have) continue;
            var oldDhcp = old?.Ips?.FirstOrDefault(o => o?.Address is { } oa && IpAddr.Canonical(oa) == canonical)?.Dhcp;

            if (Wanted(dhcp.Ranges, oldDhcp?.Ranges) is { } ranges)
            {
                ops.AddRange(Delta(have.Ranges, ranges,
                    NetworkMapping.ToArgs,
                    r => $"{IpAddr.Canonical(r.Start!)}-{IpAddr.Canonical(r.End!)}",
                    (_, r) => new DhcpRange(IpAddr.Canonical(r.Start!), IpAddr.Canonical(r.End!)),
                    canModify: (_, _) => false) // libvirt cannot modify a range, only add or delete one
                    .Select(o => NetworkUpdate.ForDhcpRange(o.Command, o.Item, index)));
            }
            if (Wanted(dhcp.Hosts, oldDhcp?.Hosts) is { } hosts)
            {
                ops.AddRange(Delta(have.Hosts, hosts,
                    NetworkMapping.ToArgs,
                    h => NetworkMapping.DhcpHostKey(h.Mac, h.Id, h.Name, h.Ip),
                    NetworkMapping.DhcpHost,
                    // libvirt modifies the first entry with the same mac, ip or name: safe only when no other entry shares one.
                    canModify: (target, others) => !others.Any(o => SharesIdentity(o, target)))
                    .Select(o => NetworkUpdate.ForDhcpHost(o.Command, o.Item, index)));
            }
        }

        if (Wanted(a.Dns?.Hosts, old?.Dns?.Hosts, managed: a.Dns is not null || old?.Dns is not null) is { } dnsHosts)
        {
            ops.AddRange(Delta(actual.Dns?.Hosts ?? [], dnsHosts,
                NetworkMapping.ToArgs,
                h => IpAddr.Canonical(h.Ip!),
                NetworkMapping.DnsHost,
                canModify: (_, _) => false) // libvirt cannot modify DNS host records, only add or delete them
                .Select(o => NetworkUpdate.ForDnsHost(o.Command, o.Item)));
        }
        if (Wanted(a.Dns?.Txts, old?.Dns?.Txts, managed: a.Dns is not null || old?.Dns is not null) is { } txts)
        {
            ops.AddRange(Delta(actual.Dns?.Txts ?? [], txts, NetworkMapping.ToArgs, t => t.Name!, NetworkMapping.DnsTxt,
                canModify: (_, _) => false) // DNS records are only added or deleted
                .Select(o => NetworkUpdate.ForDnsTxt(o.Command, o.Item)));
        }
        if (Wanted(a.Dns?.Srvs, old?.Dns?.Srvs, managed: a.Dns is not null || old?.Dns is not null) is { } srvs)
        {
            ops.AddRange(Delta(actual.Dns?.Srvs ?? [], srvs, NetworkMapping.ToArgs,
                s => string.Join('|', s.Service, s.Protocol, s.Domain, s.Target, s.Port, s.Priority, s.Weight), NetworkMapping.DnsSrv,
                canModify: (_, _) => false)
                .Select(o => NetworkUpdate.ForDnsSrv(o.Command, o.Item)));
        }

        if (Wanted(a.PortGroups, old?.PortGroups) is { } groups)
        {
            // Whatever clears a default goes before whatever sets one: libvirt refuses two defaults at any moment.
            var pgOps = Delta(actual.PortGroups, groups,
                NetworkMapping.ToArgs,
                pg => pg.Name!,
                NetworkMapping.PortGroup,
                canModify: (_, _) => true);
            ops.AddRange(pgOps
                .OrderBy(o => o.Command == NetworkUpdateCommand.Delete ? 0 : o.Item.IsDefault == true ? 2 : 1)
                .Select(o => NetworkUpdate.ForPortGroup(o.Command, o.Item)));
        }
        return ops;
    }

    private static T[]? Wanted<T>(T?[]? wanted, T?[]? old, bool managed = true) where T : class =>
        wanted is not null ? [.. wanted.OfType<T>()] : managed && old is not null ? [] : null;

    private static bool SharesIdentity(DhcpHost a, DhcpHost b) =>
        (a.Mac is not null && b.Mac is not null && string.Equals(a.Mac, b.Mac, StringComparison.OrdinalIgnoreCase))
        || (a.Id is not null && b.Id is not null && string.Equals(a.Id, b.Id, StringComparison.OrdinalIgnoreCase))
        || (a.Name is not null && a.Name == b.Name)
        || (a.Ip is not null && b.Ip is not null && IpAddr.Canonical(a.Ip) == IpAddr.Canonical(b.Ip));

    /// <summary>
    /// Deletes (entries the program no longer lists, and entries that change but cannot be modified
    /// in place), modifies, then adds. Unchanged entries (same content as the program's item) are left alone.
    /// </summary>
    private static List<(NetworkUpdateCommand Command, TModel Item)> Delta<TModel, TArgs>(
        IReadOnlyList<TModel> actual,
        TArgs[] wanted,
        Func<TModel, TArgs> observe,
        Func<TArgs, string> key,
        Func<TModel?, TArgs, TModel> build,
        Func<TModel, IEnumerable<TModel>, bool> canModify)
        where TModel : class where TArgs : class, IShaped<TArgs>
    {
        var shape = new ObjectTypeShape(ObjectShape.Of<TArgs>);
        var byKey = new Dictionary<string, TModel>(StringComparer.Ordinal);
        foreach (var item in actual) byKey.TryAdd(key(observe(item)), item);
        var wantedKeys = wanted.Select(key).ToHashSet(StringComparer.Ordinal);

        var deletes = actual.Where(item => !wantedKeys.Contains(key(observe(item)))).ToList();
        var changed = new List<(TModel Existing, TArgs Wanted)>();
        var adds = new List<TModel>();
        foreach (var w in wanted)
        {
            if (!byKey.TryGetValue(key(w), out var existing)) adds.Add(build(null, w));
            else if (!RecordDiff.Same(shape, observe(existing), w)) changed.Add((existing, w));
        }
        var remaining = actual.Except(deletes).ToList();
        var modifies = new List<TModel>();
        foreach (var (existing, w) in changed)
        {
            var target = build(existing, w);
            if (canModify(target, remaining.Where(r => !ReferenceEquals(r, existing)))) modifies.Add(target);
            else
            {
                deletes.Add(existing);
                remaining.Remove(existing);
                adds.Add(target);
            }
        }
        return
        [
            .. deletes.Select(d => (NetworkUpdateCommand.Delete, d)),
            .. modifies.Select(m => (NetworkUpdateCommand.Modify, m)),
            .. adds.Select(x => (NetworkUpdateCommand.AddLast, x)),
        ];
    }

    private static int IndexOf<T>(IReadOnlyList<T> list, Func<T, bool> match)
    {
        for (var i = 0; i < list.Count; i++)
            if (match(list[i])) return i;
        return -1;
    }
}

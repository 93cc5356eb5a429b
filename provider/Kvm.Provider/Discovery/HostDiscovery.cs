using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Resources.Networks;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Resources.VlanFilters;
using Kvm.Provider.Values;

namespace Kvm.Provider.Discovery;

/// <summary>One object found on the host, as the resource's import Read reports it.</summary>
internal sealed record Found(string Token, string HostName, string Id, ObjectValue Inputs, ObjectValue State)
{
    public string LogicalName { get; init; } = "";
}

/// <summary>Something on the host discovery does not declare, and why.</summary>
/// <param name="Unreadable">An object the provider would manage but could not read: discover goes on and its exit code says so.</param>
internal sealed record LeftOut(string What, string Reason, bool Unreadable = false);

internal sealed record DiscoveryResult(IReadOnlyList<Found> Resources, IReadOnlyList<LeftOut> LeftOut);

/// <summary>
/// Scans a host read-only (netlink dumps and gets, libvirt lookups and XML reads) and reads every
/// object it would manage through the resource's own import Read, so what it reports is exactly
/// what `pulumi import` then records.
/// </summary>
internal sealed class HostDiscovery(ProviderHost host, IReadOnlyDictionary<string, IResource> resources)
{
    private const int Parallelism = 8;

    public async Task<DiscoveryResult> RunAsync(CancellationToken ct)
    {
        var leftOut = new List<LeftOut>();
        var ids = new List<(string Token, string HostName, string Id)>();

        // libvirt first: the bridges libvirt creates for its networks belong to those networks.
        var networkBridges = new Dictionary<string, string>(StringComparer.Ordinal);
        var libvirtReachable = true;
        IReadOnlyList<ILibvirtNetwork> networks = [];
        try
        {
            networks = host.Libvirt.ListAllNetworks();
        }
        catch (Exception e) when (e is LibvirtException or ProviderException)
        {
            libvirtReachable = false;
            leftOut.Add(new("libvirt networks and domains", $"libvirt at {host.Config.EffectiveUri} cannot be reached: {e.Message}"));
        }
        foreach (var network in networks)
        {
            using (network)
            {
                ids.Add((LibvirtNetworkResource.TypeToken, network.Name, network.Name));
                if (!LibvirtNetworkUsesExistingBridge(network) && TryBridgeName(network) is { } bridge)
                    networkBridges[bridge] = network.Name;
            }
        }

        var ovsInterfaces = await OpenVSwitchAsync(ids, leftOut, ct).ConfigureAwait(false);

        var links = await host.Links.ListAsync(ct).ConfigureAwait(false);
        var byIndex = links.ToDictionary(l => l.Index);
        foreach (var link in links.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            if (link.IsBridge)
            {
                if (networkBridges.TryGetValue(link.Name, out var owner))
                    leftOut.Add(new(link.Name, $"the bridge libvirt network {owner} creates and owns (declare the network instead)"));
                else
                    ids.Add((BridgeResource.TypeToken, link.Name, link.Name));
                continue;
            }
            var master = link.MasterIndex is { } m && byIndex.TryGetValue(m, out var ml) ? ml : null;
            var reason = link switch
            {
                { Name: "lo" } => "loopback",
                _ when ovsInterfaces.TryGetValue(link.Name, out var ovs) => ovs,
                _ when BridgeResource.IsGuestTap(link) => $"a guest's tap{(master is null ? "" : $" on {master.Name}")}: it belongs to its domain",
                { Kind: "macvtap" } => "a guest's macvtap: it belongs to its domain",
                _ when master is not null => null, // a port: declared by its bridge
                { Kind: null } => "a physical interface in no bridge (the host's uplink): left as the host configures it",
                _ => $"a {link.Kind} interface in no bridge: not something this provider manages",
            };
            if (reason is not null) leftOut.Add(new(link.Name, reason));
        }

        // VLAN tables of the ports (and self entries) of bridges that filter VLANs, from one dump.
        var filtering = links.Where(l => l.IsBridge && l.Bridge?.VlanFiltering == true && !networkBridges.ContainsKey(l.Name)).ToDictionary(l => l.Index);
        if (filtering.Count > 0)
        {
            foreach (var table in await host.Vlans.DumpAsync(ct).ConfigureAwait(false))
            {
                if (!filtering.TryGetValue(table.MasterIndex, out var bridge) || !byIndex.TryGetValue(table.Index, out var port)) continue;
                var what = table.IsBridgeSelf ? $"VLANs of {bridge.Name} itself" : $"VLANs of {port.Name} on {bridge.Name}";
                if (BridgeResource.IsGuestTap(port))
                {
                    leftOut.Add(new(what, "a guest's tap: its VLANs are declared by its domain's interface"));
                    continue;
                }
                if (table.Entries.Count == 0)
                {
                    // A VlanFilter declares at least one entry (Check refuses an empty table), so it could not be imported.
                    leftOut.Add(new(what, "the table is empty (no VLAN at all), which a VlanFilter cannot declare"));
                    continue;
                }
                ids.Add((VlanFilterResource.TypeToken, $"{bridge.Name}/{port.Name}", $"{bridge.Name}/{port.Name}"));
            }
        }

        if (libvirtReachable && resources.ContainsKey(DomainToken))
        {
            foreach (var domain in host.Libvirt.ListAllDomains())
                using (domain) ids.Add((DomainToken, domain.Name, domain.Name));
        }

        var found = await ReadAllAsync(ids, leftOut, ct).ConfigureAwait(false);
        return new DiscoveryResult(Name(found), leftOut);
    }

    public const string DomainToken = "kvm:index:Domain";

    /// <summary>
    /// Open vSwitch's bridges, from one read of its database; what each kernel interface of Open vSwitch is, so the
    /// link scan says so rather than calling an internal port (a tap on the userspace datapath) a guest's tap.
    /// A host without ovsdb-server's socket has no Open vSwitch to report.
    /// </summary>
    private async Task<Dictionary<string, string>> OpenVSwitchAsync(List<(string Token, string HostName, string Id)> ids, List<LeftOut> leftOut, CancellationToken ct)
    {
        var interfaces = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!resources.ContainsKey(OvsBridgeResource.TypeToken) || !File.Exists(host.Config.EffectiveOvsdbSocket)) return interfaces;
        OvsSnapshot snapshot;
        try
        {
            snapshot = await OvsSnapshot.ReadAsync(host.Ovsdb, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Kvm.Ovsdb.OvsdbException or Kvm.Ovsdb.OvsdbConnectionException or FormatException)
        {
            leftOut.Add(new("Open vSwitch bridges", $"ovsdb-server at {host.Config.EffectiveOvsdbSocket} cannot be read: {e.Message}", Unreadable: true));
            return interfaces;
        }
        foreach (var bridge in snapshot.Bridges.OrderBy(b => b.String("name"), StringComparer.Ordinal))
        {
            var name = bridge.String("name")!;
            ids.Add((OvsBridgeResource.TypeToken, name, name));
            foreach (var port in snapshot.PortsOf(bridge))
            {
                var guest = snapshot.IsGuestPort(port);
                foreach (var iface in snapshot.InterfacesOf(port))
                {
                    interfaces[iface.String("name")!] = guest
                        ? $"a guest's port on the Open vSwitch bridge {name}: it belongs to its domain"
                        : $"an interface of the Open vSwitch bridge {name}: declared by its OvsBridge";
                }
            }
        }
        interfaces.TryAdd("ovs-netdev", "Open vSwitch's userspace datapath device");
        interfaces.TryAdd("ovs-system", "Open vSwitch's kernel datapath device");
        return interfaces;
    }

    private static bool LibvirtNetworkUsesExistingBridge(ILibvirtNetwork network)
    {
        try
        {
            return NetworkXml.Parse(network.GetXmlDesc()).Forward?.Mode == NetworkForwardMode.Bridge;
        }
        catch (Exception e) when (e is FormatException or System.Xml.XmlException or LibvirtException)
        {
            return false; // its Read reports what is wrong with it
        }
    }

    private static string? TryBridgeName(ILibvirtNetwork network)
    {
        try { return network.GetBridgeName(); }
        catch (LibvirtException) { return null; } // macvtap and hostdev networks have no bridge
    }

    /// <summary>Reads every object through its resource's import Read, a few at a time.</summary>
    private async Task<List<Found>> ReadAllAsync(List<(string Token, string HostName, string Id)> ids, List<LeftOut> leftOut, CancellationToken ct)
    {
        var results = new Found?[ids.Count];
        using var gate = new SemaphoreSlim(Parallelism);
        await Task.WhenAll(ids.Select(async (item, i) =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var read = await resources[item.Token].ReadAsync(
                    new ReadRequest(item.Id, $"urn:pulumi:discover::host::{item.Token}::{item.HostName}", ObjectValue.Empty, ObjectValue.Empty), ct).ConfigureAwait(false);
                if (read.IsGone)
                    lock (leftOut) leftOut.Add(new(item.HostName, $"vanished while the host was scanned ({item.Token})"));
                else
                    results[i] = new Found(item.Token, item.HostName, read.Id, read.Inputs, read.State);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Whatever one object's trouble (an XML value the model does not know, a libvirt error), the others are still read.
                lock (leftOut) leftOut.Add(new(item.HostName, $"cannot be read as {item.Token}: {e.Message}", Unreadable: true));
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return [.. results.OfType<Found>()];
    }

    private static readonly string[] Order = [BridgeResource.TypeToken, OvsBridgeResource.TypeToken, VlanFilterResource.TypeToken, LibvirtNetworkResource.TypeToken, DomainToken];

    /// <summary>
    /// Logical names: the host's name, made safe; where two objects of different types share one,
    /// the later type gets a suffix. Stable for the same host, so import file and program agree.
    /// </summary>
    private static List<Found> Name(List<Found> found)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var named = new List<Found>();
        foreach (var f in found.OrderBy(f => Array.IndexOf(Order, f.Token)).ThenBy(f => f.HostName, StringComparer.Ordinal))
        {
            var basic = Safe(f.Token == VlanFilterResource.TypeToken ? f.HostName.Replace('/', '-') : f.HostName);
            var name = basic;
            if (!taken.Add(name))
            {
                name = $"{basic}-{Suffix(f.Token)}";
                for (var i = 2; !taken.Add(name); i++) name = $"{basic}-{Suffix(f.Token)}{i}";
            }
            named.Add(f with { LogicalName = name });
        }
        return named;
    }

    private static string Suffix(string token) => token switch
    {
        BridgeResource.TypeToken => "bridge",
        OvsBridgeResource.TypeToken => "ovs",
        VlanFilterResource.TypeToken => "vlans",
        LibvirtNetworkResource.TypeToken => "network",
        _ => "domain",
    };

    private static string Safe(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        var safe = new string(chars).Trim('-');
        return safe.Length == 0 ? "resource" : safe;
    }
}

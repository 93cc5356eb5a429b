using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// What the guest's NICs connect to on the host: whether the bridges, libvirt networks and devices they
/// name exist (at Check, and again before a change), and who programs each NIC's VLANs: libvirt
/// (Open vSwitch) or the provider (a Linux bridge, where libvirt refuses <c>&lt;vlan&gt;</c>). A NIC with a virtual
/// port of its own (Open vSwitch, 802.1Qbg, 802.1Qbh, MidoNet) is not on a Linux bridge: its VLANs are libvirt's.
/// </summary>
internal sealed class InterfaceSources(ProviderHost host)
{
    /// <summary>Bridges, networks and host devices named by interfaces exist, or are declared by the same program.</summary>
    public async Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<DomainArgs> ctx)
    {
        var failures = new List<CheckFailure>();
        var nics = ctx.News.Value.Interfaces ?? [];
        IReadOnlyList<Link>? links = null;
        for (var i = 0; i < nics.Length; i++)
        {
            var nic = nics[i];
            var path = $"interfaces[{i}]";
            try
            {
                switch (nic.Type)
                {
                    // A MidoNet port binds the tap to MidoNet itself: its bridge names no kernel link.
                    case "bridge" when nic.Bridge is { } bridge && nic.VirtualPort != Midonet && !ctx.News.IsUnknown($"{path}.bridge"):
                        if (ctx.Declared.Find<object>(BridgeResource.TypeToken, bridge) is not null) break;
                        if (ctx.Declared.Find<object>(OvsBridgeResource.TypeToken, bridge) is not null)
                        {
                            if (nic.Vlan is not null && nic.VirtualPort is null)
                                failures.Add(new($"{path}.vlan", $"\"{bridge}\" is an Open vSwitch bridge (an OvsBridge of this program); set virtualPort: openvswitch so libvirt tags the guest's port"));
                            break;
                        }
                        links ??= await host.Links.ListAsync(ctx.Cancellation).ConfigureAwait(false);
                        var link = links.FirstOrDefault(l => l.Name == bridge);
                        if (link is null)
                            failures.Add(new($"{path}.bridge", $"no bridge named \"{bridge}\" exists in {host.NamespaceDescription}, and the program declares no {BridgeResource.TypeToken} or {OvsBridgeResource.TypeToken} of that name"));
                        else if (nic.Vlan is not null && nic.VirtualPort is null && !link.IsBridge)
                            failures.Add(new($"{path}.vlan", $"\"{bridge}\" is not a Linux bridge (kind {link.Kind ?? "none"}); for an Open vSwitch bridge set virtualPort: openvswitch"));
                        break;
                    case "network" when nic.Network is { } network && !ctx.News.IsUnknown($"{path}.network"):
                        if (ctx.Declared.Find<object>(DomainResource.NetworkToken, network) is not null) break;
                        using (var net = host.Libvirt.FindNetworkByName(network))
                        {
                            if (net is null)
                                failures.Add(new($"{path}.network", $"no libvirt network named \"{network}\" exists at {host.Libvirt.Uri}, and the program declares no {DomainResource.NetworkToken} of that name"));
                        }
                        break;
                    case "direct" when nic.Device is { } device && !ctx.News.IsUnknown($"{path}.device"):
                        links ??= await host.Links.ListAsync(ctx.Cancellation).ConfigureAwait(false);
                        if (links.All(l => l.Name != device))
                            failures.Add(new($"{path}.device", $"no interface named \"{device}\" exists in {host.NamespaceDescription}"));
                        break;
                }
            }
            catch (Exception e) when (e is NetlinkException or LibvirtException or ProviderException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                // The host cannot be read now: Create and Update check again before they change anything.
                return failures;
            }
        }
        return failures;
    }

    /// <summary>
    /// For each declared NIC, whether the provider programs its VLANs itself (a Linux bridge, where libvirt
    /// refuses <c>&lt;vlan&gt;</c>) rather than libvirt (Open vSwitch). Also checks that the bridges, networks
    /// and devices the NICs name exist: for <paramref name="strict"/> NICs a missing one stops the operation
    /// before anything changes; for the others it is a warning.
    /// </summary>
    public async Task<bool[]> RouteAsync(DomainArgs a, Func<int, bool> strict, CancellationToken ct)
    {
        var nics = a.Interfaces ?? [];
        var result = new bool[nics.Length];
        IReadOnlyList<Link>? links = null;
        for (var i = 0; i < nics.Length; i++)
        {
            var nic = nics[i];
            string? missing = null;
            switch (nic.Type)
            {
                case "bridge" when nic.VirtualPort != Midonet:
                    links ??= await host.Links.ListAsync(ct).ConfigureAwait(false);
                    var link = links.FirstOrDefault(l => l.Name == nic.Bridge);
                    if (link is null) missing = $"no bridge named \"{nic.Bridge}\" exists in {host.NamespaceDescription}";
                    else if (nic.Vlan is not null && nic.VirtualPort is null)
                    {
                        if (!link.IsBridge)
                            throw ProviderException.FailedPrecondition($"interfaces[{i}].vlan: \"{nic.Bridge}\" is not a Linux bridge (kind {link.Kind ?? "none"}); for an Open vSwitch bridge set virtualPort: openvswitch (nothing was changed)");
                        result[i] = true;
                    }
                    break;
                case "network":
                    using (var net = host.Libvirt.FindNetworkByName(nic.Network!))
                    {
                        if (net is null) missing = $"no libvirt network named \"{nic.Network}\" exists at {host.Libvirt.Uri}";
                        else if (nic.Vlan is not null && nic.VirtualPort is null)
                            result[i] = !IsOpenVSwitch(NetworkXml.Parse(net.GetXmlDesc()), nic.PortGroup);
                    }
                    break;
                case "direct":
                    links ??= await host.Links.ListAsync(ct).ConfigureAwait(false);
                    if (links.All(l => l.Name != nic.Device)) missing = $"no interface named \"{nic.Device}\" exists in {host.NamespaceDescription}";
                    break;
            }
            // Check caught these on a bridge; a network's bridge kind is known only here.
            if (result[i] && nic.Vlan is { } vlan && (vlan.Tags ?? []).Append(vlan.NativeTag ?? 1).Where(t => t is < 1 or > 4094).Select(t => (int?)t).FirstOrDefault() is { } bad)
                throw ProviderException.FailedPrecondition($"interfaces[{i}].vlan: VLAN {bad} is outside 1-4094: the guest is on a Linux bridge ({(nic.Network is { } net ? $"under network \"{net}\"" : $"\"{nic.Bridge}\"")}), whose VLANs the provider programs in the kernel's table (nothing was changed)");
            if (missing is null) continue;
            if (strict(i)) throw ProviderException.FailedPrecondition($"interfaces[{i}]: {missing} (nothing was changed)");
            await host.Log.WarnAsync($"interfaces[{i}] of {a.Name}: {missing}; the guest cannot start until it does").ConfigureAwait(false);
        }
        if (result.Contains(true) && !DomainHook.IsLocalQemu(host.Libvirt.Uri) && !host.Libvirt.Uri.StartsWith("test:", StringComparison.Ordinal))
            throw ProviderException.FailedPrecondition(
                $"VLANs on a Linux bridge are programmed by the provider on the KVM host's kernel, but libvirt at {host.Libvirt.Uri} is on another machine; set the provider's host to that machine (nothing was changed)");
        return result;
    }

    private const string Midonet = "midonet";

    private static bool IsOpenVSwitch(NetworkDefinition network, string? portGroup)
    {
        var group = network.PortGroups.FirstOrDefault(p => p.Name == portGroup) ?? network.PortGroups.FirstOrDefault(p => p.IsDefault == true);
        return network.VirtualPort?.Type == VirtualPort.OpenVSwitch || group?.VirtualPort?.Type == VirtualPort.OpenVSwitch;
    }
}

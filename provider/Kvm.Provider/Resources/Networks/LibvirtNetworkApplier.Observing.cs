using Grpc.Core;
using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Networks;

/// <summary>What the LibvirtNetwork's applier reads of the host: the network's definitions, the guests on it, their taps.</summary>
internal sealed partial class LibvirtNetworkApplier
{
    /// <summary>A network as libvirt holds it now: both definitions, and the resource's view of them.</summary>
    /// <param name="Persistent">The persistent definition as inputs: the inputs that reproduce the network.</param>
    private sealed record Observation(
        string Name,
        bool IsPersistent,
        NetworkDefinition PersistentDefinition,
        NetworkDefinition? LiveDefinition,
        LibvirtNetworkArgs Persistent,
        LibvirtNetworkArgs? Live,
        LibvirtNetworkState State);

    private Observation MustObserve(string name) =>
        Observe(name) ?? throw new ProviderException(StatusCode.Unknown, $"the libvirt network {name} vanished right after it was changed");

    /// <summary>One look at the network by name (or UUID): its persistent and live XML, autostart, state. Null when it does not exist.</summary>
    private Observation? Observe(string id)
    {
        var network = FindNetwork(id);
        if (network is null) return null;
        using (network)
        {
            try
            {
                var active = network.IsActive();
                var persistent = network.IsPersistent();
                var autostart = persistent && network.GetAutostart();
                var liveXml = network.GetXmlDesc();
                var persistentXml = active && persistent ? PersistentXml(network, liveXml) : liveXml;
                var persistentDef = NetworkXml.Parse(persistentXml);
                var liveDef = active ? NetworkXml.Parse(liveXml) : null;
                var p = NetworkMapping.ToArgs(persistentDef, autostart, active);
                var l = liveDef is null ? null : NetworkMapping.ToArgs(liveDef, autostart, active);
                var bridge = liveDef?.Bridge?.Name ?? persistentDef.Bridge?.Name ?? "";
                var drift = l is null ? [] : NetworkChanges.LiveDrift(p, l, bridge);
                var state = NetworkMapping.ToState(p, bridge, liveXml, drift);
                return new Observation(network.Name, persistent, persistentDef, liveDef, p, l, state);
            }
            catch (LibvirtException e) when (e.IsNotFound)
            {
                return null;
            }
            catch (Exception e) when (e is FormatException or System.Xml.XmlException)
            {
                throw new HostObjectUnreadableException($"the network {id}", e);
            }
        }
    }

    /// <summary>The network an id names: by name, else (an import by UUID) by UUID.</summary>
    private ILibvirtNetwork? FindNetwork(string id)
    {
        var libvirt = Host.Libvirt;
        return libvirt.FindNetworkByName(id) ?? (Guid.TryParseExact(id, "D", out var uuid) ? libvirt.FindNetworkByUuid(uuid) : null);
    }

    /// <summary>
    /// The persistent XML of a running network. A driver without VIR_NETWORK_XML_INACTIVE (libvirt's
    /// test driver) keeps a single definition, which the live XML then is.
    /// </summary>
    private static string PersistentXml(ILibvirtNetwork network, string liveXml)
    {
        try
        {
            return network.GetXmlDesc(NetworkXmlFlags.Inactive);
        }
        catch (LibvirtException e) when (e.Code == LibvirtErrorCode.InvalidArg)
        {
            return liveXml;
        }
    }

    /// <summary>
    /// The running guests attached to a network: interfaces of type network naming it, or of type
    /// bridge on its bridge. One pass over the running domains' live XML; nothing waits or polls.
    /// </summary>
    private List<GuestNic> FindGuests(string network, string? bridge)
    {
        var nics = new List<GuestNic>();
        var domains = Host.Libvirt.ListAllDomains(ListDomainsFlags.Active);
        try
        {
            foreach (var domain in domains)
            {
                string xml;
                try
                {
                    xml = domain.GetXmlDesc();
                }
                catch (LibvirtException e) when (e.IsNotFound)
                {
                    continue; // stopped and gone since the listing
                }
                nics.AddRange(AttachedGuests.NicsOn(domain.Name, xml, network, bridge));
            }
        }
        finally
        {
            foreach (var d in domains) d.Dispose();
        }
        return nics;
    }

    /// <summary>
    /// A stopped network takes its bridge with it, and libvirt does not put the taps of running
    /// guests back on the new one: they stay cut off. The provider re-enslaves them over netlink,
    /// when it sees them: in the namespace it manages, a tap of the guest's name whose MAC is the
    /// guest's with libvirt's FE first byte, and the network's bridge with the network's MAC.
    /// </summary>
    private async Task ReattachAsync(Observation network, IReadOnlyList<GuestNic> nics, string urn, CancellationToken ct)
    {
        var mode = network.Persistent.Forward?.Mode;
        if (mode is not ("nat" or "route" or "open" or "isolated") || network.LiveDefinition?.Bridge?.Name is not { } bridgeName) return;
        var reattached = new List<string>();
        var missed = new List<string>();
        await Host.Log.StatusAsync($"network {network.Name}: putting {nics.Count} guest tap{(nics.Count == 1 ? "" : "s")} back on {bridgeName}", urn).ConfigureAwait(false);
        try
        {
            var links = await Host.Links.ListAsync(ct).ConfigureAwait(false);
            var bridgeMac = network.LiveDefinition.MacAddress is { } m && MacAddress.TryParse(m.ToLowerInvariant(), out var bm) ? bm : (MacAddress?)null;
            var bridge = links.FirstOrDefault(l => l.Name == bridgeName && l.IsBridge && (bridgeMac is null || l.Address == bridgeMac));
            foreach (var nic in nics)
            {
                var what = $"{nic.Guest} ({nic.TapName ?? "no tap"})";
                var tap = links.FirstOrDefault(l => l.Name == nic.TapName);
                var tapMac = nic.Mac is { Length: 17 } mac && MacAddress.TryParse(("fe" + mac[2..]).ToLowerInvariant(), out var tm) ? tm : (MacAddress?)null;
                if (bridge is null || tap is null || tapMac is null || tap.Address != tapMac)
                {
                    missed.Add(what);
                    continue;
                }
                if (tap.MasterIndex != bridge.Index)
                    await Host.Links.SetMasterAsync(tap.Index, bridge.Index, ct).ConfigureAwait(false);
                reattached.Add(what);
            }
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            missed.AddRange(nics.Select(n => $"{n.Guest} ({n.TapName})").Except(reattached));
        }
        if (reattached.Count > 0)
            await Host.Log.InfoAsync($"re-attached to the restarted bridge {bridgeName}: {string.Join(", ", reattached)}", urn).ConfigureAwait(false);
        if (missed.Count > 0)
            await Host.Log.WarnAsync(
                $"the restarted network {network.Name} left these guest interfaces off its bridge {bridgeName}, and the provider cannot see them to re-attach them (does libvirt run on another host or namespace?): {string.Join(", ", missed)}. Re-attach them (e.g. `ip link set <tap> master {bridgeName}`) or restart the guests",
                urn).ConfigureAwait(false);
    }
}

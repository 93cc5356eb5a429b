namespace Kvm.Libvirt;

/// <summary>
/// One virNetworkUpdate request: change a section of a network in place, live and/or in its persistent
/// definition, without restarting it (so guests stay connected).
/// </summary>
/// <param name="ParentIndex">Which parent element (e.g. which <c>&lt;ip&gt;</c>); -1 lets libvirt pick the matching one.</param>
/// <param name="Xml">The section's element, e.g. <c>&lt;host mac ip/&gt;</c>.</param>
public sealed record NetworkUpdate(NetworkUpdateCommand Command, NetworkUpdateSection Section, int ParentIndex, string Xml)
{
    /// <summary>
    /// A static DHCP host. <paramref name="ipIndex"/> -1 lets libvirt choose the <c>&lt;ip&gt;</c> whose subnet
    /// holds the host's address. Delete and modify find the existing host by its MAC (IPv4) or name/id (IPv6).
    /// </summary>
    public static NetworkUpdate ForDhcpHost(NetworkUpdateCommand command, DhcpHost host, int ipIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new(command, NetworkUpdateSection.IpDhcpHost, ipIndex, host.ToElement().ToString());
    }

    /// <summary>A DHCP range. Delete and modify find the existing range by start and end.</summary>
    public static NetworkUpdate ForDhcpRange(NetworkUpdateCommand command, DhcpRange range, int ipIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(range);
        return new(command, NetworkUpdateSection.IpDhcpRange, ipIndex, range.ToElement().ToString());
    }

    /// <summary>A DNS host record. Delete finds the existing record by IP.</summary>
    public static NetworkUpdate ForDnsHost(NetworkUpdateCommand command, DnsHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new(command, NetworkUpdateSection.DnsHost, -1, host.ToElement().ToString());
    }

    /// <summary>A DNS TXT record. Delete finds the existing record by name.</summary>
    public static NetworkUpdate ForDnsTxt(NetworkUpdateCommand command, DnsTxt txt)
    {
        ArgumentNullException.ThrowIfNull(txt);
        return new(command, NetworkUpdateSection.DnsTxt, -1, txt.ToElement().ToString());
    }

    /// <summary>A DNS SRV record. Delete finds the existing record by the attributes given.</summary>
    public static NetworkUpdate ForDnsSrv(NetworkUpdateCommand command, DnsSrv srv)
    {
        ArgumentNullException.ThrowIfNull(srv);
        return new(command, NetworkUpdateSection.DnsSrv, -1, srv.ToElement().ToString());
    }

    /// <summary>A portgroup. Delete and modify find the existing portgroup by name.</summary>
    public static NetworkUpdate ForPortGroup(NetworkUpdateCommand command, NetworkPortGroup portGroup)
    {
        ArgumentNullException.ThrowIfNull(portGroup);
        return new(command, NetworkUpdateSection.PortGroup, -1, portGroup.ToElement().ToString());
    }
}

public static class NetworkUpdateExtensions
{
    public static void Update(this ILibvirtNetwork network, NetworkUpdate update, NetworkUpdateFlags flags)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(update);
        network.Update(update.Command, update.Section, update.ParentIndex, update.Xml, flags);
    }
}

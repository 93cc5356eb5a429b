namespace Kvm.Libvirt;

/// <summary>Conveniences over <see cref="ILibvirt"/> that need nothing beyond the interface, so mocks get them free.</summary>
public static class LibvirtExtensions
{
    /// <summary>The network, or null when libvirt says it does not exist (VIR_ERR_NO_NETWORK).</summary>
    public static ILibvirtNetwork? FindNetworkByName(this ILibvirt libvirt, string name)
    {
        try
        {
            return libvirt.LookupNetworkByName(name);
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>The network, or null when libvirt says it does not exist (VIR_ERR_NO_NETWORK).</summary>
    public static ILibvirtNetwork? FindNetworkByUuid(this ILibvirt libvirt, Guid uuid)
    {
        try
        {
            return libvirt.LookupNetworkByUuid(uuid);
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>The domain, or null when libvirt says it does not exist (VIR_ERR_NO_DOMAIN).</summary>
    public static ILibvirtDomain? FindDomainByName(this ILibvirt libvirt, string name)
    {
        try
        {
            return libvirt.LookupDomainByName(name);
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>The domain, or null when libvirt says it does not exist (VIR_ERR_NO_DOMAIN).</summary>
    public static ILibvirtDomain? FindDomainByUuid(this ILibvirt libvirt, Guid uuid)
    {
        try
        {
            return libvirt.LookupDomainByUuid(uuid);
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            return null;
        }
    }
}

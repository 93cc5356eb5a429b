namespace Kvm.Libvirt;

/// <summary>
/// One libvirt connection as the provider's controllers use it. Every call is synchronous, because libvirt
/// reports errors per OS thread. The implementation (<see cref="LibvirtConnection"/>) is thread-safe and
/// reopens the connection transparently when the daemon went away.
/// </summary>
public interface ILibvirt
{
    /// <summary>The URI the connection was opened with, e.g. <c>qemu:///system?socket=/run/x/libvirt-sock</c>.</summary>
    string Uri { get; }

    /// <summary>virConnectIsAlive on the current connection, without reopening it.</summary>
    bool IsAlive { get; }

    /// <summary>virConnectGetLibVersion: the libvirt version the daemon side runs.</summary>
    Version GetLibVersion();

    /// <summary>Throws <see cref="LibvirtException"/> with <see cref="LibvirtException.IsNotFound"/> when there is no such network.</summary>
    ILibvirtNetwork LookupNetworkByName(string name);

    /// <summary>Throws <see cref="LibvirtException"/> with <see cref="LibvirtException.IsNotFound"/> when there is no such network.</summary>
    ILibvirtNetwork LookupNetworkByUuid(Guid uuid);

    /// <summary>virNetworkDefineXML: defines a new persistent network or replaces the persistent definition of an existing one.</summary>
    ILibvirtNetwork DefineNetwork(string xml);

    /// <summary>virConnectListAllNetworks. The caller disposes the returned networks.</summary>
    IReadOnlyList<ILibvirtNetwork> ListAllNetworks(ListNetworksFlags flags = ListNetworksFlags.All);

    /// <summary>Throws <see cref="LibvirtException"/> with <see cref="LibvirtException.IsNotFound"/> when there is no such domain.</summary>
    ILibvirtDomain LookupDomainByName(string name);

    /// <summary>Throws <see cref="LibvirtException"/> with <see cref="LibvirtException.IsNotFound"/> when there is no such domain.</summary>
    ILibvirtDomain LookupDomainByUuid(Guid uuid);

    /// <summary>virDomainDefineXMLFlags: defines a new persistent domain or replaces the persistent definition of an existing one.</summary>
    ILibvirtDomain DefineDomain(string xml, DomainDefineFlags flags = DomainDefineFlags.None);

    /// <summary>virConnectListAllDomains. The caller disposes the returned domains.</summary>
    IReadOnlyList<ILibvirtDomain> ListAllDomains(ListDomainsFlags flags = ListDomainsFlags.All);
}

/// <summary>
/// One libvirt network. Name and UUID are fixed for the object's life; every other member asks libvirt.
/// Dispose releases the native reference (virNetworkFree); the network itself is untouched.
/// </summary>
public interface ILibvirtNetwork : IDisposable
{
    string Name { get; }

    Guid Uuid { get; }

    bool IsActive();

    bool IsPersistent();

    /// <summary>virNetworkGetXMLDesc: the live definition by default, the persistent one with <see cref="NetworkXmlFlags.Inactive"/>.</summary>
    string GetXmlDesc(NetworkXmlFlags flags = NetworkXmlFlags.None);

    /// <summary>virNetworkGetBridgeName: the Linux bridge the network uses.</summary>
    string GetBridgeName();

    bool GetAutostart();

    void SetAutostart(bool autostart);

    /// <summary>virNetworkCreate: starts the defined network.</summary>
    void Start();

    /// <summary>virNetworkDestroy: stops the network; its definition stays.</summary>
    void Destroy();

    /// <summary>virNetworkUndefine: removes the persistent definition (a running network keeps running, now transient).</summary>
    void Undefine();

    /// <summary>virNetworkUpdate: edits one section of the live and/or persistent definition in place.</summary>
    void Update(NetworkUpdateCommand command, NetworkUpdateSection section, int parentIndex, string xml, NetworkUpdateFlags flags);
}

/// <summary>
/// One libvirt domain. Name and UUID are fixed for the object's life; every other member asks libvirt.
/// Dispose releases the native reference (virDomainFree); the domain itself is untouched.
/// </summary>
public interface ILibvirtDomain : IDisposable
{
    string Name { get; }

    Guid Uuid { get; }

    /// <summary>virDomainGetID: the hypervisor's id of a running domain, null when it is not running.</summary>
    int? GetId();

    DomainStateInfo GetState();

    DomainInfo GetInfo();

    bool IsActive();

    bool IsPersistent();

    /// <summary>virDomainGetXMLDesc: the live definition by default; <see cref="DomainXmlFlags.Inactive"/> for the persistent one, <see cref="DomainXmlFlags.Secure"/> to include passwords.</summary>
    string GetXmlDesc(DomainXmlFlags flags = DomainXmlFlags.None);

    bool GetAutostart();

    void SetAutostart(bool autostart);

    /// <summary>virDomainCreate: boots the defined domain.</summary>
    void Start();

    /// <summary>virDomainShutdownFlags: asks the guest to power off; returns before it has.</summary>
    void Shutdown(DomainShutdownFlags flags = DomainShutdownFlags.Default);

    /// <summary>virDomainDestroy: powers the domain off at once; its definition stays.</summary>
    void Destroy();

    /// <summary>
    /// virDomainUndefineFlags. Drivers that do not know <see cref="DomainUndefineFlags.Nvram"/> (the test driver)
    /// have no NVRAM to remove, so the call is repeated without it when they reject the flag.
    /// </summary>
    void Undefine(DomainUndefineFlags flags = DomainUndefineFlags.None);

    void AttachDevice(string xml, DeviceModifyFlags flags);

    void DetachDevice(string xml, DeviceModifyFlags flags);

    void UpdateDevice(string xml, DeviceModifyFlags flags);

    /// <summary>virDomainSetMemoryFlags, in KiB.</summary>
    void SetMemory(ulong memoryKiB, MemoryModifyFlags flags);

    void SetVcpus(int count, VcpuModifyFlags flags);
}

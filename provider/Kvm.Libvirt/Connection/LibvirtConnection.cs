namespace Kvm.Libvirt;

/// <summary>
/// The process's connection to one libvirt URI. Open it once and share it: libvirt connections are
/// thread-safe, and this wrapper reopens the connection when the daemon restarts (reads are retried once
/// on the new connection; changes are not, since they may already have happened).
/// </summary>
public sealed class LibvirtConnection : ILibvirt, IDisposable
{
    private readonly ConnectionSession _session;

    private LibvirtConnection(ConnectionSession session) => _session = session;

    /// <summary>
    /// virConnectOpen, e.g. <c>qemu:///system?socket=/path/libvirt-sock</c>. For libvirt's in-process test driver,
    /// <c>test:///default</c> is one host shared by every connection of the process while any is open, and
    /// <c>test:///abs/path/node.xml</c> gives each opening a private host loaded from that file.
    /// </summary>
    public static LibvirtConnection Open(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        return new LibvirtConnection(new ConnectionSession(uri));
    }

    public string Uri => _session.Uri;

    internal ConnectionSession Session => _session;

    public bool IsAlive => _session.IsCurrentAlive;

    /// <summary>How many times the underlying connection has been opened (1 until it is reopened).</summary>
    public long Openings => _session.Openings;

    public Version GetLibVersion() => Read((_, c) =>
    {
        ulong version = 0;
        NativeCall.Check(c.Handle, "virConnectGetLibVersion", h => Interop.virConnectGetLibVersion(h, out version));
        // libvirt encodes major * 1,000,000 + minor * 1,000 + release.
        return new Version((int)(version / 1_000_000), (int)(version / 1_000 % 1_000), (int)(version % 1_000));
    });

    public ILibvirtNetwork LookupNetworkByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Read((s, c) => LibvirtNetwork.Wrap(s, c, NativeCall.Handle(c.Handle, name, "virNetworkLookupByName",
            static (h, n) => Interop.virNetworkLookupByName(h, n))));
    }

    public ILibvirtNetwork LookupNetworkByUuid(Guid uuid) =>
        Read((s, c) => LibvirtNetwork.Wrap(s, c, LibvirtNetwork.LookupByUuid(c.Handle, uuid)));

    public ILibvirtNetwork DefineNetwork(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return Write((s, c) => LibvirtNetwork.Wrap(s, c, NativeCall.Handle(c.Handle, xml, "virNetworkDefineXML",
            static (h, x) => Interop.virNetworkDefineXML(h, x))));
    }

    public unsafe IReadOnlyList<ILibvirtNetwork> ListAllNetworks(ListNetworksFlags flags = ListNetworksFlags.All) =>
        Read((s, c) => NativeCall.ListAll(c.Handle, (uint)flags, "virConnectListAllNetworks",
            &Interop.virConnectListAllNetworks,
            static p => new NetworkHandle(p),
            ILibvirtNetwork (h) => LibvirtNetwork.Wrap(s, c, h)));

    public ILibvirtDomain LookupDomainByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Read((s, c) => LibvirtDomain.Wrap(s, c, NativeCall.Handle(c.Handle, name, "virDomainLookupByName",
            static (h, n) => Interop.virDomainLookupByName(h, n))));
    }

    public ILibvirtDomain LookupDomainByUuid(Guid uuid) =>
        Read((s, c) => LibvirtDomain.Wrap(s, c, LibvirtDomain.LookupByUuid(c.Handle, uuid)));

    public ILibvirtDomain DefineDomain(string xml, DomainDefineFlags flags = DomainDefineFlags.None)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return Write((s, c) => LibvirtDomain.Wrap(s, c, NativeCall.Handle(c.Handle, (xml, flags), "virDomainDefineXMLFlags",
            static (h, r) => Interop.virDomainDefineXMLFlags(h, r.xml, (uint)r.flags))));
    }

    public unsafe IReadOnlyList<ILibvirtDomain> ListAllDomains(ListDomainsFlags flags = ListDomainsFlags.All) =>
        Read((s, c) => NativeCall.ListAll(c.Handle, (uint)flags, "virConnectListAllDomains",
            &Interop.virConnectListAllDomains,
            static p => new DomainHandle(p),
            ILibvirtDomain (h) => LibvirtDomain.Wrap(s, c, h)));

    public void Dispose() => _session.Dispose();

    private T Read<T>(Func<ConnectionSession, SessionConnection, T> call)
    {
        using (var lease = _session.Acquire())
        {
            try
            {
                return call(_session, lease.Connection);
            }
            catch (LibvirtException e)
            {
                if (!_session.DropIfDead(e, lease.Connection)) throw;
                // Reads are idempotent: fall through and run once more on a reopened connection.
            }
        }
        using var again = _session.Acquire();
        return call(_session, again.Connection);
    }

    /// <summary>Changes are never repeated: the daemon may have applied one before the connection broke.</summary>
    private T Write<T>(Func<ConnectionSession, SessionConnection, T> call)
    {
        using var lease = _session.Acquire();
        try
        {
            return call(_session, lease.Connection);
        }
        catch (LibvirtException e)
        {
            // Drops a dead connection so the caller's next call reopens it.
            _session.DropIfDead(e, lease.Connection);
            throw;
        }
    }
}

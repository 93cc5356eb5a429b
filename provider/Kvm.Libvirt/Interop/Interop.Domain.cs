using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

internal static partial class Interop
{
    /// <summary>virDomainInfo; <c>unsigned long</c> is 64 bits on Linux x86_64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct VirDomainInfo
    {
        public byte State;
        public ulong MaxMem;
        public ulong Memory;
        public ushort NrVirtCpu;
        public ulong CpuTime;
    }

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByName(ConnectionHandle conn, string name);

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByUUIDString(ConnectionHandle conn, string uuid);

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainDefineXMLFlags(ConnectionHandle conn, string xml, uint flags);

    /// <summary>Fills <paramref name="domains"/> with a malloc'd array of owned virDomainPtr; both need freeing.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static unsafe partial int virConnectListAllDomains(ConnectionHandle conn, nint** domains, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainFree(nint domain);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainUndefineFlags(DomainHandle domain, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainCreate(DomainHandle domain);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainShutdownFlags(DomainHandle domain, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainDestroy(DomainHandle domain);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainGetState(DomainHandle domain, out int state, out int reason, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainGetInfo(DomainHandle domain, out VirDomainInfo info);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial uint virDomainGetID(DomainHandle domain);

    /// <summary>Returns a borrowed string that lives as long as the domain object.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static partial nint virDomainGetName(DomainHandle domain);

    [LibraryImport(Libraries.Libvirt)]
    internal static unsafe partial int virDomainGetUUIDString(DomainHandle domain, byte* buf);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainIsActive(DomainHandle domain);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainIsPersistent(DomainHandle domain);

    /// <summary>Returns a malloc'd string the caller frees.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static partial nint virDomainGetXMLDesc(DomainHandle domain, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainGetAutostart(DomainHandle domain, out int autostart);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainSetAutostart(DomainHandle domain, int autostart);

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainAttachDeviceFlags(DomainHandle domain, string xml, uint flags);

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainDetachDeviceFlags(DomainHandle domain, string xml, uint flags);

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainUpdateDeviceFlags(DomainHandle domain, string xml, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainSetMemoryFlags(DomainHandle domain, ulong memoryKiB, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virDomainSetVcpusFlags(DomainHandle domain, uint nvcpus, uint flags);
}

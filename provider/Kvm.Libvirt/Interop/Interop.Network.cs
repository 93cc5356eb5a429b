using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NetworkHandle virNetworkLookupByName(ConnectionHandle conn, string name);

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NetworkHandle virNetworkLookupByUUIDString(ConnectionHandle conn, string uuid);

    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NetworkHandle virNetworkDefineXML(ConnectionHandle conn, string xml);

    /// <summary>Fills <paramref name="nets"/> with a malloc'd array of owned virNetworkPtr; both need freeing.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static unsafe partial int virConnectListAllNetworks(ConnectionHandle conn, nint** nets, uint flags);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkFree(nint network);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkUndefine(NetworkHandle network);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkCreate(NetworkHandle network);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkDestroy(NetworkHandle network);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkIsActive(NetworkHandle network);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkIsPersistent(NetworkHandle network);

    /// <summary>Returns a borrowed string that lives as long as the network object.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static partial nint virNetworkGetName(NetworkHandle network);

    [LibraryImport(Libraries.Libvirt)]
    internal static unsafe partial int virNetworkGetUUIDString(NetworkHandle network, byte* buf);

    /// <summary>Returns a malloc'd string the caller frees.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static partial nint virNetworkGetXMLDesc(NetworkHandle network, uint flags);

    /// <summary>Returns a malloc'd string the caller frees.</summary>
    [LibraryImport(Libraries.Libvirt)]
    internal static partial nint virNetworkGetBridgeName(NetworkHandle network);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkGetAutostart(NetworkHandle network, out int autostart);

    [LibraryImport(Libraries.Libvirt)]
    internal static partial int virNetworkSetAutostart(NetworkHandle network, int autostart);

    // libvirt.so fixes up the historical command/section swap itself (VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER),
    // so callers always pass the documented order.
    [LibraryImport(Libraries.Libvirt, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virNetworkUpdate(NetworkHandle network, uint command, uint section, int parentIndex, string xml, uint flags);
}

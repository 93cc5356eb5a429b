using Microsoft.Win32.SafeHandles;

namespace Kvm.Libvirt;

/// <summary>An owned virConnectPtr. Networks and domains keep their own reference to it inside libvirt.</summary>
internal sealed class ConnectionHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public ConnectionHandle() : base(ownsHandle: true) { }

    // virConnectClose returns the remaining reference count; only -1 is a failure.
    protected override bool ReleaseHandle() => Interop.virConnectClose(handle) >= 0;
}

using Microsoft.Win32.SafeHandles;

namespace Kvm.Libvirt;

/// <summary>An owned virNetworkPtr.</summary>
internal sealed class NetworkHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public NetworkHandle() : base(ownsHandle: true) { }

    internal NetworkHandle(nint existing) : base(ownsHandle: true) => SetHandle(existing);

    protected override bool ReleaseHandle() => Interop.virNetworkFree(handle) == 0;
}

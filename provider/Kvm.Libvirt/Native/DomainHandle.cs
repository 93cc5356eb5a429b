using Microsoft.Win32.SafeHandles;

namespace Kvm.Libvirt;

/// <summary>An owned virDomainPtr.</summary>
internal sealed class DomainHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public DomainHandle() : base(ownsHandle: true) { }

    internal DomainHandle(nint existing) : base(ownsHandle: true) => SetHandle(existing);

    protected override bool ReleaseHandle() => Interop.virDomainFree(handle) == 0;
}

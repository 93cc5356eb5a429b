namespace Kvm.Libvirt;

internal static partial class Interop
{
    internal static class Libraries
    {
        // The SONAME, not libvirt.so: the unversioned link only exists when libvirt-dev is installed.
        internal const string Libvirt = "libvirt.so.0";
    }
}

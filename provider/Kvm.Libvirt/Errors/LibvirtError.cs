using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

/// <summary>Reads libvirt's per-thread last error into a <see cref="LibvirtException"/>.</summary>
internal static class LibvirtError
{
    /// <summary>
    /// Must run on the thread that made the failing call, before any other libvirt call on it:
    /// libvirt keeps one error slot per OS thread and most entry points clear it.
    /// </summary>
    public static unsafe LibvirtException TakeLast(string operation)
    {
        Interop.VirError* error = Interop.virGetLastError();
        if (error is null)
            return new LibvirtException(LibvirtErrorCode.InternalError, LibvirtErrorDomain.None,
                $"{operation} failed but libvirt recorded no error", operation);

        var exception = new LibvirtException(
            (LibvirtErrorCode)error->Code,
            (LibvirtErrorDomain)error->Domain,
            Marshal.PtrToStringUTF8(error->Message) ?? "",
            operation);
        Interop.virResetLastError();
        return exception;
    }

    /// <summary>For calls whose failure value is also a valid result: the call failed only if libvirt recorded an error.</summary>
    public static unsafe bool HasLast => Interop.virGetLastError() is not null;
}

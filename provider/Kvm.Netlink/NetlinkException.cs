namespace Kvm.Netlink;

/// <summary>
/// The kernel refused a request. Carries the errno (positive), its name, the operation
/// (RTM_NEWLINK, ...) and the extended-ack text the kernel gave, when it gave one.
/// </summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(int errno, string operation, string? extendedAckMessage = null, uint? extendedAckOffset = null, Exception? innerException = null)
        : base(Describe(errno, operation, extendedAckMessage), innerException)
    {
        Errno = errno;
        Operation = operation;
        ExtendedAckMessage = extendedAckMessage;
        ExtendedAckOffset = extendedAckOffset;
    }

    /// <summary>The positive errno, e.g. 19 for ENODEV.</summary>
    public int Errno { get; }

    /// <summary>The errno's symbolic name, e.g. "ENODEV".</summary>
    public string ErrnoName => Kvm.Netlink.Errno.Name(Errno);

    /// <summary>The request that failed, by the kernel's name for it, e.g. "RTM_NEWLINK".</summary>
    public string Operation { get; }

    /// <summary>NLMSGERR_ATTR_MSG, e.g. "Attribute failed policy validation".</summary>
    public string? ExtendedAckMessage { get; }

    /// <summary>NLMSGERR_ATTR_OFFS: where in the request the kernel found the problem.</summary>
    public uint? ExtendedAckOffset { get; }

    /// <summary>ENODEV: the link the request named does not exist (any more).</summary>
    public bool IsNoSuchDevice => Errno == Kvm.Netlink.Errno.ENODEV;

    private static string Describe(int errno, string operation, string? extendedAckMessage)
    {
        var text = $"{operation} failed: {Kvm.Netlink.Errno.Name(errno)} ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})";
        return extendedAckMessage is { Length: > 0 } ? $"{text}: {extendedAckMessage}" : text;
    }
}

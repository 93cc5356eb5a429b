namespace Kvm.Libvirt;

/// <summary>
/// A failed libvirt call, carrying libvirt's own error: <see cref="Exception.Message"/> is libvirt's text unchanged.
/// </summary>
public sealed class LibvirtException : Exception
{
    public LibvirtException(LibvirtErrorCode code, LibvirtErrorDomain domain, string message, string? operation = null)
        : base(message)
    {
        Code = code;
        Domain = domain;
        Operation = operation;
    }

    public LibvirtErrorCode Code { get; }

    public LibvirtErrorDomain Domain { get; }

    /// <summary>The C API call that failed (e.g. <c>virNetworkLookupByName</c>), when known.</summary>
    public string? Operation { get; }

    /// <summary>The code's C name, e.g. <c>VIR_ERR_NO_NETWORK</c>.</summary>
    public string CodeName => Code.SymbolicName();

    /// <summary>
    /// True when the object does not exist. Only these two codes mean "gone"; anything else (including
    /// operation-invalid or internal errors) is a real failure the caller must not swallow.
    /// </summary>
    public bool IsNotFound => Code is LibvirtErrorCode.NoNetwork or LibvirtErrorCode.NoDomain;

    /// <summary>Errors libvirt raises when the transport to the daemon failed rather than the operation.</summary>
    public bool MayMeanConnectionLost =>
        Code is LibvirtErrorCode.SystemError or LibvirtErrorCode.Rpc
        || Domain is LibvirtErrorDomain.Rpc or LibvirtErrorDomain.Remote;

    public override string ToString() =>
        $"{nameof(LibvirtException)}: {CodeName} ({(int)Code}) from {Domain.SymbolicName()}{(Operation is null ? "" : $" in {Operation}")}: {Message}{Environment.NewLine}{StackTrace}";
}

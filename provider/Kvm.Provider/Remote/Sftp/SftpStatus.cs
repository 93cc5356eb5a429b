namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// SSH_FX_* codes of a STATUS reply. Version 3 defines 0-8; a server may send others, which keep
/// their number. OpenSSH's sftp-server maps errno onto these few codes, so EEXIST, ENOSPC, EISDIR
/// and most other errors all arrive as <see cref="Failure"/>.
/// </summary>
#pragma warning disable CA1028 // the wire carries a uint32; a server may send any of its values
internal enum SftpStatus : uint
#pragma warning restore CA1028
{
    Ok = 0,
    EndOfFile = 1,
    NoSuchFile = 2,
    PermissionDenied = 3,
    Failure = 4,
    BadMessage = 5,
    NoConnection = 6,
    ConnectionLost = 7,
    OperationUnsupported = 8,
}

namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// The OpenSSH extensions this client uses (OpenSSH's PROTOCOL file, section 4), with the one
/// version of each it speaks: a client must check the advertised version before using one.
/// </summary>
internal static class SftpExtensionNames
{
    public const string PosixRename = "posix-rename@openssh.com";
    public const string Fsync = "fsync@openssh.com";
    public const string Limits = "limits@openssh.com";

    public const string Version1 = "1";
}

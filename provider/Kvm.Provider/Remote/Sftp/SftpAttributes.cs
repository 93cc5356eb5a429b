namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// What STAT says about a path. A field the server left out is null; without the permissions
/// field the file type is unknown too, and both <see cref="IsDirectory"/> and
/// <see cref="IsRegularFile"/> are false.
/// </summary>
/// <param name="Mode">The permission bits (rwx, setuid, setgid, sticky), without the file type.</param>
internal sealed record SftpAttributes(long? Size, UnixFileMode? Mode, bool IsDirectory, bool IsRegularFile)
{
    // The file type bits of st_mode (S_IFMT), which SFTP v3 sends along with the permissions.
    private const uint FileTypeMask = 0xF000;
    private const uint Directory = 0x4000;
    private const uint RegularFile = 0x8000;
    private const uint PermissionMask = 0xFFF;

    internal static SftpAttributes FromWire(long? size, uint? permissions) => permissions is { } p
        ? new SftpAttributes(size, (UnixFileMode)(p & PermissionMask), (p & FileTypeMask) == Directory, (p & FileTypeMask) == RegularFile)
        : new SftpAttributes(size, null, false, false);

    internal static uint ToWire(UnixFileMode mode) => (uint)mode & PermissionMask;
}

/// <summary>The flags word in front of an ATTRS structure: which fields follow, in this order.</summary>
[Flags]
internal enum SftpAttributeFlags : uint
{
    None = 0,
    Size = 0x1,
    UidGid = 0x2,
    Permissions = 0x4,
    AccessModifiedTime = 0x8,
    Extended = 0x8000_0000,
}

/// <summary>SSH_FXF_* flags of OPEN.</summary>
[Flags]
internal enum SftpOpenFlags : uint
{
    None = 0,
    Read = 0x1,
    Write = 0x2,
    Append = 0x4,
    Create = 0x8,
    Truncate = 0x10,
    Exclusive = 0x20,
}

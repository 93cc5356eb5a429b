namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// SSH_FXP_* packet types of SFTP version 3 (draft-ietf-secsh-filexfer-02, section 3): the ones
/// this client sends, and every reply type, so that an unexpected reply can be named in errors.
/// </summary>
internal static class SftpPacketType
{
    public const byte Init = 1;
    public const byte Version = 2;
    public const byte Open = 3;
    public const byte Close = 4;
    public const byte Write = 6;
    public const byte SetStat = 9;
    public const byte FSetStat = 10;
    public const byte Remove = 13;
    public const byte MakeDirectory = 14;
    public const byte RealPath = 16;
    public const byte Stat = 17;
    public const byte Rename = 18;

    public const byte Status = 101;
    public const byte Handle = 102;
    public const byte Data = 103;
    public const byte Name = 104;
    public const byte Attributes = 105;

    public const byte Extended = 200;
    public const byte ExtendedReply = 201;

    /// <summary>The draft's name without the SSH_FXP_ prefix, as errors show it.</summary>
    public static string NameOf(byte type) => type switch
    {
        Init => "INIT",
        Version => "VERSION",
        Open => "OPEN",
        Close => "CLOSE",
        Write => "WRITE",
        SetStat => "SETSTAT",
        FSetStat => "FSETSTAT",
        Remove => "REMOVE",
        MakeDirectory => "MKDIR",
        RealPath => "REALPATH",
        Stat => "STAT",
        Rename => "RENAME",
        Status => "STATUS",
        Handle => "HANDLE",
        Data => "DATA",
        Name => "NAME",
        Attributes => "ATTRS",
        Extended => "EXTENDED",
        ExtendedReply => "EXTENDED_REPLY",
        _ => $"packet type {type}",
    };
}

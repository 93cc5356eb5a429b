namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// One packet from the server: its type, its request id (for VERSION, the protocol version that
/// takes the id's place) and the bytes after them.
/// </summary>
internal sealed class SftpReply(byte type, uint id, byte[] packet)
{
    /// <summary>Type and id (or version) in front of every server packet.</summary>
    public const int HeaderLength = 5;

    public byte Type { get; } = type;
    public uint Id { get; } = id;

    public ReadOnlySpan<byte> Body => packet.AsSpan(HeaderLength);

    public string TypeName => SftpPacketType.NameOf(Type);
}

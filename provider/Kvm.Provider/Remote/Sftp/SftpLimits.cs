namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// The reply to limits@openssh.com. Zero means the server sets no limit of its own.
/// OpenSSH's sftp-server says 256 KiB packets, 255 KiB reads and writes.
/// </summary>
internal sealed record SftpLimits(ulong MaxPacketLength, ulong MaxReadLength, ulong MaxWriteLength, ulong MaxOpenHandles)
{
    /// <summary>Every version 3 server takes 32 KiB writes (the draft's 34000-byte packets); it is what we send when a server says nothing.</summary>
    public const int DefaultWriteChunk = 32 * 1024;

    /// <summary>
    /// Our own ceiling, whatever a server offers: a WRITE of this much stays under the 256 KiB
    /// packet OpenSSH's sftp-server accepts (it exits on a bigger one), as OpenSSH's client does.
    /// </summary>
    public const int MaxWriteChunk = 255 * 1024;

    /// <summary>The data bytes per WRITE, given the fixed part of a WRITE packet (its uint32 length included).</summary>
    public static int WriteChunkLength(SftpLimits? limits, int writeHeaderLength)
    {
        if (limits is null)
            return DefaultWriteChunk;
        ulong chunk = MaxWriteChunk;
        if (limits.MaxWriteLength > 0)
            chunk = Math.Min(chunk, limits.MaxWriteLength);
        if (limits.MaxPacketLength > 0)
        {
            if (limits.MaxPacketLength <= (ulong)writeHeaderLength)
                throw new SftpProtocolException($"SFTP server's limits@openssh.com reply allows packets of {limits.MaxPacketLength} bytes, no room for a WRITE's {writeHeaderLength}-byte header and data");
            chunk = Math.Min(chunk, limits.MaxPacketLength - (ulong)writeHeaderLength);
        }
        return (int)chunk;
    }
}

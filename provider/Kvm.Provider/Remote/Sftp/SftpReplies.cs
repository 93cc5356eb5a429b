namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// Reads the reply a request expects. An error STATUS becomes <see cref="SftpException"/>; a
/// reply of another type, or a STATUS OK where data was due, is the server breaking the
/// protocol (<see cref="SftpProtocolException"/>).
/// </summary>
internal static class SftpReplies
{
    /// <summary>Draft section 6.2: handles are at most 256 bytes.</summary>
    public const int MaxHandleLength = 256;

    public static (SftpStatus Status, string Message) ReadStatus(SftpReply reply, string request)
    {
        ExpectType(reply, SftpPacketType.Status, request);
        var reader = new SftpReader(reply.Body, $"STATUS reply to {request}");
        var status = (SftpStatus)reader.ReadUInt32("status code");
        // Version 3 adds a message and a language tag; a server that leaves them out is tolerated.
        var message = reader.Remaining == 0 ? "" : reader.ReadText("error message");
        return (status, message);
    }

    public static void ExpectOk(SftpReply reply, string request, string? path, string? targetPath = null)
    {
        var (status, message) = ReadStatus(reply, request);
        if (status != SftpStatus.Ok)
            throw new SftpException(status, message, request, path, targetPath);
    }

    public static byte[] ExpectHandle(SftpReply reply, string request, string? path)
    {
        ThrowIfStatus(reply, request, path);
        ExpectType(reply, SftpPacketType.Handle, request);
        var reader = new SftpReader(reply.Body, $"HANDLE reply to {request}");
        var handle = reader.ReadString("handle");
        if (handle.Length > MaxHandleLength)
            throw new SftpProtocolException($"SFTP HANDLE reply to {request} carries a handle of {handle.Length} bytes, over the draft's {MaxHandleLength}");
        return handle.ToArray();
    }

    public static SftpAttributes ExpectAttributes(SftpReply reply, string request, string? path)
    {
        ThrowIfStatus(reply, request, path);
        ExpectType(reply, SftpPacketType.Attributes, request);
        return new SftpReader(reply.Body, $"ATTRS reply to {request}").ReadAttributes();
    }

    /// <summary>The first name of a NAME reply (REALPATH answers with exactly one).</summary>
    public static string ExpectFirstName(SftpReply reply, string request, string? path)
    {
        ThrowIfStatus(reply, request, path);
        ExpectType(reply, SftpPacketType.Name, request);
        var reader = new SftpReader(reply.Body, $"NAME reply to {request}");
        if (reader.ReadUInt32("name count") == 0)
            throw new SftpProtocolException($"SFTP NAME reply to {request} carries no name");
        return reader.ReadPath("file name");
    }

    public static SftpLimits ExpectLimits(SftpReply reply)
    {
        const string request = SftpExtensionNames.Limits;
        ThrowIfStatus(reply, request, null);
        ExpectType(reply, SftpPacketType.ExtendedReply, request);
        var reader = new SftpReader(reply.Body, $"EXTENDED_REPLY to {request}");
        return new SftpLimits(
            reader.ReadUInt64("max-packet-length"),
            reader.ReadUInt64("max-read-length"),
            reader.ReadUInt64("max-write-length"),
            reader.ReadUInt64("max-open-handles"));
    }

    private static void ThrowIfStatus(SftpReply reply, string request, string? path)
    {
        if (reply.Type != SftpPacketType.Status)
            return;
        var (status, message) = ReadStatus(reply, request);
        if (status == SftpStatus.Ok)
            throw new SftpProtocolException($"SFTP server answered {request} with STATUS OK instead of its data");
        throw new SftpException(status, message, request, path);
    }

    private static void ExpectType(SftpReply reply, byte expected, string request)
    {
        if (reply.Type != expected)
            throw new SftpProtocolException($"SFTP server answered {request} with {reply.TypeName}, {SftpPacketType.NameOf(expected)} expected");
    }
}

using System.Buffers;
using System.Collections.ObjectModel;

namespace Kvm.Provider.Remote.Sftp;

/// <summary>
/// A client of the SSH File Transfer Protocol, version 3 (draft-ietf-secsh-filexfer-02, with
/// OpenSSH's extensions), over any pair of streams: typically the stdin and stdout of
/// <c>ssh -s host sftp</c>. It does what installing a file on a remote host needs: stat, mkdir,
/// an exclusive upload, an atomic rename, remove, realpath.
///
/// Calls may run concurrently: requests are pipelined over the one stream and each reply finds
/// its caller by request id. Paths are UTF-8; relative paths are relative to the server's
/// starting folder (the login's home for ssh). The client owns both streams: disposing it closes
/// them, which ends the subsystem.
///
/// Errors: the server refusing a request is <see cref="SftpException"/>; a reply that breaks
/// the protocol is <see cref="SftpProtocolException"/>. When the stream itself is broken (its
/// end, a failed read or write, a packet that cannot be framed, a reply to no request), every
/// call in flight and every later one fails with SftpProtocolException saying so.
/// Cancelling a call stops the wait; a request already written is still carried out by the
/// server (see <see cref="UploadAsync"/> for how an upload cleans up).
/// </summary>
internal sealed class SftpClient : IAsyncDisposable
{
    private const uint ProtocolVersion = 3;

    /// <summary>
    /// Data in flight during an upload: enough to keep an ssh channel (2 MiB window by default in
    /// OpenSSH) full over a long link, so the upload waits on the network, not on round trips.
    /// </summary>
    internal const int UploadWindowBytes = 4 * 1024 * 1024;

    /// <summary>OpenSSH's own client keeps at most 64 requests in flight; small chunks stop there.</summary>
    internal const int MaxWritesInFlight = 64;

    private readonly SftpSession _session;
    private readonly SftpLimits? _limits;
    private readonly bool _posixRename;
    private readonly bool _fsync;

    private SftpClient(SftpSession session, Dictionary<string, string> extensions, SftpLimits? limits)
    {
        _session = session;
        _limits = limits;
        Extensions = new ReadOnlyDictionary<string, string>(extensions);
        _posixRename = Offers(extensions, SftpExtensionNames.PosixRename);
        _fsync = Offers(extensions, SftpExtensionNames.Fsync);
    }

    /// <summary>
    /// The extensions the server announced in VERSION, name to version (when a name comes twice,
    /// the first wins). OpenSSH's sftp-server lists posix-rename, fsync and limits among others.
    /// </summary>
    public IReadOnlyDictionary<string, string> Extensions { get; }

    /// <summary>What limits@openssh.com said, when the server offers it.</summary>
    internal SftpLimits? Limits => _limits;

    /// <summary>
    /// Sends INIT (version 3), reads VERSION and the extensions it lists, and asks for the
    /// server's limits when it offers limits@openssh.com. <paramref name="toServer"/> and
    /// <paramref name="fromServer"/> are the subsystem's stdin and stdout; the client owns them
    /// from here on, and closes them if the handshake fails.
    /// </summary>
    public static async Task<SftpClient> OpenAsync(Stream toServer, Stream fromServer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(toServer);
        ArgumentNullException.ThrowIfNull(fromServer);
        SftpSession? session = null;
        try
        {
            await toServer.WriteAsync(SftpRequests.Init(ProtocolVersion), ct).ConfigureAwait(false);
            await toServer.FlushAsync(ct).ConfigureAwait(false);
            var frames = new SftpFrameReader(fromServer, SftpSession.MaxReplyLength);
            var version = await frames.ReadAsync(ct).ConfigureAwait(false)
                ?? throw new SftpProtocolException("SFTP server closed its output before answering INIT (end of stream)");
            var extensions = ReadVersion(version);
            session = new SftpSession(toServer, fromServer, frames);
            SftpLimits? limits = null;
            if (Offers(extensions, SftpExtensionNames.Limits))
                limits = SftpReplies.ExpectLimits(await session.RequestAsync(SftpRequests.Limits(), ct).ConfigureAwait(false));
            return new SftpClient(session, extensions, limits);
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await toServer.DisposeAsync().ConfigureAwait(false);
                await fromServer.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>STAT (follows symbolic links); null when the server says NO_SUCH_FILE.</summary>
    public async Task<SftpAttributes?> StatAsync(string path, CancellationToken ct)
    {
        var encoded = SftpPath.Encode(path, nameof(path));
        var reply = await _session.RequestAsync(SftpRequests.Stat(encoded), ct).ConfigureAwait(false);
        if (reply.Type == SftpPacketType.Status && SftpReplies.ReadStatus(reply, "STAT").Status == SftpStatus.NoSuchFile)
            return null;
        return SftpReplies.ExpectAttributes(reply, "STAT", path);
    }

    /// <summary>
    /// MKDIR with exactly <paramref name="mode"/> (set again after creation, since mkdir's mode
    /// passes through the server's umask). A directory already at <paramref name="path"/> (or a
    /// symbolic link to one) is fine and left as it is, mode included; anything else there is an
    /// error. The parent must exist.
    /// </summary>
    public async Task CreateDirectoryAsync(string path, UnixFileMode mode, CancellationToken ct)
    {
        var encoded = SftpPath.Encode(path, nameof(path));
        var reply = await _session.RequestAsync(SftpRequests.MakeDirectory(encoded, mode), ct).ConfigureAwait(false);
        var (status, message) = SftpReplies.ReadStatus(reply, "MKDIR");
        if (status == SftpStatus.Ok)
        {
            var chmod = await _session.RequestAsync(SftpRequests.SetPermissions(encoded, mode), ct).ConfigureAwait(false);
            SftpReplies.ExpectOk(chmod, "SETSTAT", path);
            return;
        }
        // OpenSSH's sftp-server reports EEXIST as a bare FAILURE: look at what is there.
        string? hint = null;
        if (status == SftpStatus.Failure)
        {
            var existing = await StatAsync(path, ct).ConfigureAwait(false);
            if (existing is { IsDirectory: true })
                return;
            if (existing is not null)
                hint = "the path exists and is not a directory";
        }
        throw new SftpException(status, message, "MKDIR", path, hint: hint);
    }

    /// <summary>
    /// Creates <paramref name="path"/> exclusively (OPEN with CREAT|EXCL|WRITE: an existing file
    /// is refused and left untouched), sets exactly <paramref name="mode"/> on it (FSETSTAT: the
    /// server's umask would trim the mode OPEN asks for), writes all of
    /// <paramref name="content"/> with many WRITE requests in flight, fsyncs when the server
    /// offers fsync@openssh.com, and closes it.
    ///
    /// On any failure (a refused request, the content stream failing, cancellation) it closes
    /// the handle and removes the partial file before the exception surfaces; those two requests
    /// run without cancellation. When the session itself broke, nobody is left to remove it and
    /// the partial file stays: upload under a temporary name and rename it into place.
    /// </summary>
    public async Task UploadAsync(string path, Stream content, UnixFileMode mode, CancellationToken ct)
    {
        var encoded = SftpPath.Encode(path, nameof(path));
        ArgumentNullException.ThrowIfNull(content);
        var opened = await _session.RequestAsync(
            SftpRequests.Open(encoded, SftpOpenFlags.Write | SftpOpenFlags.Create | SftpOpenFlags.Exclusive, mode), ct).ConfigureAwait(false);
        if (opened.Type == SftpPacketType.Status)
        {
            var (status, message) = SftpReplies.ReadStatus(opened, "OPEN");
            // EEXIST arrives as a bare FAILURE, like every other error: say which it was.
            if (status == SftpStatus.Failure && await ExistsAsync(encoded, ct).ConfigureAwait(false))
                throw new SftpException(status, message, "OPEN", path, hint: "the path already exists (an upload creates its file exclusively)");
        }
        var handle = SftpReplies.ExpectHandle(opened, "OPEN", path);

        var handleOpen = true;
        Task<SftpReply>? chmod = null;
        try
        {
            // Sent ahead of the data and checked after it: one round trip less.
            chmod = await _session.SendAsync(SftpRequests.FSetPermissions(handle, mode), ct).ConfigureAwait(false);
            await WriteAllAsync(handle, content, path, ct).ConfigureAwait(false);
            SftpReplies.ExpectOk(await chmod.ConfigureAwait(false), "FSETSTAT", path);
            if (_fsync)
                SftpReplies.ExpectOk(await _session.RequestAsync(SftpRequests.Fsync(handle), ct).ConfigureAwait(false), SftpExtensionNames.Fsync, path);
            var closed = await _session.SendAsync(SftpRequests.Close(handle), ct).ConfigureAwait(false);
            // The server lets go of the handle whatever CLOSE answers.
            handleOpen = false;
            SftpReplies.ExpectOk(await closed.ConfigureAwait(false), "CLOSE", path);
        }
        catch
        {
            if (chmod is not null)
                ObserveFailure(chmod);
            await AbandonAsync(handleOpen ? handle : null, encoded).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/>. With posix-rename@openssh.com
    /// (OpenSSH offers it) this is rename(2): atomic, and it replaces an existing
    /// <paramref name="to"/>. Without it, plain RENAME refuses an existing target (OpenSSH's
    /// sftp-server implements it as link + unlink); the error then says so.
    /// </summary>
    public async Task RenameAsync(string from, string to, CancellationToken ct)
    {
        var encodedFrom = SftpPath.Encode(from, nameof(from));
        var encodedTo = SftpPath.Encode(to, nameof(to));
        if (_posixRename)
        {
            var reply = await _session.RequestAsync(SftpRequests.PosixRename(encodedFrom, encodedTo), ct).ConfigureAwait(false);
            SftpReplies.ExpectOk(reply, SftpExtensionNames.PosixRename, from, to);
            return;
        }
        var renamed = await _session.RequestAsync(SftpRequests.Rename(encodedFrom, encodedTo), ct).ConfigureAwait(false);
        var (status, message) = SftpReplies.ReadStatus(renamed, "RENAME");
        if (status == SftpStatus.Ok)
            return;
        var hint = status == SftpStatus.Failure && await ExistsAsync(encodedTo, ct).ConfigureAwait(false)
            ? "the target exists: plain SFTP RENAME does not replace a file, and this server does not offer posix-rename@openssh.com"
            : null;
        throw new SftpException(status, message, "RENAME", from, to, hint);
    }

    /// <summary>
    /// Removes a file (not a directory). Returns false when there was nothing to remove (the
    /// server said NO_SUCH_FILE, which OpenSSH also says when a parent is not a folder), so a
    /// repeated remove is not an error.
    /// </summary>
    public async Task<bool> RemoveAsync(string path, CancellationToken ct)
    {
        var encoded = SftpPath.Encode(path, nameof(path));
        var reply = await _session.RequestAsync(SftpRequests.Remove(encoded), ct).ConfigureAwait(false);
        var (status, message) = SftpReplies.ReadStatus(reply, "REMOVE");
        return status switch
        {
            SftpStatus.Ok => true,
            SftpStatus.NoSuchFile => false,
            _ => throw new SftpException(status, message, "REMOVE", path),
        };
    }

    /// <summary>REALPATH: the server's absolute, canonical form of <paramref name="path"/> ("." is the starting folder).</summary>
    public async Task<string> RealPathAsync(string path, CancellationToken ct)
    {
        var encoded = SftpPath.Encode(path, nameof(path));
        var reply = await _session.RequestAsync(SftpRequests.RealPath(encoded), ct).ConfigureAwait(false);
        return SftpReplies.ExpectFirstName(reply, "REALPATH", path);
    }

    /// <summary>Fails calls still waiting (ObjectDisposedException) and closes both streams, which ends the server's subsystem.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    /// <summary>The data bytes per WRITE for a handle of this length.</summary>
    internal int WriteChunkLength(int handleLength) =>
        SftpLimits.WriteChunkLength(_limits, SftpRequests.WriteHeaderLength(handleLength));

    /// <summary>
    /// Streams <paramref name="content"/> as WRITE requests, keeping up to a window of them in
    /// flight. One buffer serves every packet: the content is read straight in behind the WRITE
    /// header, and the buffer is free again as soon as the packet is written to the stream.
    /// </summary>
    private async Task WriteAllAsync(byte[] handle, Stream content, string path, CancellationToken ct)
    {
        var chunk = WriteChunkLength(handle.Length);
        var headerLength = SftpRequests.WriteHeaderLength(handle.Length);
        var window = Math.Clamp(UploadWindowBytes / chunk, 2, MaxWritesInFlight);
        var inFlight = new Queue<Task<SftpReply>>(window);
        var buffer = ArrayPool<byte>.Shared.Rent(headerLength + chunk);
        try
        {
            ulong offset = 0;
            while (true)
            {
                var read = await content.ReadAtLeastAsync(buffer.AsMemory(headerLength, chunk), chunk, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (read == 0)
                    break;
                SftpRequests.WriteHeader(buffer, handle, offset, read);
                if (inFlight.Count == window)
                    SftpReplies.ExpectOk(await inFlight.Dequeue().ConfigureAwait(false), "WRITE", path);
                inFlight.Enqueue(await _session.SendAsync(buffer.AsMemory(0, headerLength + read), ct).ConfigureAwait(false));
                offset += (ulong)read;
                if (read < chunk)
                    break;
            }
            while (inFlight.Count > 0)
                SftpReplies.ExpectOk(await inFlight.Dequeue().ConfigureAwait(false), "WRITE", path);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var write in inFlight)
                ObserveFailure(write);
        }
    }

    /// <summary>After a failure nobody awaits the replies still due: mark their failures seen, so they are not reported as unobserved.</summary>
    private static void ObserveFailure(Task reply) =>
        _ = reply.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// Cleans up after a failed upload: closes the handle and removes the partial file. The
    /// server runs requests in order, so both come after any WRITE still queued there. Their own
    /// failures are dropped: the caller gets the error that started this.
    /// </summary>
    private async Task AbandonAsync(byte[]? handle, byte[] path)
    {
        try
        {
            if (handle is not null)
                await _session.RequestAsync(SftpRequests.Close(handle), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The session is gone or the server refused: the remove below may still work.
        }
        try
        {
            await _session.RequestAsync(SftpRequests.Remove(path), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Nothing more to do: the partial file stays.
        }
    }

    /// <summary>Whether STAT finds something at <paramref name="path"/>; only used to explain a FAILURE, so its own failure means "don't know" (false).</summary>
    private async Task<bool> ExistsAsync(byte[] path, CancellationToken ct)
    {
        try
        {
            var reply = await _session.RequestAsync(SftpRequests.Stat(path), ct).ConfigureAwait(false);
            return reply.Type == SftpPacketType.Attributes;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ReadVersion(SftpReply version)
    {
        if (version.Type != SftpPacketType.Version)
            throw new SftpProtocolException($"SFTP server answered INIT with {version.TypeName}, VERSION expected");
        // The server answers with the lower of its version and ours; below 3 the replies differ.
        if (version.Id != ProtocolVersion)
            throw new SftpProtocolException($"SFTP server speaks protocol version {version.Id}; this client speaks version {ProtocolVersion}");
        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new SftpReader(version.Body, "VERSION reply");
        while (reader.Remaining > 0)
        {
            var name = reader.ReadText("extension name");
            var value = reader.ReadText("extension version");
            extensions.TryAdd(name, value);
        }
        return extensions;
    }

    private static bool Offers(Dictionary<string, string> extensions, string name) =>
        extensions.TryGetValue(name, out var version) && version == SftpExtensionNames.Version1;
}

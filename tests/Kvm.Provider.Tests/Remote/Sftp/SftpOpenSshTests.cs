using System.Diagnostics;
using System.Runtime.Versioning;
using Kvm.Provider.Remote.Sftp;
using Xunit.Abstractions;

namespace Kvm.Provider.Tests.Remote.Sftp;

/// <summary>The client against OpenSSH's own sftp-server, one server and temp folder per test.</summary>
[SupportedOSPlatform("linux")]
public class SftpOpenSshTests(ITestOutputHelper output)
{
    private const UnixFileMode Rwxr_x___ = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode Rwxrwxrwx = (UnixFileMode)0b111_111_111;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_server_offers_the_extensions_the_client_relies_on_and_its_limits()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();

        Assert.Equal("1", client.Extensions["posix-rename@openssh.com"]);
        Assert.Equal("1", client.Extensions["fsync@openssh.com"]);
        Assert.Equal("1", client.Extensions["limits@openssh.com"]);
        Assert.Equal(256u * 1024, client.Limits!.MaxPacketLength);
        Assert.Equal(255u * 1024, client.Limits.MaxWriteLength);
        // A 4-byte handle: the whole 255 KiB fits one WRITE.
        Assert.Equal(255 * 1024, client.WriteChunkLength(4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32 * 1024)]
    [InlineData(32 * 1024 + 1)]
    [InlineData(5 * 1024 * 1024)]
    public async Task Upload_writes_the_exact_bytes_with_the_requested_mode(int size)
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        var content = TestBytes.Random(size, seed: size);

        await client.UploadAsync("file.bin", new MemoryStream(content), Rwxr_x___, default).WaitAsync(Deadline);

        Assert.Equal(content, await File.ReadAllBytesAsync(server.PathOf("file.bin")));
        Assert.Equal(Rwxr_x___, File.GetUnixFileMode(server.PathOf("file.bin")));
    }

    [Fact]
    public async Task Upload_sets_the_mode_the_umask_would_trim_and_works_with_32_KiB_writes_without_limits()
    {
        // -u 077 would leave 0700 of 0777; -P denies the extensions, so the client falls back
        // to 32 KiB writes and no fsync.
        await using var server = OpenSshSftpServer.Start("-u", "077", "-P", "limits,fsync");
        await using var client = await server.ConnectAsync();
        Assert.False(client.Extensions.ContainsKey("limits@openssh.com"));
        Assert.False(client.Extensions.ContainsKey("fsync@openssh.com"));
        Assert.Equal(32 * 1024, client.WriteChunkLength(4));
        var content = TestBytes.Random(300_001, seed: 7);

        await client.UploadAsync("wide", new MemoryStream(content), Rwxrwxrwx, default).WaitAsync(Deadline);

        Assert.Equal(content, await File.ReadAllBytesAsync(server.PathOf("wide")));
        Assert.Equal(Rwxrwxrwx, File.GetUnixFileMode(server.PathOf("wide")));
    }

    [Fact]
    public async Task Upload_refuses_an_existing_file_and_leaves_it_untouched()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        await File.WriteAllTextAsync(server.PathOf("taken"), "keep me");

        var e = await Assert.ThrowsAsync<SftpException>(() => client.UploadAsync("taken", new MemoryStream([1, 2, 3]), Rwxr_x___, default));

        // sftp-server maps EEXIST to a bare SSH_FX_FAILURE "Failure"; the client says why.
        Assert.Equal(SftpStatus.Failure, e.Status);
        Assert.Equal("Failure", e.ServerMessage);
        Assert.Equal("OPEN", e.Request);
        Assert.Equal("taken", e.Path);
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(server.PathOf("taken")));
    }

    [Fact]
    public async Task Rename_replaces_an_existing_target_atomically()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        await client.UploadAsync("new.tmp", new MemoryStream("new"u8.ToArray()), Rwxr_x___, default);
        await File.WriteAllTextAsync(server.PathOf("target"), "old");
        var inode = Inode(server.PathOf("new.tmp"));

        await client.RenameAsync("new.tmp", "target", default);

        Assert.Equal("new", await File.ReadAllTextAsync(server.PathOf("target")));
        Assert.False(File.Exists(server.PathOf("new.tmp")));
        // The very file uploaded took the name (rename(2)), not a copy.
        Assert.Equal(inode, Inode(server.PathOf("target")));
        Assert.True(await server.LoggedAsync("posix-rename"), server.Log);
    }

    [Fact]
    public async Task Without_posix_rename_a_rename_onto_an_existing_file_fails_and_says_why()
    {
        await using var server = OpenSshSftpServer.Start("-P", "posix-rename");
        await using var client = await server.ConnectAsync();
        Assert.False(client.Extensions.ContainsKey("posix-rename@openssh.com"));
        await File.WriteAllTextAsync(server.PathOf("a"), "a");
        await File.WriteAllTextAsync(server.PathOf("b"), "b");

        var e = await Assert.ThrowsAsync<SftpException>(() => client.RenameAsync("a", "b", default));
        Assert.Equal("RENAME", e.Request);
        Assert.Equal("b", e.TargetPath);
        Assert.Contains("posix-rename@openssh.com", e.Message, StringComparison.Ordinal);
        Assert.Equal("b", await File.ReadAllTextAsync(server.PathOf("b")));

        await client.RenameAsync("a", "c", default);
        Assert.Equal("a", await File.ReadAllTextAsync(server.PathOf("c")));
    }

    [Fact]
    public async Task Mkdir_creates_with_the_exact_mode_accepts_an_existing_directory_and_refuses_a_file()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();

        await client.CreateDirectoryAsync("dir", Rwxrwxrwx, default);
        Assert.True(Directory.Exists(server.PathOf("dir")));
        Assert.Equal(Rwxrwxrwx, File.GetUnixFileMode(server.PathOf("dir")));

        await client.CreateDirectoryAsync("dir", Rwxr_x___, default);
        Assert.Equal(Rwxrwxrwx, File.GetUnixFileMode(server.PathOf("dir")));

        await File.WriteAllTextAsync(server.PathOf("file"), "x");
        var e = await Assert.ThrowsAsync<SftpException>(() => client.CreateDirectoryAsync("file", Rwxr_x___, default));
        Assert.Equal(SftpStatus.Failure, e.Status);
        Assert.Contains("not a directory", e.Message, StringComparison.Ordinal);

        var missingParent = await Assert.ThrowsAsync<SftpException>(() => client.CreateDirectoryAsync("no/such", Rwxr_x___, default));
        Assert.Equal(SftpStatus.NoSuchFile, missingParent.Status);
    }

    [Fact]
    public async Task Stat_describes_files_and_directories_and_is_null_for_a_missing_path()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        await client.UploadAsync("f", new MemoryStream(new byte[1234]), Rwxr_x___, default);
        Directory.CreateDirectory(server.PathOf("d"));

        Assert.Null(await client.StatAsync("missing", default));
        Assert.Null(await client.StatAsync("missing/below", default));
        Assert.Equal(new SftpAttributes(1234, Rwxr_x___, IsDirectory: false, IsRegularFile: true), await client.StatAsync("f", default));
        var directory = await client.StatAsync("d", default);
        Assert.True(directory!.IsDirectory);
        Assert.False(directory.IsRegularFile);
    }

    [Fact]
    public async Task Remove_deletes_a_file_says_false_when_it_is_gone_and_refuses_a_directory()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        await File.WriteAllTextAsync(server.PathOf("f"), "x");
        Directory.CreateDirectory(server.PathOf("d"));

        Assert.True(await client.RemoveAsync("f", default));
        Assert.False(File.Exists(server.PathOf("f")));
        Assert.False(await client.RemoveAsync("f", default));
        var e = await Assert.ThrowsAsync<SftpException>(() => client.RemoveAsync("d", default));
        Assert.Equal("REMOVE", e.Request);
    }

    [Fact]
    public async Task Realpath_resolves_against_the_starting_folder()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        Directory.CreateDirectory(server.PathOf("sub"));

        Assert.Equal(server.Root, await client.RealPathAsync(".", default));
        Assert.Equal(server.PathOf("sub"), await client.RealPathAsync("sub/../sub/.", default));
    }

    [Fact]
    public async Task Non_ascii_paths_travel_as_utf8()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();

        await client.UploadAsync("größe-ü.bin", new MemoryStream([42]), Rwxr_x___, default);

        Assert.Equal([42], await File.ReadAllBytesAsync(server.PathOf("größe-ü.bin")));
        Assert.Equal(1, (await client.StatAsync("größe-ü.bin", default))!.Size);
    }

    [Fact]
    public async Task A_cancelled_upload_leaves_no_partial_file_and_the_client_goes_on()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        using var cancel = new CancellationTokenSource();
        var content = new ScriptedStream(5 * 1024 * 1024, afterBytes: 1024 * 1024, () => cancel.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.UploadAsync("partial", content, Rwxr_x___, cancel.Token)).WaitAsync(Deadline);

        Assert.False(File.Exists(server.PathOf("partial")));
        Assert.Null(await client.StatAsync("partial", default));
        Assert.True(await server.LoggedAsync("remove name"), server.Log);
    }

    [Fact]
    public async Task An_upload_whose_content_fails_leaves_no_partial_file_and_rethrows_that_failure()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        var content = new ScriptedStream(5 * 1024 * 1024, afterBytes: 1024 * 1024, () => throw new IOException("disk read error"));

        var e = await Assert.ThrowsAsync<IOException>(() => client.UploadAsync("partial", content, Rwxr_x___, default)).WaitAsync(Deadline);

        Assert.Equal("disk read error", e.Message);
        Assert.False(File.Exists(server.PathOf("partial")));
    }

    [Fact]
    public async Task A_server_killed_mid_upload_fails_the_upload_with_a_protocol_error()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        var content = new ScriptedStream(20 * 1024 * 1024, afterBytes: 1024 * 1024, () =>
        {
            server.Kill();
            while (!server.HasExited) Thread.Sleep(1);
        });

        var e = await Assert.ThrowsAsync<SftpProtocolException>(() => client.UploadAsync("partial", content, Rwxr_x___, default)).WaitAsync(Deadline);

        output.WriteLine(e.Message);
        // The session is over: later calls fail at once, with the same cause.
        await Assert.ThrowsAsync<SftpProtocolException>(() => client.StatAsync("partial", default)).WaitAsync(Deadline);
    }

    [Fact]
    public async Task Concurrent_calls_share_one_session()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        var contents = Enumerable.Range(0, 4).Select(i => TestBytes.Random(700_000 + i, seed: i)).ToArray();

        var uploads = contents.Select((c, i) => client.UploadAsync($"u{i}", new MemoryStream(c), Rwxr_x___, default));
        var stats = Enumerable.Range(0, 200).Select(_ => client.StatAsync(".", default));
        await Task.WhenAll([.. uploads, .. stats]).WaitAsync(Deadline);

        for (var i = 0; i < contents.Length; i++)
            Assert.Equal(contents[i], await File.ReadAllBytesAsync(server.PathOf($"u{i}")));
    }

    [Fact]
    public async Task Upload_of_20_MB_reports_its_time()
    {
        await using var server = OpenSshSftpServer.Start();
        await using var client = await server.ConnectAsync();
        var content = TestBytes.Random(20_000_000, seed: 20);

        var clock = Stopwatch.StartNew();
        await client.UploadAsync("big", new MemoryStream(content), Rwxr_x___, default).WaitAsync(Deadline);
        clock.Stop();

        output.WriteLine($"20 MB upload to a local sftp-server over pipes: {clock.Elapsed.TotalMilliseconds:F0} ms ({content.Length / clock.Elapsed.TotalSeconds / 1e6:F0} MB/s)");
        Assert.Equal(content, await File.ReadAllBytesAsync(server.PathOf("big")));
    }

    private static string Inode(string path)
    {
        var start = new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true };
        using var stat = Process.Start(start)!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return inode;
    }
}

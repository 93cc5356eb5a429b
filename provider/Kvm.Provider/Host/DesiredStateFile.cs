using System.Collections.Concurrent;

namespace Kvm.Provider.Host;

/// <summary>
/// The desired-state file on the host. Every change is a read-modify-write under a lock (one writer at a time:
/// the plugin's own concurrent steps, and other processes such as a second stack's provider or `restore`,
/// through an flock on a lock file beside it), written to a temporary file in the same folder, flushed to disk
/// and renamed over the old one, so a crash or power cut leaves either the old file or the new, never half of one.
/// </summary>
internal sealed class DesiredStateFile(string path)
{
    public const string FileName = "desired-state.json";

    // Several ProviderHosts (configurations) in one process may name the same file.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcess = new(StringComparer.Ordinal);

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public static DesiredStateFile InFolder(string folder) => new(System.IO.Path.Combine(folder, FileName));

    /// <summary>The state in the file; empty when there is no file yet.</summary>
    /// <exception cref="FormatException">The file is not one this version reads.</exception>
    public DesiredState Load() => File.Exists(Path) ? DesiredState.Parse(File.ReadAllText(Path)) : DesiredState.Empty;

    /// <summary>Applies <paramref name="change"/> to the file's state and writes the result, unless it is the same.</summary>
    public Task UpdateAsync(Func<DesiredState, DesiredState> change, CancellationToken ct) =>
        UpdateAsync(change, _ => true, ct);

    /// <summary>
    /// The same, then <paramref name="afterwards"/> with the state the file holds, still under the lock: what is kept
    /// beside the file (the boot unit) follows it without a second writer slipping in between.
    /// </summary>
    public async Task<T> UpdateAsync<T>(Func<DesiredState, DesiredState> change, Func<DesiredState, T> afterwards, CancellationToken ct)
    {
        var gate = InProcess.GetOrAdd(Path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var folder = System.IO.Path.GetDirectoryName(Path)!;
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var fileLock = await LockAsync(Path + ".lock", ct).ConfigureAwait(false);
            var before = Load();
            var after = change(before);
            var text = after.ToJson();
            if (!File.Exists(Path) || before.ToJson() != text) WriteAtomically(text);
            return afterwards(after);
        }
        finally
        {
            gate.Release();
        }
    }

    private void WriteAtomically(string text)
    {
        var temp = $"{Path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            // The file lists the host's addresses and routes: only its owner (root) reads it.
            using (var stream = new FileStream(temp, OwnerOnly(new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write })))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>An exclusive flock on the lock file (.NET takes one for FileShare.None), waited for up to <see cref="LockTimeout"/>.</summary>
    private static async Task<FileStream> LockAsync(string lockPath, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, OwnerOnly(new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None }));
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(lockPath))
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
            }
        }
    }

    private static FileStreamOptions OwnerOnly(FileStreamOptions options)
    {
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }
}

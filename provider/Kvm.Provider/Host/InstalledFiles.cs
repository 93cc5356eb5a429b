using System.Collections.Concurrent;

namespace Kvm.Provider.Host;

/// <summary>
/// Files the provider installs on the host for programs that run without it (libvirt's qemu hook, the boot unit
/// and their copies of the binary). Each is written to a temporary file in the same folder and renamed into place,
/// so whatever runs it (libvirtd, systemd at boot) sees the old file or the new one, never half of one; and only
/// when its content differs.
/// </summary>
internal static class InstalledFiles
{
    public const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    // A binary copy is compared byte by byte once per process (a 19 MB read); afterwards its size and time stamp
    // standing as they were after that comparison are enough, so recording 200 bridges does not read it 200 times.
    private static readonly ConcurrentDictionary<string, (Stamp Source, Stamp Target)> Verified = new(StringComparer.Ordinal);

    private readonly record struct Stamp(string Path, long Length, DateTime Written)
    {
        public static Stamp Of(string path) => new FileInfo(path) is var f ? new(path, f.Length, f.LastWriteTimeUtc) : default;
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> as an executable unless it holds the same bytes. True when it wrote.</summary>
    public static bool CopyIfDifferent(string source, string target)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the files the provider installs are for Linux hosts");
        var exists = File.Exists(target);
        if (exists && Verified.TryGetValue(target, out var seen) && seen.Source == Stamp.Of(source) && seen.Target == Stamp.Of(target))
            return false;
        var wrote = false;
        if (!exists || !SameContent(source, target))
        {
            Replace(target, temp => File.Copy(source, temp, overwrite: true), Executable);
            wrote = true;
        }
        Verified[target] = (Stamp.Of(source), Stamp.Of(target));
        return wrote;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="target"/> with <paramref name="mode"/> unless both already hold. True when it wrote.</summary>
    public static bool WriteIfDifferent(string target, string content, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the files the provider installs are for Linux hosts");
        if (File.Exists(target) && File.ReadAllText(target) == content && File.GetUnixFileMode(target) == mode) return false;
        Replace(target, temp => File.WriteAllText(temp, content), mode);
        return true;
    }

    /// <summary>Removes a file the provider installed; one already gone is fine. True when it removed one.</summary>
    public static bool Remove(string path)
    {
        Verified.TryRemove(path, out _);
        if (!File.Exists(path) && !IsSymlink(path)) return false;
        File.Delete(path);
        return true;
    }

    public static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    private static void Replace(string target, Action<string> write, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the files the provider installs are for Linux hosts");
        var temp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            write(temp);
            File.SetUnixFileMode(temp, mode);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) stream.Flush(flushToDisk: true);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static bool SameContent(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (fa.Length != fb.Length) return false;
        using var sa = fa.OpenRead();
        using var sb = fb.OpenRead();
        var bufA = new byte[1 << 16];
        var bufB = new byte[1 << 16];
        while (true)
        {
            var n = sa.ReadAtLeast(bufA, bufA.Length, throwOnEndOfStream: false);
            var m = sb.ReadAtLeast(bufB, bufB.Length, throwOnEndOfStream: false);
            if (n != m || !bufA.AsSpan(0, n).SequenceEqual(bufB.AsSpan(0, m))) return false;
            if (n == 0) return true;
        }
    }
}

namespace Kvm.SdkGen;

/// <summary>Writes a set of generated files into a directory, or compares them with what is there.</summary>
public static class OutputTree
{
    /// <summary>
    /// Makes <paramref name="dir"/> hold exactly <paramref name="files"/> among the files
    /// <paramref name="owns"/> selects: writes new and changed files, deletes stale owned ones, and
    /// leaves everything else (build output, hand-written files) alone. Returns the paths it changed.
    /// </summary>
    public static List<string> Write(string dir, IReadOnlyDictionary<string, byte[]> files, Func<string, bool> owns)
    {
        var changed = new List<string>();
        foreach (var stale in Diff(dir, files, owns).Where(d => d.Kind == DiffKind.Extra))
        {
            File.Delete(Path.Combine(dir, stale.Path));
            changed.Add(stale.Path);
        }
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(dir, path);
            if (File.Exists(full) && File.ReadAllBytes(full).AsSpan().SequenceEqual(bytes)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
            changed.Add(path);
        }
        // Drop directories the deletions emptied (never the root).
        if (Directory.Exists(dir))
            foreach (var d in Directory.GetDirectories(dir, "*", SearchOption.AllDirectories).OrderByDescending(x => x.Length))
                if (!Directory.EnumerateFileSystemEntries(d).Any()) Directory.Delete(d);
        return changed;
    }

    public enum DiffKind { Missing, Changed, Extra }

    public readonly record struct Difference(DiffKind Kind, string Path);

    /// <summary>What differs between <paramref name="dir"/> and <paramref name="files"/>, sorted by path.</summary>
    public static List<Difference> Diff(string dir, IReadOnlyDictionary<string, byte[]> files, Func<string, bool> owns)
    {
        var result = new List<Difference>();
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(dir, path);
            if (!File.Exists(full)) result.Add(new(DiffKind.Missing, path));
            else if (!File.ReadAllBytes(full).AsSpan().SequenceEqual(bytes)) result.Add(new(DiffKind.Changed, path));
        }
        if (Directory.Exists(dir))
        {
            foreach (var full in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var rel = Path.GetRelativePath(dir, full).Replace('\\', '/');
                if (!files.ContainsKey(rel) && owns(rel)) result.Add(new(DiffKind.Extra, rel));
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    /// <summary>Ownership of the SDK directory: everything but build output.</summary>
    public static bool SdkOwns(string rel) =>
        !(rel.StartsWith("bin/", StringComparison.Ordinal) || rel.StartsWith("obj/", StringComparison.Ordinal));
}

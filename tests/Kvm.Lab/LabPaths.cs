namespace Kvm.Lab;

/// <summary>Where the repo, the lab scripts and the lab's cache folder are.</summary>
public static class LabPaths
{
    private static readonly Lazy<string> root = new(FindRepoRoot);

    /// <summary>The repo root: the first folder above the test binaries that holds KvmProvider.sln.</summary>
    public static string RepoRoot => root.Value;

    /// <summary>tests/lab: the shell scripts that do the lab's work (the fixtures call them).</summary>
    public static string Scripts => Path.Combine(RepoRoot, "tests", "lab");

    /// <summary>Everything downloaded or built: <c>&lt;repo&gt;/.cache</c> (git-ignored), or $KVM_LAB_CACHE.</summary>
    public static string Cache =>
        Environment.GetEnvironmentVariable("KVM_LAB_CACHE") is { Length: > 0 } c ? c : Path.Combine(RepoRoot, ".cache");

    /// <summary>The full path of one lab script.</summary>
    public static string Script(string name) => Path.Combine(Scripts, name);

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "KvmProvider.sln")))
                    return d.FullName;
        }
        throw new InvalidOperationException($"no KvmProvider.sln above {AppContext.BaseDirectory}");
    }
}

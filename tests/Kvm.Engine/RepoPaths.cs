namespace Kvm.Engine;

/// <summary>Where the repository and the built plugin are, wherever the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The NativeAOT plugin `make build` publishes (override with KVM_PROVIDER_BINARY).</summary>
    public static string ProviderBinary =>
        Environment.GetEnvironmentVariable("KVM_PROVIDER_BINARY") is { Length: > 0 } p ? p : Path.Combine(Root, "bin", "pulumi-resource-kvm");

    /// <summary>The project's version: the one line of VERSION, which the binary, the schema, the SDK and the release archives carry.</summary>
    public static string Version => File.ReadAllText(Path.Combine(Root, "VERSION")).Trim();

    /// <summary>Where `make dist` writes the release: plugin archives, checksums, the Pulumi.Kvm package.</summary>
    public static string DistDir => Path.Combine(Root, "artifacts", "dist");

    /// <summary>The release archive of the plugin for a platform (<c>linux-amd64</c>), named as the engine downloads it.</summary>
    public static string ReleaseArchive(string platform) => Path.Combine(DistDir, $"pulumi-resource-kvm-v{Version}-{platform}.tar.gz");

    /// <summary>The kernel VM's NativeAOT runner (tests/Kvm.VmTests) `make vmtests` publishes.</summary>
    public static string VmTestsRunner => Path.Combine(Root, "bin", "vmtests", "kvm-vm-tests");

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("KVM_REPO_ROOT") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KvmProvider.sln"))) return dir.FullName;
        }
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KvmProvider.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("cannot find the repository root (KvmProvider.sln) above " + AppContext.BaseDirectory);
    }
}

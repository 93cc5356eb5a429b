namespace Kvm.Engine;

/// <summary>Where the repository and the built plugin are, wherever the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The NativeAOT plugin `make build` publishes (override with KVM_PROVIDER_BINARY).</summary>
    public static string ProviderBinary =>
        Environment.GetEnvironmentVariable("KVM_PROVIDER_BINARY") is { Length: > 0 } p ? p : Path.Combine(Root, "bin", "pulumi-resource-kvm");

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

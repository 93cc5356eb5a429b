namespace Kvm.Sdk.Tests;

internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string At(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KvmProvider.sln"))) return dir.FullName;
        throw new InvalidOperationException("no repository root above " + AppContext.BaseDirectory);
    }

    /// <summary>A reference assembly copied beside the test assembly by its ProjectReference.</summary>
    public static string ReferenceAssembly(string assembly)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException("the test project should copy it beside the tests", path);
        return path;
    }
}

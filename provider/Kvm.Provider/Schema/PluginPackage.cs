namespace Kvm.Provider.Schema;

/// <summary>The package this plugin is: its name in type tokens, its version and where it is published, as the schema, the engine and a remote agent see them.</summary>
internal static class PluginPackage
{
    public const string Name = "kvm";

    /// <summary>The build's version (the repository's VERSION file): GetPluginInfo reports it, the schema carries it, and a remote agent must match it.</summary>
    public const string Version = PluginBuildInfo.Version;

    /// <summary>The project's source repository (the schema's <c>repository</c> and <c>homepage</c>, the SDK package's repository URL).</summary>
    public const string RepositoryUrl = PluginBuildInfo.RepositoryUrl;

    /// <summary>
    /// Where the engine downloads <c>pulumi-resource-kvm-v{version}-{os}-{arch}.tar.gz</c> from when a
    /// program asks for a version it does not have (the schema's <c>pluginDownloadURL</c>, which the SDK
    /// passes on every resource): a <c>github://api.github.com/OWNER/REPO</c> release or an https folder.
    /// </summary>
    public const string PluginDownloadUrl = PluginBuildInfo.PluginDownloadUrl;
}

using System.Reflection;

namespace Kvm.Provider.Schema;

/// <summary>The package this plugin is: its name in type tokens and its version, as the schema, the engine and a remote agent see them.</summary>
internal static class PluginPackage
{
    public const string Name = "kvm";

    /// <summary>The build's informational version: GetPluginInfo reports it, the schema carries it, and a remote agent must match it.</summary>
    public static string Version { get; } =
        typeof(PluginPackage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Remote;

/// <summary>
/// This plugin's own executable, which is what runs on a remote host as the agent: its version and
/// content hash name the copy there (<c>~/.pulumi-kvm/bin/pulumi-resource-kvm-VERSION-HASH</c>), so
/// a copy of another version or build is never mistaken for this one.
/// </summary>
internal sealed record PluginBinary(string Path, string Version, string Sha256)
{
    /// <summary>The folder of agent binaries in the remote user's home (sftp and ssh both start there).</summary>
    public const string RemoteFolder = ".pulumi-kvm/bin";

    /// <summary>The agent's file name on a host: version and the first 16 hex digits of the SHA-256.</summary>
    public string RemoteName => $"pulumi-resource-kvm-{Version}-{Sha256[..16]}";

    /// <summary>The agent's path relative to the remote user's home.</summary>
    public string RemotePath => $"{RemoteFolder}/{RemoteName}";

    /// <summary>The running plugin. Remote hosts need the self-contained NativeAOT build: a JIT build's executable is only a launcher.</summary>
    public static PluginBinary Current()
    {
        if (RuntimeFeature.IsDynamicCodeCompiled)
            throw new InvalidOperationException("remote hosts need the published NativeAOT plugin (make build): this is a JIT build, whose executable cannot run on its own on another machine");
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell the path of the plugin's own executable");
        return new PluginBinary(path, PluginPackage.Version, HashOf(path));
    }

    public static string HashOf(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}

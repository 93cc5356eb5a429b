using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Kvm.Engine;

/// <summary>
/// The engine's plugin cache, <c>$PULUMI_HOME/plugins</c>, installed into and looked up the way the
/// Pulumi CLI does it (pulumi/pulumi: pkg/pluginstorage/download.go UnpackContents,
/// sdk/go/common/util/archive ExtractTGZ, sdk/go/common/workspace/plugins.go GetPluginsFromDir and
/// getPluginInfoAndPath), so a test can run the plugin a user's `pulumi up` would run after
/// downloading a release archive or `pulumi plugin install resource kvm VERSION --file ARCHIVE`.
/// </summary>
public sealed partial class PluginCache(string pulumiHome)
{
    /// <summary><c>$PULUMI_HOME/plugins</c>.</summary>
    public string PluginsDir { get; } = Path.Combine(pulumiHome, "plugins");

    /// <summary>The folder a plugin is installed in: <c>KIND-NAME-vVERSION</c> (PluginDescriptor.Dir).</summary>
    public string DirOf(string kind, string name, string version) => Path.Combine(PluginsDir, $"{kind}-{name}-v{version}");

    /// <summary>
    /// Installs a plugin archive as the engine does: the <c>.lock</c> file held while installing, a
    /// <c>.partial</c> marker until it is complete, the archive extracted as it is into the plugin's
    /// folder (folders, regular files with their modes and symlinks only, none reaching outside it).
    /// A folder already installed (no marker) is left as it is. The engine then installs dependencies when the folder holds a PulumiPlugin.yaml (it starts the
    /// language runtime that file names); a binary plugin has none, so one found here is an error.
    /// </summary>
    public string Install(string kind, string name, string version, string archive)
    {
        var dir = DirOf(kind, name, version);
        Directory.CreateDirectory(PluginsDir);
        using var installLock = new FileStream(dir + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        // Installed already (the folder without a .partial marker): the engine leaves it as it is.
        if (Directory.Exists(dir) && !File.Exists(dir + ".partial")) return dir;
        File.WriteAllBytes(dir + ".partial", []);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        Extract(archive, dir);
        var pluginYaml = Path.Combine(dir, "PulumiPlugin.yaml");
        if (File.Exists(pluginYaml))
            throw new InvalidOperationException($"{archive} holds a PulumiPlugin.yaml: the engine would now run the dependency install of the language runtime it names in {dir}, and leave the plugin half-installed (.partial) when that fails");
        File.Delete(dir + ".partial");
        return dir;
    }

    /// <summary>
    /// The executable the engine runs for KIND NAME at exactly VERSION (SelectCompatiblePlugin): a
    /// folder named KIND-NAME-vVERSION that has no <c>.partial</c> marker, holding <c>pulumi-KIND-NAME</c>.
    /// Like the engine, it records the use in a <c>.lastused</c> file beside the folder.
    /// </summary>
    public string Resolve(string kind, string name, string version)
    {
        var installed = Directory.Exists(PluginsDir)
            ? Directory.GetDirectories(PluginsDir)
                .Select(d => (Dir: d, Match: PluginFolder().Match(Path.GetFileName(d))))
                .Where(p => p.Match.Success && !File.Exists(p.Dir + ".partial"))
                .ToList()
            : [];
        var match = installed.FirstOrDefault(p => p.Match.Groups["kind"].Value == kind && p.Match.Groups["name"].Value == name && p.Match.Groups["version"].Value == version);
        if (match.Dir is null)
            throw new FileNotFoundException($"no {kind} plugin {name} v{version} in {PluginsDir} (installed: {string.Join(", ", installed.Select(p => Path.GetFileName(p.Dir)))})");
        File.WriteAllBytes(match.Dir + ".lastused", []);
        return Path.Combine(match.Dir, $"pulumi-{kind}-{name}");
    }

    private static void Extract(string archive, string dir)
    {
        var root = Path.GetFullPath(dir);
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            var path = Path.GetFullPath(Path.Combine(root, entry.Name));
            if (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException($"tar entry {entry.Name} escapes {root}");
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    entry.ExtractToFile(path, overwrite: true);
                    if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, entry.LinkName));
                    if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        throw new InvalidDataException($"symlink {entry.Name} points outside {root}");
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                default:
                    throw new InvalidDataException($"unexpected plugin file type {entry.Name} ({entry.EntryType})");
            }
        }
    }

    /// <summary>The engine's pluginRegexp: KIND-NAME-vVERSION.</summary>
    [GeneratedRegex(@"^(?<kind>[a-z]+)-(?<name>[a-zA-Z0-9-][a-zA-Z0-9-_.]*[a-zA-Z0-9])-v(?<version>.*)$")]
    private static partial Regex PluginFolder();
}

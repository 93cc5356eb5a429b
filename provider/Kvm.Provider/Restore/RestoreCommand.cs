using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Pulumirpc;

namespace Kvm.Provider.Restore;

/// <summary>
/// `pulumi-resource-kvm restore --state FILE [--netns NAME]`: what the host runs at boot to get back the networking
/// the provider declared (see <see cref="DesiredStateFile"/>), without Pulumi or the engine.
/// </summary>
internal static class RestoreCommand
{
    public const string Command = "restore";

    public const string Usage = """
        usage: pulumi-resource-kvm restore --state FILE [--netns NAME|PATH]
          Re-applies the host networking recorded in FILE (persistDir/desired-state.json) with the provider's own
          netlink code: bridges with their settings, ports, port options, addresses and routes, Open vSwitch bridges'
          internal ports (up, addresses, routes; Open vSwitch keeps the rest), then VLAN tables.
          --netns   only the entries of that network namespace (as the provider's netns named it)
          Applying what already holds changes nothing. Exit code 0: everything applied; 1: something could not be
          (one line per problem on stderr; the rest was still applied); 2: bad arguments or an unreadable file.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stderr)
    {
        string? state = null, netns = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 0;
                case "--state" when i + 1 < args.Length: state = args[++i]; break;
                case "--netns" when i + 1 < args.Length: netns = args[++i]; break;
                case var a when a.StartsWith("--state=", StringComparison.Ordinal): state = a["--state=".Length..]; break;
                case var a when a.StartsWith("--netns=", StringComparison.Ordinal): netns = a["--netns=".Length..]; break;
                default:
                    await stderr.WriteLineAsync($"restore: unexpected argument \"{args[i]}\"\n{Usage}").ConfigureAwait(false);
                    return 2;
            }
        }
        if (state is null)
        {
            await stderr.WriteLineAsync($"restore: --state FILE is required\n{Usage}").ConfigureAwait(false);
            return 2;
        }

        DesiredState desired;
        try
        {
            desired = DesiredState.Parse(await File.ReadAllTextAsync(state).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            await stderr.WriteLineAsync($"restore: cannot read {state}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        var problems = 0;
        void Problem(string line)
        {
            problems++;
            lock (stderr) stderr.WriteLine($"restore: {line}");
        }
        var namespaces = desired.Namespaces.Where(n => netns is null || n.Key == netns).ToList();
        if (netns is not null && namespaces.Count == 0)
            await stderr.WriteLineAsync($"restore: {state} records nothing for namespace {netns}; nothing to do").ConfigureAwait(false);
        foreach (var (ns, entries) in namespaces)
        {
            var config = new ProviderConfig { Netns = ns.Length == 0 ? null : ns };
            if (config.Validate().FirstOrDefault() is { } bad)
            {
                Problem($"namespace {ns}: {bad.Reason}; its {entries.Kinds.Sum(k => k.Value.Count)} entries were not applied");
                continue;
            }
            using var host = new ProviderHost(new StderrLog(stderr));
            host.Configure(config);
            await new HostRestorer(host, Problem).RestoreAsync(entries, CancellationToken.None).ConfigureAwait(false);
        }
        return problems == 0 ? 0 : 1;
    }

    /// <summary>The appliers' warnings (a port that moved, a table reset) go to stderr; there is no engine at boot.</summary>
    private sealed class StderrLog(TextWriter stderr) : IEngineLog
    {
        public Task LogAsync(LogSeverity severity, string message, string? urn = null)
        {
            if (severity >= LogSeverity.Warning)
                lock (stderr) stderr.WriteLine($"restore: {severity.ToString().ToLowerInvariant()}: {message}");
            return Task.CompletedTask;
        }

        /// <summary>A boot-time run reports what it did and what failed, not what it is waiting for.</summary>
        public Task StatusAsync(string message, string? urn = null) => Task.CompletedTask;
    }
}

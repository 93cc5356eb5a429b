using Google.Protobuf;
using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Remote;
using Kvm.Provider.Remote.Wire;
using Kvm.Provider.Resources;
using Kvm.Provider.Rpc;
using Kvm.Provider.Values;
using Kvm.SdkGen.Schema;
using Pulumirpc;

namespace Kvm.Provider.Discovery;

/// <summary>`pulumi-resource-kvm discover [--host H] [--uri U] [--netns N | --host-netns N] [--ovsdb-socket PATH] [--out FILE] [--format import|csharp]`.</summary>
internal static class DiscoverCommand
{
    public const string Usage = """
        usage: pulumi-resource-kvm discover [--host [USER@]HOST[:PORT]] [--uri URI] [--netns NAME|PATH | --host-netns NAME|PATH]
                                            [--ovsdb-socket PATH] [--out FILE] [--format import|csharp]
          Scans the host read-only and writes what it would manage:
            --format import   Pulumi's bulk import file, for `pulumi import --file FILE` (the default)
            --format csharp   a C# program declaring the same resources with the Pulumi.Kvm SDK
            --host            scan a remote KVM host over ssh (as the provider's `host` setting does)
            --ovsdb-socket    Open vSwitch's database socket (default /run/openvswitch/db.sock; on the host)
          What it leaves out, and why, goes to stderr. Exit code 3: the output is written, but some
          objects could not be read (each named on stderr, with the reason).
        """;

    /// <summary>The exit code when the output is written but some objects could not be read.</summary>
    public const int SomeUnreadable = 3;

    private sealed record Options(string? Uri, string? Netns, string? Host, string? HostNetns, string? Output, string Format, string? OvsdbSocket);

    public static async Task<int> RunAsync(string[] args, Stream stdout, TextWriter stderr)
    {
        if (Parse(args, stderr, out var help) is not { } o) return help ? 0 : 2;
        var config = new ProviderConfig { Uri = o.Uri, Netns = o.Netns, Host = o.Host, HostNetns = o.HostNetns, OvsdbSocket = o.OvsdbSocket };
        var problems = config.Validate().ToList();
        if (problems.Count > 0)
        {
            foreach (var p in problems) await stderr.WriteLineAsync($"discover: --{Flag(p.Property)}: {p.Reason}").ConfigureAwait(false);
            return 2;
        }

        byte[] text;
        int exitCode;
        if (config.Remote is { } target)
        {
            (exitCode, text) = await RunRemotelyAsync(target, o.Format, stderr).ConfigureAwait(false);
            if (exitCode is not (0 or SomeUnreadable)) return exitCode;
            await stderr.WriteLineAsync($"discover: these resources are on {target.Destination}: configure the stack's provider for it (pulumi config set kvm:host {target.Destination}) before `pulumi import`").ConfigureAwait(false);
        }
        else
        {
            (exitCode, text) = await RunHereAsync(config, o.Format, stderr).ConfigureAwait(false);
            if (exitCode is not (0 or SomeUnreadable)) return exitCode;
        }

        if (o.Output is null)
        {
            stdout.Write(text);
            stdout.Flush();
        }
        else
        {
            await File.WriteAllBytesAsync(o.Output, text).ConfigureAwait(false);
            await stderr.WriteLineAsync($"discover: wrote {o.Output}").ConfigureAwait(false);
        }
        return exitCode;
    }

    /// <summary>The agent's Discover call: discover on this host, its output and diagnostics returned instead of written.</summary>
    public static async Task<DiscoverResponse> ServeAsync(DiscoverRequest request, CancellationToken ct)
    {
        using var diagnostics = new StringWriter();
        var o = Parse([.. request.Args], diagnostics, out _);
        if (o is not null && (o.Host is not null || o.HostNetns is not null || o.Output is not null))
        {
            await diagnostics.WriteLineAsync("discover: on a remote host, --host, --host-netns and --out are the workstation's business").ConfigureAwait(false);
            o = null;
        }
        if (o is null) return new DiscoverResponse { ExitCode = 2, Diagnostics = diagnostics.ToString() };
        var config = new ProviderConfig { Uri = o.Uri, Netns = o.Netns, OvsdbSocket = o.OvsdbSocket };
        var problems = config.Validate(onRemoteHost: true).ToList();
        foreach (var p in problems) await diagnostics.WriteLineAsync($"discover: --{Flag(p.Property)}: {p.Reason}").ConfigureAwait(false);
        if (problems.Count > 0 || config.Remote is not null) return new DiscoverResponse { ExitCode = 2, Diagnostics = diagnostics.ToString() };
        var (exitCode, text) = await RunHereAsync(config, o.Format, diagnostics).ConfigureAwait(false);
        return new DiscoverResponse { ExitCode = exitCode, Output = ByteString.CopyFrom(text), Diagnostics = diagnostics.ToString() };
    }

    private static Options? Parse(string[] args, TextWriter stderr, out bool help)
    {
        help = false;
        string? uri = null, netns = null, host = null, hostNetns = null, output = null, format = "import", ovsdbSocket = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--uri": uri = Next(); break;
                    case "--netns": netns = Next(); break;
                    case "--host": host = Next(); break;
                    case "--host-netns": hostNetns = Next(); break;
                    case "--out": output = Next(); break;
                    case "--ovsdb-socket": ovsdbSocket = Next(); break;
                    case "--format": format = Next(); break;
                    case "-h" or "--help":
                        stderr.WriteLine(Usage);
                        help = true;
                        return null;
                    default: throw new ArgumentException($"unknown argument {args[i]}");
                }
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"discover: {e.Message}\n{Usage}");
                return null;
            }
        }
        if (format is not ("import" or "csharp"))
        {
            stderr.WriteLine($"discover: --format is import or csharp, not {format}");
            return null;
        }
        return new Options(uri, netns, host, hostNetns, output, format, ovsdbSocket);
    }

    private static string Flag(string property) => property switch
    {
        "hostNetns" => "host-netns",
        "ovsdbSocket" => "ovsdb-socket",
        _ => property,
    };

    private static async Task<(int ExitCode, byte[] Text)> RunHereAsync(ProviderConfig config, string format, TextWriter stderr)
    {
        // The resources' warnings (what an import leaves unmanaged) go to stderr with the rest.
        using var host = new ProviderHost(new StderrLog(stderr, LogSeverity.Warning));
        host.Configure(config);
        var resources = ResourceCatalog.Create(host);
        DiscoveryResult result;
        try
        {
            result = await new HostDiscovery(host, resources.ToDictionary(r => r.Token)).RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ProviderException or Netlink.NetlinkException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"discover: {e.Message}").ConfigureAwait(false);
            return (1, []);
        }

        foreach (var l in result.LeftOut) await stderr.WriteLineAsync($"discover: {(l.Unreadable ? "skipped" : "left out")} {l.What}: {l.Reason}").ConfigureAwait(false);
        await stderr.WriteLineAsync($"discover: found {result.Resources.Count} resources: " +
            string.Join(", ", result.Resources.GroupBy(r => r.Token).Select(g => $"{g.Count()} {g.Key.Split(':')[^1]}"))).ConfigureAwait(false);

        var text = format == "import"
            ? ImportFile.Render(result)
            : new CSharpProgram(SchemaLoader.Load(new Rpc.ResourceRegistry(resources).SchemaJson)).Render(result);
        return (result.LeftOut.Any(l => l.Unreadable) ? SomeUnreadable : 0, System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Runs discover in the plugin's agent on the host (installing it there if needed) and brings back what it found.</summary>
    private static async Task<(int ExitCode, byte[] Text)> RunRemotelyAsync(RemoteTarget target, string format, TextWriter stderr)
    {
        var request = new DiscoverRequest { Args = { "--format", format } };
        if (target.OnHost.Uri is { } uri) request.Args.Add(["--uri", uri]);
        if (target.OnHost.Netns is { } netns) request.Args.Add(["--netns", netns]);
        if (target.OnHost.OvsdbSocket is { } socket) request.Args.Add(["--ovsdb-socket", socket]);
        var log = new StderrLog(stderr);
        await using var remote = new RemoteHost(target, log, stderr: null);
        try
        {
            var response = await remote.CallAsync(AgentMethods.Discover, request, CallSafety.Retryable, CancellationToken.None).ConfigureAwait(false);
            await stderr.WriteAsync(response.Diagnostics).ConfigureAwait(false);
            return (response.ExitCode, response.Output.ToByteArray());
        }
        catch (RpcException e)
        {
            await stderr.WriteLineAsync($"discover: {e.Status.Detail}").ConfigureAwait(false);
            return (1, []);
        }
        catch (Exception e) when (e is AgentConnectionLostException or AgentProtocolException)
        {
            await stderr.WriteLineAsync($"discover: {e.Message}").ConfigureAwait(false);
            return (1, []);
        }
    }

    /// <summary>Log lines from <paramref name="minimum"/> up on stderr, one whole line at a time (objects are read in parallel).</summary>
    private sealed class StderrLog(TextWriter stderr, LogSeverity minimum = LogSeverity.Debug) : IEngineLog
    {
        public Task LogAsync(LogSeverity severity, string message, string? urn = null)
        {
            if (severity < minimum) return Task.CompletedTask;
            lock (stderr) stderr.WriteLine($"discover: {severity.ToString().ToLowerInvariant()}: {message}");
            return Task.CompletedTask;
        }

        /// <summary>discover only reads: it has no long work to report on.</summary>
        public Task StatusAsync(string message, string? urn = null) => Task.CompletedTask;
    }
}

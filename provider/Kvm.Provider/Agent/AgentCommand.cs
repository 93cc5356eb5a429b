using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Remote;
using Kvm.Provider.Remote.Wire;
using Kvm.Provider.Resources;
using Kvm.Provider.Rpc;
using Kvm.Provider.Schema;
using Pulumirpc;

namespace Kvm.Provider.Agent;

/// <summary>
/// <c>pulumi-resource-kvm agent [--sha256] [-v=N]</c>: the plugin's far end on a remote host, started
/// by the plugin over ssh. It answers the calls that arrive as frames on stdin with the provider's own
/// code against this host's kernel and libvirt, and writes answers and log lines as frames to stdout.
/// It runs nothing else and writes no files of its own beyond what the provider writes locally (the
/// qemu hook). When its input ends (the plugin is done, or the connection died) it finishes the calls
/// in flight, so no change is left half-made, and exits.
/// </summary>
internal static class AgentCommand
{
    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout)
    {
        var reportHash = false;
        var verbosity = 0;
        foreach (var a in args)
        {
            if (a == "--sha256") reportHash = true;
            else if (a.StartsWith("-v=", StringComparison.Ordinal) && int.TryParse(a[3..], out var v)) verbosity = v;
            else
            {
                await Console.Error.WriteLineAsync($"pulumi-resource-kvm {AgentProtocol.Command}: unknown argument {a}").ConfigureAwait(false);
                return 2;
            }
        }

        await using var frames = new FrameStream(stdin, stdout);
        var log = new AgentLog(frames);
        Action<string>? trace = verbosity >= 9 ? line => Console.Error.WriteLine($"pulumi-resource-kvm agent: {line}") : null;
        var reachability = new AgentReachability(frames);
        using var host = new ProviderHost(log, trace: trace) { AgentReachability = reachability, ManagementAddress = SessionAddress() };
        var service = new ResourceProviderService(host, new ResourceRegistry(ResourceCatalog.Create(host)), engineLog: null, onRemoteHost: true);

        await stdout.WriteAsync(AgentProtocol.Marker).ConfigureAwait(false);
        await frames.WriteAsync(new Frame { Hello = Hello(reportHash) }, CancellationToken.None).ConfigureAwait(false);

        var inFlight = new ConcurrentDictionary<ulong, Task>();
        try
        {
            while (await frames.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } frame)
            {
                switch (frame.BodyCase)
                {
                    case Frame.BodyOneofCase.Call:
                        var id = frame.Id;
                        trace?.Invoke($"call {id}: {frame.Call.Method}");
                        inFlight[id] = Task.Run(async () =>
                        {
                            await ServeAsync(service, host, frames, frame).ConfigureAwait(false);
                            inFlight.TryRemove(id, out _);
                        });
                        break;
                    case Frame.BodyOneofCase.ProbeReply:
                        reachability.Answered(frame.Id);
                        break;
                    case Frame.BodyOneofCase.Cancel:
                        trace?.Invoke("cancel");
                        host.Cancel();
                        break;
                    default:
                        await Console.Error.WriteLineAsync($"pulumi-resource-kvm {AgentProtocol.Command}: ignoring an unexpected {frame.BodyCase} frame").ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"pulumi-resource-kvm {AgentProtocol.Command}: {e.Message}").ConfigureAwait(false);
        }
        // The plugin is gone or done: what was started still runs to its end.
        await Task.WhenAll(inFlight.Values).ConfigureAwait(false);
        return 0;
    }

    private static async Task ServeAsync(ResourceProviderService service, ProviderHost host, FrameStream frames, Frame frame)
    {
        var answer = new Frame { Id = frame.Id };
        try
        {
            if (!AgentRoutes.ByName.TryGetValue(frame.Call.Method, out var route))
                throw new RpcException(new Status(StatusCode.Unimplemented, $"the agent has no method \"{frame.Call.Method}\""));
            var response = await route.ServeAsync(service, frame.Call.Request, host.Cancellation).ConfigureAwait(false);
            answer.Reply = new Reply { Response = response.ToByteString() };
        }
        catch (RpcException e)
        {
            answer.Fault = new Fault
            {
                Code = (int)e.StatusCode,
                Message = e.Status.Detail,
                StatusDetails = e.Trailers.GetValueBytes(GrpcTrailers.StatusDetails) is { } details ? ByteString.CopyFrom(details) : ByteString.Empty,
            };
        }
        catch (Exception e)
        {
            answer.Fault = new Fault { Code = (int)StatusCode.Unknown, Message = $"{frame.Call.Method} failed: {e.Message}" };
        }
        try
        {
            await frames.WriteAsync(answer, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The plugin is gone: the work is done all the same, and the next refresh will see it.
        }
    }

    /// <summary>The host's address the SSH session came in on (sshd's SSH_CONNECTION: client port server port).</summary>
    private static System.Net.IPAddress? SessionAddress() =>
        Environment.GetEnvironmentVariable("SSH_CONNECTION")?.Split(' ') is [_, _, var server, _] && System.Net.IPAddress.TryParse(server, out var address) ? address : null;

    private static Hello Hello(bool reportHash) => new()
    {
        Protocol = AgentProtocol.Version,
        Version = PluginPackage.Version,
        Sha256 = reportHash && Environment.ProcessPath is { } self ? PluginBinary.HashOf(self) : "",
        Kernel = ReadFirstLine("/proc/sys/kernel/osrelease"),
        Machine = RuntimeInformation.OSArchitecture.ToString(),
        Hostname = Environment.MachineName,
        Uid = EffectiveUid(),
    };

    private static string ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The effective uid, from /proc/self/status ("Uid: real effective saved fs").</summary>
    private static uint EffectiveUid()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } && uint.TryParse(fields[2], out var uid) ? uid : uint.MaxValue;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return uint.MaxValue;
        }
    }

    /// <summary>The engine log, seen from the host: each line goes back to the plugin as a frame.</summary>
    private sealed class AgentLog(FrameStream frames) : IEngineLog
    {
        public Task LogAsync(LogSeverity severity, string message, string? urn = null) =>
            SendAsync(new Log { Severity = (int)severity, Message = message, Urn = urn ?? "" });

        public Task StatusAsync(string message, string? urn = null) =>
            SendAsync(new Log { Severity = (int)LogSeverity.Info, Message = message, Urn = urn ?? "", Ephemeral = true });

        private async Task SendAsync(Log log)
        {
            var (severity, message) = ((LogSeverity)log.Severity, log.Message);
            try
            {
                await frames.WriteAsync(new Frame { Log = log }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                await Console.Error.WriteLineAsync($"pulumi-resource-kvm {AgentProtocol.Command}: {severity}: {message}").ConfigureAwait(false);
            }
        }
    }
}

using Grpc.Net.Client;
using Pulumirpc;

namespace Kvm.Provider.Diagnostics;

/// <summary>Diagnostics the user sees: through the engine's Log service, else on stderr.</summary>
internal interface IEngineLog
{
    Task LogAsync(LogSeverity severity, string message, string? urn = null);

    /// <summary>
    /// What long work is doing or waiting for right now (a guest's graceful shutdown, a network
    /// restart, a batch of VLANs): the engine's ephemeral log, which `pulumi up` shows beside the
    /// resource while it runs and does not keep among the update's diagnostics.
    /// </summary>
    Task StatusAsync(string message, string? urn = null);
}

internal static class EngineLogExtensions
{
    public static Task WarnAsync(this IEngineLog log, string message, string? urn = null) => log.LogAsync(LogSeverity.Warning, message, urn);
    public static Task InfoAsync(this IEngineLog log, string message, string? urn = null) => log.LogAsync(LogSeverity.Info, message, urn);
    public static Task DebugAsync(this IEngineLog log, string message, string? urn = null) => log.LogAsync(LogSeverity.Debug, message, urn);
}

/// <summary>
/// Writes to the engine when its address is known and reachable. An unreachable engine only
/// turns engine logging off: the provider keeps working and says so once on stderr.
/// </summary>
internal sealed class EngineLog(bool alsoToStderr, int verbosity) : IEngineLog, IDisposable
{
    private volatile GrpcChannel? _channel;
    private volatile Engine.EngineClient? _client;

    public void Attach(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return;
        var uri = address.Contains("://", StringComparison.Ordinal) ? address : $"http://{address}";
        try
        {
            var channel = GrpcChannel.ForAddress(uri);
            var old = _channel;
            _channel = channel;
            _client = new Engine.EngineClient(channel);
            old?.Dispose();
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or InvalidOperationException)
        {
            Stderr($"engine address \"{address}\" is not usable ({e.Message}); engine logging is off");
        }
    }

    public Task LogAsync(LogSeverity severity, string message, string? urn = null)
    {
        if (alsoToStderr && (severity >= LogSeverity.Info || verbosity > 0))
            Stderr($"{severity.ToString().ToLowerInvariant()}: {message}");
        return SendAsync(new LogRequest { Severity = severity, Message = message, Urn = urn ?? "" });
    }

    public Task StatusAsync(string message, string? urn = null)
    {
        // A status line is transient: on stderr only when tracing, so --logtostderr stays the diagnostics.
        if (alsoToStderr && verbosity > 0) Stderr($"status: {message}");
        return SendAsync(new LogRequest { Severity = LogSeverity.Info, Message = message, Urn = urn ?? "", Ephemeral = true });
    }

    private async Task SendAsync(LogRequest request)
    {
        var client = _client;
        if (client is null) return;
        try
        {
            await client.LogAsync(request, deadline: DateTime.UtcNow.AddSeconds(10)).ConfigureAwait(false);
        }
        catch (Grpc.Core.RpcException e)
        {
            _client = null;
            Stderr($"the engine's log service is unreachable ({e.Status.StatusCode}); engine logging is off. Lost message: {request.Message}");
        }
    }

    private static void Stderr(string line)
    {
        lock (Console.Error) Console.Error.WriteLine($"pulumi-resource-kvm: {line}");
    }

    public void Dispose() => _channel?.Dispose();
}

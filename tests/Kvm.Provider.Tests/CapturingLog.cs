using System.Collections.Concurrent;
using Kvm.Provider.Diagnostics;
using LogSeverity = Pulumirpc.LogSeverity;

namespace Kvm.Provider.Tests;

/// <summary>An engine log that keeps what the provider wrote.</summary>
internal sealed class CapturingLog : IEngineLog
{
    public ConcurrentQueue<(LogSeverity Severity, string Message, string? Urn)> Entries { get; } = new();

    public ConcurrentQueue<(string Message, string? Urn)> Statuses { get; } = new();

    public Task LogAsync(LogSeverity severity, string message, string? urn = null)
    {
        Entries.Enqueue((severity, message, urn));
        return Task.CompletedTask;
    }

    public Task StatusAsync(string message, string? urn = null)
    {
        Statuses.Enqueue((message, urn));
        return Task.CompletedTask;
    }

    public IEnumerable<string> Messages => Entries.Select(e => e.Message);
}

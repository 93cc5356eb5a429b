using Kvm.Provider.Values;
using Pulumirpc;

namespace Kvm.Provider.Diagnostics;

/// <summary>
/// The engine log as resources write to it: every line is scrubbed of the values that arrived secret
/// in the request being served (<see cref="SecretScrubber.Current"/>), whichever code wrote it.
/// </summary>
internal sealed class ScrubbingLog(IEngineLog inner) : IEngineLog
{
    public Task LogAsync(LogSeverity severity, string message, string? urn = null) =>
        inner.LogAsync(severity, SecretScrubber.Current.Scrub(message), urn);

    public Task StatusAsync(string message, string? urn = null) =>
        inner.StatusAsync(SecretScrubber.Current.Scrub(message), urn);
}

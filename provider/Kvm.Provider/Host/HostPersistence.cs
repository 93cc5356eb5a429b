using Kvm.Provider.Values;

namespace Kvm.Provider.Host;

/// <summary>
/// Keeps the desired-state file (<see cref="DesiredStateFile"/>) in step with what the provider applied in its
/// network namespace: the one place resources record, forget and announce what survives a reboot of the host.
/// </summary>
internal sealed class HostPersistence(DesiredStateFile file, string netns)
{
    /// <summary>The file, as the preview and messages name it.</summary>
    public string FilePath => file.Path;

    /// <summary>The namespace entries are kept under: the configured netns as written, "" for the provider's own.</summary>
    public string Netns { get; } = netns;

    public Task RecordAsync(string kind, string id, ObjectValue inputs, CancellationToken ct) =>
        file.UpdateAsync(s => s.With(Netns, kind, id, inputs), ct);

    public Task ForgetAsync(string kind, string id, CancellationToken ct) =>
        file.UpdateAsync(s => s.Without(Netns, kind, id), ct);

    public string PreviewNote(string name) => $"kvm:persist {name}: written to {FilePath} (re-applied at boot by `pulumi-resource-kvm restore`)";

    /// <summary>The failures of reading or writing the file that an operation reports (rather than crashing on).</summary>
    public static bool IsFileFailure(Exception e) => e is IOException or UnauthorizedAccessException or FormatException;
}

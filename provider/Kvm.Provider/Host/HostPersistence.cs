using Kvm.Provider.Values;

namespace Kvm.Provider.Host;

/// <summary>
/// Keeps the desired-state file (<see cref="DesiredStateFile"/>) in step with what the provider applied in its
/// network namespace, and the boot unit that re-applies it (<see cref="BootUnit"/>) in step with the file: the one
/// place resources record, forget and announce what survives a reboot of the host.
/// </summary>
/// <param name="unit">The boot unit, or null when this build cannot install one (a JIT build has no binary of its own to copy).</param>
internal sealed class HostPersistence(DesiredStateFile file, string netns, BootUnit? unit)
{
    /// <summary>The file, as the preview and messages name it.</summary>
    public string FilePath => file.Path;

    /// <summary>The namespace entries are kept under: the configured netns as written, "" for the provider's own.</summary>
    public string Netns { get; } = netns;

    public BootUnit? Unit => unit;

    /// <summary>Records an entry, and installs the boot unit unless it is there already.</summary>
    /// <returns>What the engine log should say about the unit: that it was installed now, or that none can be.</returns>
    public Task<PersistenceNote?> RecordAsync(string kind, string id, ObjectValue inputs, CancellationToken ct) =>
        file.UpdateAsync(s => s.With(Netns, kind, id, inputs), s => KeepUnit(s, recording: true), ct);

    /// <summary>Forgets an entry; the boot unit goes with the last one.</summary>
    public Task<PersistenceNote?> ForgetAsync(string kind, string id, CancellationToken ct) =>
        file.UpdateAsync(s => s.Without(Netns, kind, id), s => KeepUnit(s, recording: false), ct);

    /// <summary>
    /// How the file's entry for <paramref name="id"/> differs from the inputs (what the stack says was applied, or what
    /// the program now declares): "does not hold it", "holds other mtu, ports", "cannot be read (...)";
    /// null when they are the same, so a reboot would bring back exactly that.
    /// </summary>
    /// <param name="differsIn">The inputs the file's entry holds otherwise, compared as the resource compares them (lists in any order where order does not matter).</param>
    public string? Discrepancy(string kind, string id, Func<ObjectValue, IReadOnlyList<string>> differsIn)
    {
        ObjectValue? entry;
        try
        {
            entry = file.Load().Namespace(Netns).Of(kind).GetValueOrDefault(id);
        }
        catch (Exception e) when (IsFileFailure(e))
        {
            return $"cannot be read ({e.Message})";
        }
        if (entry is null) return "does not hold it";
        var differing = differsIn(entry);
        return differing.Count == 0 ? null : $"holds other {string.Join(", ", differing)} than the stack";
    }

    private PersistenceNote? KeepUnit(DesiredState state, bool recording)
    {
        if (!recording && !state.Namespaces.IsEmpty) return null;
        if (unit is null) return recording ? PersistenceNote.Warn("kvm:persist: no boot unit installed: this is a JIT build of the provider, which has no self-contained binary for the unit to run") : null;
        if (state.Namespaces.IsEmpty)
            return unit.Remove() ? PersistenceNote.Info($"kvm:persist: nothing is declared any more; removed the boot unit {unit.InstanceName} and {unit.BinaryPath}") : null;
        if (!unit.Possible)
        {
            // Its own boot scripts still get a binary at a stable path to run.
            unit.InstallBinary();
            return PersistenceNote.Warn($"kvm:persist: no boot unit installed: {unit.UnitDir} does not exist (no systemd?); run `{unit.BinaryPath} restore --state {FilePath}` from the host's own boot scripts, before libvirt starts");
        }
        return unit.Install() ? PersistenceNote.Info($"kvm:persist: enabled the boot unit {unit.InstanceName} ({unit.TemplatePath}, runs {unit.BinaryPath})") : null;
    }

    public string PreviewNote(string name) => unit is { Possible: true }
        ? $"kvm:persist {name}: written to {FilePath}, re-applied at boot by the systemd unit {unit.InstanceName} in {unit.UnitDir} (`{unit.BinaryPath} restore`)"
        : $"kvm:persist {name}: written to {FilePath} (re-applied at boot by `pulumi-resource-kvm restore`; no boot unit: {(unit is null ? "a JIT build" : $"{unit.UnitDir} does not exist")})";

    /// <summary>The failures of reading or writing the file that an operation reports (rather than crashing on).</summary>
    public static bool IsFileFailure(Exception e) => e is IOException or UnauthorizedAccessException or FormatException;
}

/// <summary>What an operation's log says about the boot unit.</summary>
internal sealed record PersistenceNote(string Message, bool IsWarning)
{
    public static PersistenceNote Info(string message) => new(message, false);
    public static PersistenceNote Warn(string message) => new(message, true);
}

using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The outputs a preview plans for a Domain: the inputs with libvirt's defaults, and unknown what only
/// libvirt can tell (generated MACs, the UUID, vnetN names, the domain id, the live XML). An update keeps
/// what the host told before wherever the change leaves it as it is. Its own rule rather than
/// <see cref="PreviewOutputs"/>: which outputs stay depends on the plan (a restart renames taps).
/// </summary>
internal static class DomainPreview
{
    public static Outcome<DomainState> OfCreate(Bound<DomainArgs> inputs)
    {
        var a = inputs.Value;
        var running = a.Running != false;
        var unknown = new List<string> { DomainState.Paths.LiveXml };
        if (a.Uuid is null && !inputs.IsUnknown(DomainArgs.Paths.Uuid)) unknown.Add(DomainArgs.Paths.Uuid);
        if (running) unknown.Add(DomainState.Paths.DomainId);
        var nics = a.Interfaces ?? [];
        for (var i = 0; i < nics.Length; i++)
        {
            if (nics[i].MacAddress is null && !inputs.IsUnknown(NicPath(i, DomainInterfaceArgs.Paths.MacAddress))) unknown.Add(NicPath(i, DomainInterfaceArgs.Paths.MacAddress));
            if (running && nics[i].TargetDevice is null) unknown.Add(NicPath(i, DomainInterfaceArgs.Paths.TargetDevice));
        }
        var state = Planned(a, uuid: a.Uuid) with
        {
            State = running ? "running" : "shutoff",
            PendingRestart = [],
            LiveXml = "",
        };
        return new Outcome<DomainState>(a.Uuid ?? "", state) { UnknownOutputs = [.. unknown] };
    }

    public static Outcome<DomainState> OfUpdate(string id, Bound<DomainArgs> inputs, DomainState old, DomainArgs oldInputs, Plan plan)
    {
        var a = inputs.Value;
        var wasRunning = old.Running == true;
        var willRun = a.Running != false;
        var restarts = wasRunning && willRun && a.RestartPolicy is "graceful" or "force"
            && (plan.PathsOf(ChangeClass.Restart).Any() || old.PendingRestart is { Length: > 0 });
        var unknown = new List<string> { DomainState.Paths.LiveXml, DomainState.Paths.PendingRestart };
        if (wasRunning != willRun) unknown.Add(DomainState.Paths.State);
        if ((wasRunning != willRun && willRun) || restarts) unknown.Add(DomainState.Paths.DomainId);

        var existing = old.Interfaces ?? [];
        var desired = a.Interfaces ?? [];
        var match = DeviceMatching.Interfaces(desired, [.. existing.Select(n => n.MacAddress)]);
        var nics = new DomainInterfaceArgs[desired.Length];
        for (var i = 0; i < desired.Length; i++)
        {
            var before = match[i] is { } j ? existing[j] : null;
            nics[i] = desired[i] with
            {
                MacAddress = desired[i].MacAddress ?? before?.MacAddress,
                TargetDevice = desired[i].TargetDevice ?? (restarts ? null : before?.TargetDevice),
            };
            if (nics[i].MacAddress is null && !inputs.IsUnknown(NicPath(i, DomainInterfaceArgs.Paths.MacAddress))) unknown.Add(NicPath(i, DomainInterfaceArgs.Paths.MacAddress));
            if (nics[i].TargetDevice is null && willRun) unknown.Add(NicPath(i, DomainInterfaceArgs.Paths.TargetDevice));
        }
        // Values the program leaves to the host stay as they were observed.
        var maxKiB = DomainMemory.MaxKiB(a) ?? Math.Max(DomainMemory.CurrentKiB(a) ?? 0, DomainMemory.MaxKiB(old) ?? 0);
        var state = DomainMemory.WithMax(Planned(a, uuid: old.Uuid), maxKiB) with
        {
            Interfaces = a.Interfaces is null ? old.Interfaces : nics,
            State = wasRunning == willRun ? old.State : willRun ? "running" : "shutoff",
            DomainId = wasRunning && willRun && !restarts ? old.DomainId : null,
            PendingRestart = old.PendingRestart,
            LiveXml = old.LiveXml,
            MaxVcpus = a.MaxVcpus ?? (a.Vcpus > old.MaxVcpus ? a.Vcpus : old.MaxVcpus),
            CpuMode = a.CpuMode ?? (oldInputs.CpuMode is null ? old.CpuMode : null),
            Machine = a.Machine ?? (oldInputs.Machine is null ? old.Machine : null),
            Arch = a.Arch ?? (oldInputs.Arch is null ? old.Arch : null),
            BootDevices = a.BootDevices ?? (oldInputs.BootDevices is null ? old.BootDevices : null),
            Features = a.Features ?? (oldInputs.Features is null ? old.Features : null),
            Disks = a.Disks ?? (oldInputs.Disks is null ? old.Disks : null),
            Graphics = a.Graphics ?? (oldInputs.Graphics is null ? old.Graphics : null),
            Serials = a.Serials ?? (oldInputs.Serials is null ? old.Serials : null),
            Autostart = a.Autostart ?? old.Autostart,
        };
        return new Outcome<DomainState>(id, state) { UnknownOutputs = [.. unknown] };
    }

    /// <summary>The inputs as a state, with libvirt's defaults where the program leaves them unset; the observed outputs unset.</summary>
    public static DomainState Planned(DomainArgs a, string? uuid) => DomainMemory.WithMax(DomainState.FromInputs(a), DomainMemory.MaxKiB(a) ?? DomainMemory.CurrentKiB(a)) with
    {
        Type = a.Type ?? "kvm",
        Uuid = uuid,
        MaxVcpus = a.MaxVcpus ?? a.Vcpus,
        Running = a.Running ?? true,
        ShutdownTimeoutSeconds = a.ShutdownTimeoutSeconds ?? 60,
        RestartPolicy = a.RestartPolicy ?? "never",
    };

    private static string NicPath(int index, string field) => PropertyPath.Append(PropertyPath.Index(DomainArgs.Paths.Interfaces, index), field);
}

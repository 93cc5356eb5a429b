namespace Kvm.Libvirt;

/// <summary>virDomainXMLFlags.</summary>
[Flags]
public enum DomainXmlFlags : uint
{
    /// <summary>The live definition when the domain runs.</summary>
    None = 0,
    /// <summary>Include secrets such as the graphics password.</summary>
    Secure = 1 << 0,
    /// <summary>The persistent definition, i.e. what the domain will be after its next boot.</summary>
    Inactive = 1 << 1,
    UpdateCpu = 1 << 2,
    Migratable = 1 << 3,
}

/// <summary>virDomainDefineFlags.</summary>
[Flags]
public enum DomainDefineFlags : uint
{
    None = 0,
    /// <summary>Validate the XML against libvirt's schema before defining.</summary>
    Validate = 1 << 0,
}

/// <summary>virDomainUndefineFlagsValues.</summary>
[Flags]
public enum DomainUndefineFlags : uint
{
    None = 0,
    ManagedSave = 1 << 0,
    SnapshotsMetadata = 1 << 1,
    Nvram = 1 << 2,
    KeepNvram = 1 << 3,
    CheckpointsMetadata = 1 << 4,
    Tpm = 1 << 5,
    KeepTpm = 1 << 6,
}

/// <summary>virDomainShutdownFlagValues.</summary>
[Flags]
public enum DomainShutdownFlags : uint
{
    /// <summary>The hypervisor's choice (QEMU: the guest agent if configured, else ACPI).</summary>
    Default = 0,
    AcpiPowerButton = 1 << 0,
    GuestAgent = 1 << 1,
    Initctl = 1 << 2,
    Signal = 1 << 3,
    Paravirt = 1 << 4,
}

/// <summary>virDomainDeviceModifyFlags.</summary>
[Flags]
public enum DeviceModifyFlags : uint
{
    /// <summary>The live domain if it runs, otherwise the persistent definition.</summary>
    Current = 0,
    Live = 1 << 0,
    Config = 1 << 1,
    /// <summary>Force the change, e.g. eject a locked CD-ROM (update only).</summary>
    Force = 1 << 2,
}

/// <summary>virDomainMemoryModFlags.</summary>
[Flags]
public enum MemoryModifyFlags : uint
{
    Current = 0,
    Live = 1 << 0,
    Config = 1 << 1,
    /// <summary>Change the maximum (<c>memory</c>) rather than the balloon target (<c>currentMemory</c>).</summary>
    Maximum = 1 << 2,
}

/// <summary>virDomainVcpuFlags.</summary>
[Flags]
public enum VcpuModifyFlags : uint
{
    Current = 0,
    Live = 1 << 0,
    Config = 1 << 1,
    /// <summary>Change the maximum vCPU count rather than the current one.</summary>
    Maximum = 1 << 2,
    Guest = 1 << 3,
    Hotpluggable = 1 << 4,
}

/// <summary>virConnectListAllDomainsFlags; flags of one group are OR-ed, groups AND-ed.</summary>
[Flags]
public enum ListDomainsFlags : uint
{
    All = 0,
    Active = 1 << 0,
    Inactive = 1 << 1,
    Persistent = 1 << 2,
    Transient = 1 << 3,
    Running = 1 << 4,
    Paused = 1 << 5,
    Shutoff = 1 << 6,
    Other = 1 << 7,
    ManagedSave = 1 << 8,
    NoManagedSave = 1 << 9,
    Autostart = 1 << 10,
    NoAutostart = 1 << 11,
    HasSnapshot = 1 << 12,
    NoSnapshot = 1 << 13,
    HasCheckpoint = 1 << 14,
    NoCheckpoint = 1 << 15,
}

/// <summary>virDomainState.</summary>
public enum DomainState
{
    NoState = 0,
    Running = 1,
    Blocked = 2,
    Paused = 3,
    /// <summary>Shutting down: still running, on its way to <see cref="Shutoff"/>.</summary>
    Shutdown = 4,
    Shutoff = 5,
    Crashed = 6,
    PmSuspended = 7,
}

/// <summary>
/// A domain's state and why it is in it. <see cref="Reason"/> is the raw value of the state's own reason
/// enum (virDomainRunningReason, virDomainShutoffReason, ...), whose meaning depends on <see cref="State"/>.
/// </summary>
public readonly record struct DomainStateInfo(DomainState State, int Reason);

/// <summary>virDomainInfo: cheap facts about a domain, memory in KiB and CPU time in nanoseconds.</summary>
public readonly record struct DomainInfo(DomainState State, ulong MaxMemoryKiB, ulong MemoryKiB, int VcpuCount, ulong CpuTimeNanoseconds);

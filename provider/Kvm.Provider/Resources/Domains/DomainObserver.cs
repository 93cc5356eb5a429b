using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Schema;
using LibvirtDomainState = Kvm.Libvirt.DomainState;

namespace Kvm.Provider.Resources.Domains;

/// <summary>What libvirt reports about one domain: five calls, no waiting.</summary>
internal sealed record DomainSnapshot(DomainDefinition Config, DomainDefinition? Live, string LiveXml, LibvirtDomainState State, bool Autostart)
{
    public bool Active => Live is not null;

    public ulong? ConfigCurrentMemoryKiB => Config.CurrentMemoryKiB ?? Config.MemoryKiB;

    public int? DomainId => Live?.Origin.Element?.Attribute("id")?.Value is { } id && int.TryParse(id, out var n) ? n : null;

    public static DomainSnapshot Take(ILibvirtDomain domain)
    {
        var state = domain.GetState().State;
        var config = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive | DomainXmlFlags.Secure));
        var liveXml = domain.GetXmlDesc();
        var live = DomainXml.Parse(liveXml);
        // The live XML of a running domain carries its id; a domain that is not running reports its config.
        var active = live.Origin.Element?.Attribute("id") is not null;
        return new DomainSnapshot(config, active ? live : null, liveXml, state, domain.GetAutostart());
    }
}

/// <summary>
/// A domain's state as the host reports it: the persistent config (what the next start will be) for
/// everything a restart applies, the running guest for what changes live (vCPUs, NIC link state and
/// VLANs, host device names), and the Linux bridge's VLAN table of each tap for VLANs the provider
/// programs. The memory is the configured balloon target: what the guest actually holds moves with its
/// balloon driver.
/// </summary>
internal sealed class DomainObserver(ProviderHost host)
{
    public Task<DomainState> ObserveAsync(ILibvirtDomain domain, DomainArgs? reference, CancellationToken ct) =>
        ObserveAsync(DomainSnapshot.Take(domain), reference, ct);

    /// <param name="reference">The inputs (or old state) that say in which form to report values with several spellings, and the provider's own settings.</param>
    public async Task<DomainState> ObserveAsync(DomainSnapshot s, DomainArgs? reference, CancellationToken ct)
    {
        var linuxVlans = GuestVlans.Read(s.Config.Origin.Element);
        var configArgs = DomainMapping.ToArgs(s.Config, linuxVlans, reference);
        var nics = configArgs.Interfaces ?? [];
        if (s.Live is { } live)
        {
            IReadOnlyDictionary<string, IReadOnlyList<VlanEntry>>? tables = null;
            if (linuxVlans.Count > 0)
            {
                try
                {
                    tables = (await host.Vlans.DumpAsync(ct).ConfigureAwait(false)).ToDictionary(t => t.Name, t => t.Entries, StringComparer.Ordinal);
                }
                catch (Exception e) when (e is NetlinkException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
                {
                    // Without the kernel's tables, report what was asked for.
                }
            }
            // By MAC, in order: the two NICs of a teaming pair share theirs.
            var match = DeviceMatching.Interfaces(nics, [.. live.Interfaces.Select(l => l.MacAddress)]);
            nics = [.. nics.Select((n, i) =>
            {
                var current = n.MacAddress is not null && match[i] is { } j ? live.Interfaces[j] : null;
                if (current is null) return n; // plugged into the config only: the guest gets it at its next start
                var vlan = n.MacAddress is { } mac && linuxVlans.TryGetValue(mac, out var wanted)
                    ? (tables is not null && current.TargetDev is { } tap ? GuestVlans.FromEntries(tables.GetValueOrDefault(tap) ?? [], wanted) : wanted)
                    : DomainMapping.FromLibvirtVlan(current.Vlan);
                return n with
                {
                    TargetDevice = current.TargetDev,
                    LinkState = current.LinkState == LinkState.Down ? "down" : "up",
                    Vlan = vlan,
                };
            })];
        }
        var vcpu = (s.Live ?? s.Config).Vcpu;
        return DomainState.FromInputs(configArgs) with
        {
            Vcpus = vcpu is null ? null : vcpu.Current ?? vcpu.Maximum,
            Interfaces = nics,
            Running = s.Active,
            Autostart = s.Autostart,
            ShutdownTimeoutSeconds = reference?.ShutdownTimeoutSeconds ?? 60,
            RestartPolicy = reference?.RestartPolicy ?? "never",
            State = StateName(s.State),
            DomainId = s.DomainId,
            PendingRestart = s.Live is { } l ? PendingRestart(s.Config, l, reference) : [],
            LiveXml = s.LiveXml,
        };
    }

    /// <summary>
    /// The failure of an operation that left the domain defined: the engine records its id and what it
    /// holds now (or, if libvirt cannot say, the inputs), so the next `pulumi up` continues from there.
    /// </summary>
    public async Task<ResourceInitFailedException> InitFailedAsync(ILibvirtDomain domain, DomainArgs a, string reason, Exception inner, CancellationToken ct)
    {
        DomainState state;
        try
        {
            state = await ObserveAsync(domain, a, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LibvirtException or FormatException)
        {
            state = DomainPreview.Planned(a, domain.Uuid.ToString("D")) with { State = "nostate", PendingRestart = [], LiveXml = "" };
        }
        return new ResourceInitFailedException(domain.Uuid.ToString("D"), state, reason, inner);
    }

    /// <summary>
    /// The inputs that reproduce what was observed: the observed values, without the outputs, and without
    /// host device names libvirt generated (only a name the config itself holds is an input). On import, a
    /// typed list with a device it cannot describe (e.g. a vhost-user NIC) is left unset and its devices are in
    /// devicesXml instead (<see cref="OtherDevices"/>); <paramref name="unmanaged"/> names each such element, for a warning.
    /// </summary>
    public static DomainArgs InputsOf(DomainState s, DomainSnapshot snapshot, bool import, out IReadOnlyList<string> unmanaged)
    {
        var config = snapshot.Config;
        var configNics = config.Interfaces;
        var nics = s.Interfaces?.Select((n, i) => n with { TargetDevice = i < configNics.Count ? configNics[i].TargetDev : null }).ToArray();
        var args = ArgsOf(s) with { Interfaces = nics };
        unmanaged = [];
        if (!import) return args;

        var typed = OtherDevices.Typed.Of(config);
        var left = new List<string>();
        if (!typed.Interfaces)
            left.Add(Untyped("interfaces", "NICs", config.Interfaces.Select((n, i) => (n, i)).Where(x => !OtherDevices.Typed.IsTyped(x.n))
                .Select(x => $"<interface type='{x.n.Origin.Element?.Attribute("type")?.Value}'> #{x.i + 1}{(x.n.MacAddress is { } mac ? $" ({mac})" : "")}")));
        if (!typed.Disks)
            left.Add(Untyped("disks", "disks", config.Disks.Select((d, i) => (d, i)).Where(x => !OtherDevices.Typed.IsTyped(x.d))
                .Select(x => $"<disk type='{x.d.Origin.Element?.Attribute("type")?.Value}'> #{x.i + 1} ({x.d.TargetDev})")));
        if (!typed.Serials)
            left.Add(Untyped("serials", "serial ports", config.Serials.Select((x, i) => (x, i)).Where(x => !OtherDevices.Typed.IsTyped(x.x))
                .Select(x => $"<serial type='{x.x.Type}'> #{x.i + 1}")));
        if (!typed.Graphics)
            left.Add(Untyped("graphics", "displays", [config.Graphics.Count > 1 ? $"{config.Graphics.Count} <graphics> elements" : $"<graphics type='{config.Graphics[0].Origin.Element?.Attribute("type")?.Value}'>"]));
        unmanaged = left;

        return args with
        {
            // cpuXml says the mode too.
            CpuMode = args.CpuXml is null ? args.CpuMode : null,
            Interfaces = typed.Interfaces ? nics : null,
            Disks = typed.Disks ? s.Disks : null,
            Serials = typed.Serials ? s.Serials : null,
            Graphics = typed.Graphics ? s.Graphics : null,
        };
    }

    private static string Untyped(string input, string kind, IEnumerable<string> elements) =>
        $"`{input}` is left unset: its typed inputs cannot describe {string.Join(", ", elements)}, so the guest's {kind} are kept as libvirt XML in `devicesXml` instead.";

    /// <summary>The input half of a state, as a record of the inputs' own type (the generated shape copies each input).</summary>
    private static DomainArgs ArgsOf(DomainState s)
    {
        var shape = ObjectShape.Of<DomainArgs>();
        return (DomainArgs)shape.Construct([.. shape.Properties.Select(p => p.Get(s))]);
    }

    /// <summary>Paths whose persistent config differs from the running guest (what a restart would change).</summary>
    public static string[] PendingRestart(DomainDefinition config, DomainDefinition live, DomainArgs? reference)
    {
        var none = new Dictionary<string, DomainVlanArgs>();
        var configArgs = DomainMapping.ToArgs(config, none, reference);
        var liveArgs = DomainMapping.ToArgs(live, none, reference);
        // Compare NICs in the config's order (by MAC); NICs only the running guest has go last.
        var order = (configArgs.Interfaces ?? []).Select(n => n.MacAddress).ToList();
        liveArgs = liveArgs with
        {
            Interfaces = [.. (liveArgs.Interfaces ?? []).OrderBy(n => order.IndexOf(n.MacAddress) is var i && i >= 0 ? i : int.MaxValue)],
        };
        var diff = RecordDiff.Compare(liveArgs, configArgs, configArgs);
        return [.. diff.Detailed.Keys.Where(p => !IgnoredForPending(p))];
    }

    /// <summary>Values the running guest reports differently by nature: the balloon's actual size, the expanded CPU model, generated names.</summary>
    private static bool IgnoredForPending(string path) =>
        path is DomainArgs.Paths.MemoryMib or DomainArgs.Paths.MemoryKib or DomainArgs.Paths.CpuMode or DomainArgs.Paths.CpuXml or "graphics.port" or DomainState.Paths.LiveXml
        // libvirt's running definition adds aliases and run-time state to every device.
        || path.StartsWith(DomainArgs.Paths.DevicesXml, StringComparison.Ordinal)
        || (path.StartsWith("interfaces[", StringComparison.Ordinal) && path.EndsWith(".targetDevice", StringComparison.Ordinal))
        || (path.StartsWith("serials[", StringComparison.Ordinal) && path.EndsWith(".path", StringComparison.Ordinal));

    private static string StateName(LibvirtDomainState state) => state switch
    {
        LibvirtDomainState.Running => "running",
        LibvirtDomainState.Blocked => "blocked",
        LibvirtDomainState.Paused => "paused",
        LibvirtDomainState.Shutdown => "shutdown",
        LibvirtDomainState.Shutoff => "shutoff",
        LibvirtDomainState.Crashed => "crashed",
        LibvirtDomainState.PmSuspended => "pmsuspended",
        _ => "nostate",
    };
}

using System.Xml.Linq;
using Grpc.Core;
using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Values;
using LibvirtDomainState = Kvm.Libvirt.DomainState;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// `kvm:index:Domain`: a libvirt guest over the libvirt C API. The id is the domain's UUID (import takes
/// the name or the UUID). Changes are applied to the running guest where libvirt can (memory and vCPUs
/// within their maximum, NIC link state and VLANs, hot-plugged NICs and disks); the rest is written to the
/// persistent config and, under restartPolicy never, reported rather than forced.
/// </summary>
public sealed class DomainResource(ProviderHost host, Func<string, HookInstaller>? hookInstaller = null) : Resource<DomainArgs, DomainState>(host)
{
    public const string TypeToken = "kvm:index:Domain";

    private readonly Func<string, HookInstaller> _hookInstaller = hookInstaller
        ?? (dir => new HookInstaller(dir, Environment.ProcessPath ?? throw new InvalidOperationException("the provider cannot tell its own executable")));

    public override string Token => TypeToken;

    public override string Description => """
        A libvirt domain (a virtual machine): memory, vCPUs, CPU mode, direct kernel boot or firmware boot order, disks, network interfaces (on Linux or Open vSwitch bridges, libvirt networks or macvtap) with VLANs, graphics, serial ports, whether it runs and whether it starts with the host.

        Changes are applied without restarting the guest where libvirt allows it: memory and vCPUs within their maximum, a NIC's link state and VLANs, adding or removing whole NICs and disks (hot-plug). Everything else the persistent configuration holds is written to it and takes effect when the guest next restarts: under `restartPolicy: never` (the default) the provider reports it and lists it in `pendingRestart` instead of restarting the guest. Changing `name`, `uuid` or `type` replaces the domain. `pulumi preview` logs which changes are live (`kvm:live ...`) and which wait for a restart (`kvm:restart ...`).

        Values libvirt fills in (generated MAC addresses, PCI addresses, vnetN device names, the UUID, expanded machine types) are reported as outputs and never shown as changes; drift in what the program sets is. VLANs on a Linux bridge (where libvirt refuses `<vlan>`) are programmed on the guest's tap by the provider, recorded in the domain's metadata and re-applied at every start by a libvirt qemu hook the provider installs (see the provider's `libvirtHooksDir`). Deleting shuts the guest down gracefully (up to `shutdownTimeoutSeconds`), then powers it off and undefines it with its NVRAM and managed save image.

        Import: `pulumi import kvm:index:Domain <name> <id>` (id: the domain name or UUID).
        """;

    // ---- Check ----

    protected override async Task<IEnumerable<CheckFailure>> ValidateAsync(CheckContext<DomainArgs> ctx)
    {
        var failures = DomainValidation.Static(ctx.News).ToList();
        if (failures.Count == 0)
            failures.AddRange(await ExistenceFailuresAsync(ctx).ConfigureAwait(false));
        return failures;
    }

    /// <summary>Bridges, networks and host devices named by interfaces exist, or are declared by the same program.</summary>
    private async Task<IEnumerable<CheckFailure>> ExistenceFailuresAsync(CheckContext<DomainArgs> ctx)
    {
        var failures = new List<CheckFailure>();
        var nics = ctx.News.Value.Interfaces ?? [];
        IReadOnlyList<Link>? links = null;
        for (var i = 0; i < nics.Length; i++)
        {
            var nic = nics[i];
            var path = $"interfaces[{i}]";
            try
            {
                switch (nic.Type)
                {
                    case "bridge" when nic.Bridge is { } bridge && !ctx.News.IsUnknown($"{path}.bridge"):
                        if (Host.Declared.Find<object>(Bridges.BridgeResource.TypeToken, bridge) is not null) break;
                        links ??= await Host.Links.ListAsync(ctx.Cancellation).ConfigureAwait(false);
                        var link = links.FirstOrDefault(l => l.Name == bridge);
                        if (link is null)
                            failures.Add(new($"{path}.bridge", $"no bridge named \"{bridge}\" exists in {Host.NamespaceDescription}, and the program declares no {Bridges.BridgeResource.TypeToken} of that name"));
                        else if (nic.Vlan is not null && nic.VirtualPort != VirtualPort.OpenVSwitch && !link.IsBridge)
                            failures.Add(new($"{path}.vlan", $"\"{bridge}\" is not a Linux bridge (kind {link.Kind ?? "none"}); for an Open vSwitch bridge set virtualPort: openvswitch"));
                        break;
                    case "network" when nic.Network is { } network && !ctx.News.IsUnknown($"{path}.network"):
                        if (Host.Declared.Find<object>(NetworkToken, network) is not null) break;
                        using (var net = Host.Libvirt.FindNetworkByName(network))
                        {
                            if (net is null)
                                failures.Add(new($"{path}.network", $"no libvirt network named \"{network}\" exists at {Host.Libvirt.Uri}, and the program declares no {NetworkToken} of that name"));
                        }
                        break;
                    case "direct" when nic.Device is { } device && !ctx.News.IsUnknown($"{path}.device"):
                        links ??= await Host.Links.ListAsync(ctx.Cancellation).ConfigureAwait(false);
                        if (links.All(l => l.Name != device))
                            failures.Add(new($"{path}.device", $"no interface named \"{device}\" exists in {Host.NamespaceDescription}"));
                        break;
                }
            }
            catch (Exception e) when (e is NetlinkException or LibvirtException or ProviderException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                // The host cannot be read now: Create and Update check again before they change anything.
                return failures;
            }
        }
        return failures;
    }

    public const string NetworkToken = "kvm:index:LibvirtNetwork";

    protected override string? HostNameOf(DomainArgs args) => args.Name;

    protected override ObjectValue NormalizeInputs(ObjectValue news)
    {
        if (news["uuid"] is StringValue uuid && Guid.TryParse(uuid.Value, out var g)) news = news.With("uuid", PropertyValue.Of(g.ToString("D")));
        if (news["interfaces"] is ArrayValue nics)
        {
            news = news.With("interfaces", new ArrayValue([.. nics.Items.Select(n =>
                n is ObjectValue o && o["macAddress"] is StringValue mac
                    ? o.With("macAddress", PropertyValue.Of(DeviceMatching.Mac(mac.Value)!))
                    : n)]));
        }
        // An empty boot order means libvirt's default, which libvirt spells out as [hd].
        if (news["bootDevices"] is ArrayValue { Items.Length: 0 }) news = news.Without("bootDevices");
        return news;
    }

    // ---- Diff ----

    protected override DiffResult Diff(DiffContext<DomainArgs, DomainState> ctx)
    {
        var diff = DomainChanges.Refine(ctx.Default, ctx.OldState, ctx.OldInputs, ctx.News.Value, ctx.News.UnknownPaths);
        if (diff.IsReplace)
        {
            var paths = diff.Detailed.Where(d => d.Value.IsReplace()).Select(d => d.Key).ToList();
            var name = ctx.OldState.Name ?? ctx.Id;
            Host.Log.WarnAsync($"kvm:replace {string.Join(", ", paths)}: domain {name} is deleted (shut down, undefined) and created again", ctx.Urn)
                .GetAwaiter().GetResult();
        }
        return diff;
    }

    // ---- Create ----

    protected override async Task<Outcome<DomainState>> CreateAsync(CreateContext<DomainArgs> ctx)
    {
        var a = ctx.Args;
        if (ctx.Preview) return PlannedCreate(a, ctx.Inputs);

        var name = a.Name!;
        using var gate = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        var libvirt = Host.Libvirt;
        using (var existing = libvirt.FindDomainByName(name))
        {
            if (existing is not null)
                throw ProviderException.AlreadyExists(
                    $"a domain named \"{name}\" is already defined at {libvirt.Uri} (uuid {existing.Uuid:D}); the provider never adopts it silently. " +
                    $"To manage it, import it: `pulumi import {TypeToken} <resource-name> {name}`");
        }
        if (a.Uuid is { } u)
        {
            using var byUuid = libvirt.FindDomainByUuid(Guid.Parse(u));
            if (byUuid is not null)
                throw ProviderException.AlreadyExists(
                    $"domain {byUuid.Name} at {libvirt.Uri} already has uuid {u}. To manage it, import it: `pulumi import {TypeToken} <resource-name> {u}`");
        }

        var routes = await RouteAsync(a, strict: _ => true, ctx.Cancellation).ConfigureAwait(false);
        if (routes.Contains(true)) await EnsureHookAsync(ctx.Urn, ctx.Cancellation).ConfigureAwait(false);

        var xml = DomainMapping.BuildXml(a, null, null, i => routes[i], out var macsMissing);
        ILibvirtDomain domain;
        try
        {
            domain = libvirt.DefineDomain(xml.ToString());
        }
        catch (LibvirtException e)
        {
            throw Refused(e, $"defining domain {name}");
        }

        using (domain)
        {
            var id = domain.Uuid.ToString("D");
            // From here the domain exists: a failure must leave the engine its id, not an orphan.
            try
            {
                if (macsMissing)
                {
                    // libvirt has generated the MACs: now the Linux-bridge VLANs can be recorded by MAC.
                    var defined = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive | DomainXmlFlags.Secure));
                    libvirt.DefineDomain(DomainMapping.BuildXml(a, null, defined, i => routes[i], out _).ToString()).Dispose();
                }
                if (a.Autostart is { } autostart) domain.SetAutostart(autostart);
            }
            catch (LibvirtException e)
            {
                throw await InitFailedAsync(domain, a, $"domain {name} was defined but not fully configured: {e.Message}", e, ctx.Cancellation).ConfigureAwait(false);
            }
            if (a.Running != false)
                await StartAsync(domain, a, ctx.Urn, "was defined but did not start", ctx.Cancellation).ConfigureAwait(false);
            return new Outcome<DomainState>(id, await ObserveAsync(domain, a, ctx.Cancellation).ConfigureAwait(false));
        }
    }

    // ---- Read ----

    protected override async Task<Observed<DomainArgs, DomainState>?> ReadAsync(ReadContext<DomainArgs, DomainState> ctx)
    {
        using var domain = Find(ctx.Id);
        if (domain is null) return null;
        DomainArgs? reference = ctx.OldInputs ?? ctx.OldState;
        var snapshot = Snapshot.Take(domain);
        var state = await ObserveAsync(snapshot, reference, ctx.Cancellation).ConfigureAwait(false);
        return new Observed<DomainArgs, DomainState>(domain.Uuid.ToString("D"), state, InputsOf(state, snapshot, ctx.IsImport));
    }

    /// <summary>
    /// The inputs that reproduce what was observed: the observed values, without the outputs, and without
    /// host device names libvirt generated (only a name the config itself holds is an input). On import,
    /// lists whose devices the inputs cannot describe (e.g. a vhost-user NIC) are left unmanaged.
    /// </summary>
    private static DomainArgs InputsOf(DomainState s, Snapshot snapshot, bool import)
    {
        var configNics = snapshot.Config.Interfaces;
        var nics = s.Interfaces?.Select((n, i) => n with { TargetDevice = i < configNics.Count ? configNics[i].TargetDev : null }).ToArray();
        var args = new DomainArgs
        {
            Name = s.Name, Type = s.Type, Uuid = s.Uuid, MemoryMib = s.MemoryMib, MaxMemoryMib = s.MaxMemoryMib, Vcpus = s.Vcpus,
            MaxVcpus = s.MaxVcpus, CpuMode = s.CpuMode, Machine = s.Machine, Arch = s.Arch, Kernel = s.Kernel, Initrd = s.Initrd,
            KernelCmdline = s.KernelCmdline, BootDevices = s.BootDevices, Features = s.Features, Disks = s.Disks, Interfaces = nics,
            Graphics = s.Graphics, Serials = s.Serials, OnPoweroff = s.OnPoweroff, OnReboot = s.OnReboot, OnCrash = s.OnCrash,
            Running = s.Running, Autostart = s.Autostart, ShutdownTimeoutSeconds = s.ShutdownTimeoutSeconds, RestartPolicy = s.RestartPolicy,
        };
        if (!import) return args;
        return args with
        {
            Interfaces = nics is not null && nics.All(n => n.Type is "bridge" or "network" or "direct") ? nics : null,
            Disks = s.Disks is { } disks && snapshot.Config.Disks.All(d => d.Type is DiskType.File or DiskType.Block) ? disks : null,
            Serials = s.Serials is { } serials && serials.All(x => x.Type is "pty" or "file" or "unix") ? serials : null,
            Graphics = s.Graphics is { Type: "vnc" or "spice" } g ? g : null,
            Type = s.Type,
        };
    }

    // ---- Update ----

    protected override async Task<Outcome<DomainState>> UpdateAsync(UpdateContext<DomainArgs, DomainState> ctx)
    {
        var a = ctx.Args;
        var changes = DomainChanges.Classify(DiffOf(ctx), ctx.OldState, a);
        var name = a.Name!;
        if (ctx.Preview)
        {
            await LogPlanAsync(ctx.Urn, name, a, ctx.OldState, changes).ConfigureAwait(false);
            return PlannedUpdate(a, ctx, changes);
        }

        using var gate = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        using var domain = Find(ctx.Id)
            ?? throw ProviderException.NotFound($"domain {name} ({ctx.Id}) no longer exists at {Host.Libvirt.Uri}; run `pulumi refresh` to drop it from the state, then `pulumi up` to create it again");
        var before = Snapshot.Take(domain);
        var changedNics = changes.Where(c => c.Path.StartsWith("interfaces", StringComparison.Ordinal)).Select(c => c.Path).ToList();
        var routes = await RouteAsync(a, strict: i => changedNics.Any(p => p == "interfaces" || p == $"interfaces[{i}]" || p.StartsWith($"interfaces[{i}].", StringComparison.Ordinal)), ctx.Cancellation).ConfigureAwait(false);
        if (routes.Contains(true)) await EnsureHookAsync(ctx.Urn, ctx.Cancellation).ConfigureAwait(false);

        var applied = false;
        try
        {
            var xml = DomainMapping.BuildXml(a, ctx.OldInputs, before.Config, i => routes[i], out var macsMissing);
            if (!XNode.DeepEquals(xml, before.Config.Origin.Element))
            {
                Host.Libvirt.DefineDomain(xml.ToString()).Dispose();
                applied = true;
            }
            var config = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive | DomainXmlFlags.Secure));
            if (macsMissing)
            {
                Host.Libvirt.DefineDomain(DomainMapping.BuildXml(a, ctx.OldInputs, config, i => routes[i], out _).ToString()).Dispose();
                config = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive | DomainXmlFlags.Secure));
            }

            var wantRunning = a.Running != false;
            var restart = changes.Any(c => c.Class == ChangeClass.Restart);
            if (before.Active && wantRunning)
            {
                var live = await ApplyLiveAsync(domain, before, config, a, ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
                applied |= live.Applied;
                restart |= live.NeedsRestart;
            }
            // Under graceful/force, changes that waited for a restart (written earlier under never) go too.
            var waiting = Array.Empty<string>();
            if (before.Active && wantRunning && a.RestartPolicy is "graceful" or "force")
            {
                var now = Snapshot.Take(domain);
                if (now.Live is { } running) waiting = PendingRestart(now.Config, running, a);
                restart |= waiting.Length > 0;
            }
            if (a.Autostart is { } autostart && autostart != before.Autostart)
            {
                domain.SetAutostart(autostart);
                applied = true;
            }

            if (before.Active && !wantRunning)
            {
                await StopAsync(domain, a, ctx.Timeout, ctx.Cancellation).ConfigureAwait(false);
                applied = true;
            }
            else if (!before.Active && wantRunning)
            {
                await StartAsync(domain, a, ctx.Urn, "did not start", ctx.Cancellation).ConfigureAwait(false);
                applied = true;
            }
            else if (before.Active && restart)
            {
                var paths = string.Join(", ", changes.Where(c => c.Class == ChangeClass.Restart).Select(c => c.Path).Concat(waiting).Distinct()
                    .DefaultIfEmpty("a change the running guest refused"));
                switch (a.RestartPolicy)
                {
                    case "graceful" or "force":
                        await Host.Log.WarnAsync($"kvm:restart {paths}: restarting {name} to apply it (restartPolicy {a.RestartPolicy})", ctx.Urn).ConfigureAwait(false);
                        if (a.RestartPolicy == "graceful") await StopAsync(domain, a, ctx.Timeout, ctx.Cancellation).ConfigureAwait(false);
                        else Destroy(domain);
                        applied = true;
                        await StartAsync(domain, a, ctx.Urn, "was stopped to apply a change but did not start again", ctx.Cancellation).ConfigureAwait(false);
                        break;
                    default:
                        await Host.Log.WarnAsync($"kvm:restart {paths}: written to the persistent config; takes effect when {name} restarts (restartPolicy never: it keeps running as it is)", ctx.Urn).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (LibvirtException e) when (!applied)
        {
            throw Refused(e, $"updating domain {name}");
        }
        catch (Exception e) when (e is LibvirtException or GuestVlanException or NetlinkException)
        {
            throw await InitFailedAsync(domain, a, $"domain {name} was only partly updated: {e.Message}", e, ctx.Cancellation).ConfigureAwait(false);
        }
        return new Outcome<DomainState>(domain.Uuid.ToString("D"), await ObserveAsync(domain, a, ctx.Cancellation).ConfigureAwait(false));
    }

    /// <summary>The detailed diff of an update, computed as Diff did (the engine has applied ignoreChanges to the inputs).</summary>
    private DiffResult DiffOf(UpdateContext<DomainArgs, DomainState> ctx)
    {
        PropertyValue news = Writer.Write(ctx.News.Value);
        foreach (var path in ctx.News.UnknownPaths)
            news = PropertyPath.Set(news, PropertyPath.Parse(path).AsSpan(), _ => PropertyValue.Unknown);
        var byDefault = DiffEngine.Compute(InputShape, Writer.Write(ctx.OldState), (ObjectValue)news, Writer.Write(ctx.OldInputs, inputsOnly: true), [], true);
        return DomainChanges.Refine(byDefault, ctx.OldState, ctx.OldInputs, ctx.News.Value, ctx.News.UnknownPaths);
    }

    /// <summary>What changed on the running guest itself, and whether something it refused now waits for a restart.</summary>
    private sealed record LiveResult(bool Applied, bool NeedsRestart);

    private async Task<LiveResult> ApplyLiveAsync(ILibvirtDomain domain, Snapshot before, DomainDefinition config, DomainArgs a, string urn, CancellationToken ct)
    {
        var live = before.Live!;
        var name = a.Name!;
        var applied = false;
        var needsRestart = false;

        async Task Refused(string what, LibvirtException e)
        {
            needsRestart = true;
            await Host.Log.WarnAsync($"kvm:restart {what}: the running guest refused the change ({e.Message}); it is in the persistent config and takes effect when {name} restarts", urn).ConfigureAwait(false);
        }

        var currentKiB = config.CurrentMemoryKiB ?? config.MemoryKiB;
        if (currentKiB is { } kib && kib != before.ConfigCurrentMemoryKiB && kib <= (live.MemoryKiB ?? 0))
        {
            try
            {
                domain.SetMemory(kib, MemoryModifyFlags.Live);
                applied = true;
            }
            catch (LibvirtException e)
            {
                await Refused("memoryMib", e).ConfigureAwait(false);
            }
        }

        var wantedVcpus = a.Vcpus!.Value;
        if (live.Vcpu is { } lv && (lv.Current ?? lv.Maximum) != wantedVcpus && wantedVcpus <= lv.Maximum)
        {
            try
            {
                domain.SetVcpus(wantedVcpus, VcpuModifyFlags.Live);
                applied = true;
            }
            catch (LibvirtException e)
            {
                await Refused("vcpus", e).ConfigureAwait(false);
            }
        }

        if (a.Interfaces is not null)
        {
            var linuxVlans = GuestVlans.Read(config.Origin.Element);
            var liveByMac = live.Interfaces.Where(n => n.MacAddress is not null).ToDictionary(n => DeviceMatching.Mac(n.MacAddress)!, StringComparer.Ordinal);
            var configMacs = config.Interfaces.Select(n => DeviceMatching.Mac(n.MacAddress)).ToHashSet(StringComparer.Ordinal);
            // Unplug first, so a NIC that moves to a new MAC frees its slot before the new one is plugged.
            foreach (var (mac, nic) in liveByMac.Where(p => !configMacs.Contains(p.Key)))
            {
                try
                {
                    domain.DetachDevice(DomainXml.DeviceXml(nic), DeviceModifyFlags.Live);
                    applied = true;
                    await Host.Log.InfoAsync($"interface {mac} of {name}: hot-unplug requested; the guest completes it (until then it stays in the running guest and in pendingRestart)", urn).ConfigureAwait(false);
                }
                catch (LibvirtException e)
                {
                    await Refused($"interfaces ({mac} removed)", e).ConfigureAwait(false);
                }
            }
            foreach (var nic in config.Interfaces)
            {
                var mac = DeviceMatching.Mac(nic.MacAddress)!;
                if (!liveByMac.TryGetValue(mac, out var current))
                {
                    try
                    {
                        var plug = nic with { Address = null, TargetDev = nic.TargetDev is { } t && DomainMapping.IsGeneratedTap(t) ? null : nic.TargetDev };
                        domain.AttachDevice(DomainXml.DeviceXml(plug), DeviceModifyFlags.Live);
                        applied = true;
                    }
                    catch (LibvirtException e)
                    {
                        await Refused($"interfaces ({mac} added)", e).ConfigureAwait(false);
                    }
                    continue;
                }
                var wantedLink = nic.LinkState ?? LinkState.Up;
                var wantedVlan = linuxVlans.ContainsKey(mac) ? null : nic.Vlan;
                if ((current.LinkState ?? LinkState.Up) != wantedLink || current.Vlan != wantedVlan)
                {
                    try
                    {
                        domain.UpdateDevice(DomainXml.DeviceXml(current with { LinkState = wantedLink, Vlan = wantedVlan }), DeviceModifyFlags.Live);
                        applied = true;
                    }
                    catch (LibvirtException e)
                    {
                        await Refused($"interfaces ({mac} link state or VLANs)", e).ConfigureAwait(false);
                    }
                }
            }
            // Linux-bridge VLANs: the taps of the running guest (new ones included), over netlink.
            var oldLinux = GuestVlans.Read(before.Config.Origin.Element);
            if (linuxVlans.Count > 0 || oldLinux.Count > 0)
            {
                var now = DomainXml.Parse(domain.GetXmlDesc());
                foreach (var nic in now.Interfaces)
                {
                    var mac = DeviceMatching.Mac(nic.MacAddress);
                    if (mac is null || nic.TargetDev is not { } tap) continue;
                    if (linuxVlans.TryGetValue(mac, out var vlan))
                    {
                        if (await GuestPortVlans.ApplyAsync(Host.Links, Host.Vlans, tap, vlan, ct).ConfigureAwait(false) is { } warning)
                            await Host.Log.WarnAsync($"{name}: {warning}", urn).ConfigureAwait(false);
                        applied = true;
                    }
                    else if (oldLinux.ContainsKey(mac))
                    {
                        await GuestPortVlans.ResetAsync(Host.Links, Host.Vlans, tap, ct).ConfigureAwait(false);
                        applied = true;
                    }
                }
            }
        }

        if (a.Disks is not null)
        {
            var liveByTarget = live.Disks.ToDictionary(d => d.TargetDev, StringComparer.Ordinal);
            var configTargets = config.Disks.Select(d => d.TargetDev).ToHashSet(StringComparer.Ordinal);
            foreach (var (target, disk) in liveByTarget.Where(p => !configTargets.Contains(p.Key)))
            {
                try
                {
                    domain.DetachDevice(DomainXml.DeviceXml(disk), DeviceModifyFlags.Live);
                    applied = true;
                }
                catch (LibvirtException e)
                {
                    await Refused($"disks ({target} removed)", e).ConfigureAwait(false);
                }
            }
            foreach (var disk in config.Disks.Where(d => !liveByTarget.ContainsKey(d.TargetDev)))
            {
                try
                {
                    domain.AttachDevice(DomainXml.DeviceXml(disk with { Address = null }), DeviceModifyFlags.Live);
                    applied = true;
                }
                catch (LibvirtException e)
                {
                    await Refused($"disks ({disk.TargetDev} added)", e).ConfigureAwait(false);
                }
            }
        }
        return new LiveResult(applied, needsRestart);
    }

    // ---- Delete ----

    protected override async Task DeleteAsync(DeleteContext<DomainArgs, DomainState> ctx)
    {
        var name = ctx.State.Name ?? ctx.Id;
        using var gate = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        using var domain = Find(ctx.Id);
        if (domain is null)
        {
            await Host.Log.WarnAsync($"domain {name} ({ctx.Id}) was already gone from {Host.Libvirt.Uri}; nothing to delete", ctx.Urn).ConfigureAwait(false);
            return;
        }
        var settings = ctx.OldInputs ?? ctx.State;
        try
        {
            if (domain.IsActive()) await StopAsync(domain, settings, ctx.Timeout, ctx.Cancellation).ConfigureAwait(false);
            domain.Undefine(DomainUndefineFlags.Nvram | DomainUndefineFlags.ManagedSave);
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            // Gone meanwhile: what Delete wanted.
        }
        catch (LibvirtException e)
        {
            throw new ProviderException(StatusCode.Unknown, $"deleting domain {name}: {e.Message}", e);
        }
        if (IsLocalQemu(Host.Libvirt.Uri)) _hookInstaller(Host.Config.EffectiveHooksDir).Forget(domain.Uuid);
    }

    // ---- starting and stopping ----

    /// <summary>
    /// Starts the guest, then makes sure its Linux-bridge VLANs are on its taps (the hook normally did it
    /// during the start). A guest whose VLANs cannot be applied is stopped again: it never runs on the
    /// wrong VLAN. Failures are <see cref="ResourceInitFailedException"/>: the domain stays defined and the
    /// next `pulumi up` tries again.
    /// </summary>
    private async Task StartAsync(ILibvirtDomain domain, DomainArgs a, string urn, string failedWhat, CancellationToken ct)
    {
        var name = a.Name!;
        var started = DateTimeOffset.UtcNow;
        try
        {
            domain.Start();
        }
        catch (LibvirtException e)
        {
            throw await InitFailedAsync(domain, a, $"domain {name} {failedWhat}: {e.Message}", e, ct).ConfigureAwait(false);
        }

        var vlans = GuestVlans.Read(XElement.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive)));
        if (vlans.Count == 0) return;
        try
        {
            var live = DomainXml.Parse(domain.GetXmlDesc());
            foreach (var nic in live.Interfaces)
            {
                if (DeviceMatching.Mac(nic.MacAddress) is not { } mac || !vlans.TryGetValue(mac, out var vlan)) continue;
                var tap = nic.TargetDev ?? throw new GuestVlanException($"interface {mac} has no host device");
                if (await GuestPortVlans.ApplyAsync(Host.Links, Host.Vlans, tap, vlan, ct).ConfigureAwait(false) is { } warning)
                    await Host.Log.WarnAsync($"{name}: {warning}", urn).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is GuestVlanException or NetlinkException or LibvirtException)
        {
            Destroy(domain);
            throw await InitFailedAsync(domain, a, $"domain {name} was stopped again right after it started, so it never runs on the wrong VLAN: {e.Message}", e, ct).ConfigureAwait(false);
        }

        if (IsLocalQemu(Host.Libvirt.Uri))
        {
            var seen = _hookInstaller(Host.Config.EffectiveHooksDir).LastStart(domain.Uuid);
            if (seen is null || seen < started.AddSeconds(-5))
                await Host.Log.WarnAsync(
                    $"libvirtd did not run the provider's qemu hook when {name} started: it has not loaded hooks since the hook was installed " +
                    $"({Path.Combine(Host.Config.EffectiveHooksDir, "qemu.d", HookInstaller.ScriptName)}). The provider applied the VLANs itself this time; " +
                    "restart libvirtd (running guests keep running) so that they are re-applied when the guest restarts outside Pulumi", urn).ConfigureAwait(false);
        }
    }

    /// <summary>ACPI shutdown, waiting up to shutdownTimeoutSeconds (capped by the operation's timeout), then a hard power-off.</summary>
    private static async Task StopAsync(ILibvirtDomain domain, DomainArgs settings, TimeSpan? operationTimeout, CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds(settings.ShutdownTimeoutSeconds ?? 60);
        if (operationTimeout is { } t && t - TimeSpan.FromSeconds(10) < wait) wait = t - TimeSpan.FromSeconds(10);
        if (wait > TimeSpan.Zero)
        {
            try
            {
                domain.Shutdown();
                var deadline = DateTime.UtcNow + wait;
                while (domain.IsActive() && DateTime.UtcNow < deadline)
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
            }
            catch (LibvirtException e) when (e.Code is LibvirtErrorCode.OperationInvalid)
            {
                // Not running any more.
            }
        }
        Destroy(domain);
    }

    private static void Destroy(ILibvirtDomain domain)
    {
        try
        {
            if (domain.IsActive()) domain.Destroy();
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCode.OperationInvalid)
        {
            // It stopped on its own meanwhile.
        }
    }

    // ---- observing ----

    /// <summary>What libvirt reports about one domain: five calls, no waiting.</summary>
    private sealed record Snapshot(DomainDefinition Config, DomainDefinition? Live, string LiveXml, LibvirtDomainState State, bool Autostart)
    {
        public bool Active => Live is not null;

        public ulong? ConfigCurrentMemoryKiB => Config.CurrentMemoryKiB ?? Config.MemoryKiB;

        public int? DomainId => Live?.Origin.Element?.Attribute("id")?.Value is { } id && int.TryParse(id, out var n) ? n : null;

        public static Snapshot Take(ILibvirtDomain domain)
        {
            var state = domain.GetState().State;
            var config = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive | DomainXmlFlags.Secure));
            var liveXml = domain.GetXmlDesc();
            var live = DomainXml.Parse(liveXml);
            // The live XML of a running domain carries its id; a domain that is not running reports its config.
            var active = live.Origin.Element?.Attribute("id") is not null;
            return new Snapshot(config, active ? live : null, liveXml, state, domain.GetAutostart());
        }
    }

    private async Task<DomainState> ObserveAsync(ILibvirtDomain domain, DomainArgs? reference, CancellationToken ct) =>
        await ObserveAsync(Snapshot.Take(domain), reference, ct).ConfigureAwait(false);

    /// <summary>
    /// The state: the persistent config (what the next start will be) for everything a restart applies,
    /// the running guest for what changes live (vCPUs, NIC link state and VLANs, host device names),
    /// and the Linux bridge's VLAN table of each tap for VLANs the provider programs. The memory is the
    /// configured balloon target: what the guest actually holds moves with its balloon driver.
    /// </summary>
    private async Task<DomainState> ObserveAsync(Snapshot s, DomainArgs? reference, CancellationToken ct)
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
                    tables = (await Host.Vlans.DumpAsync(ct).ConfigureAwait(false)).ToDictionary(t => t.Name, t => t.Entries, StringComparer.Ordinal);
                }
                catch (Exception e) when (e is NetlinkException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
                {
                    // Without the kernel's tables, report what was asked for.
                }
            }
            nics = [.. nics.Select(n =>
            {
                var current = live.Interfaces.FirstOrDefault(l => DeviceMatching.Mac(l.MacAddress) == n.MacAddress);
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
        return new DomainState
        {
            Name = configArgs.Name,
            Type = configArgs.Type,
            Uuid = configArgs.Uuid,
            MemoryMib = configArgs.MemoryMib,
            MaxMemoryMib = configArgs.MaxMemoryMib,
            Vcpus = vcpu is null ? null : vcpu.Current ?? vcpu.Maximum,
            MaxVcpus = configArgs.MaxVcpus,
            CpuMode = configArgs.CpuMode,
            Machine = configArgs.Machine,
            Arch = configArgs.Arch,
            Kernel = configArgs.Kernel,
            Initrd = configArgs.Initrd,
            KernelCmdline = configArgs.KernelCmdline,
            BootDevices = configArgs.BootDevices,
            Features = configArgs.Features,
            Disks = configArgs.Disks,
            Interfaces = nics,
            Graphics = configArgs.Graphics,
            Serials = configArgs.Serials,
            OnPoweroff = configArgs.OnPoweroff,
            OnReboot = configArgs.OnReboot,
            OnCrash = configArgs.OnCrash,
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

    /// <summary>Paths whose persistent config differs from the running guest (what a restart would change).</summary>
    private static string[] PendingRestart(DomainDefinition config, DomainDefinition live, DomainArgs? reference)
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
        var diff = DiffEngine.Compute(Schema.ObjectShape.Of<DomainArgs>(), Writer.Write(liveArgs), Writer.Write(configArgs), Writer.Write(configArgs), [], false);
        return [.. diff.Detailed.Keys.Where(p => !IgnoredForPending(p))];
    }

    /// <summary>Values the running guest reports differently by nature: the balloon's actual size, the expanded CPU model, generated names.</summary>
    private static bool IgnoredForPending(string path) =>
        path is "memoryMib" or "cpuMode" or "graphics.port" or "liveXml"
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

    // ---- preview ----

    private static Outcome<DomainState> PlannedCreate(DomainArgs a, Bound<DomainArgs> inputs)
    {
        var running = a.Running != false;
        var unknown = new List<string> { "liveXml" };
        if (a.Uuid is null && !inputs.IsUnknown("uuid")) unknown.Add("uuid");
        if (running) unknown.Add("domainId");
        var nics = a.Interfaces ?? [];
        for (var i = 0; i < nics.Length; i++)
        {
            if (nics[i].MacAddress is null && !inputs.IsUnknown($"interfaces[{i}].macAddress")) unknown.Add($"interfaces[{i}].macAddress");
            if (running && nics[i].TargetDevice is null) unknown.Add($"interfaces[{i}].targetDevice");
        }
        var state = Planned(a, uuid: a.Uuid) with
        {
            State = running ? "running" : "shutoff",
            PendingRestart = [],
            LiveXml = "",
        };
        return new Outcome<DomainState>(a.Uuid ?? "", state) { UnknownOutputs = [.. unknown] };
    }

    private static Outcome<DomainState> PlannedUpdate(DomainArgs a, UpdateContext<DomainArgs, DomainState> ctx, IReadOnlyList<DomainChange> changes)
    {
        var old = ctx.OldState;
        var wasRunning = old.Running == true;
        var willRun = a.Running != false;
        var restarts = wasRunning && willRun && a.RestartPolicy is "graceful" or "force" && (changes.Any(c => c.Class == ChangeClass.Restart) || old.PendingRestart is { Length: > 0 });
        var unknown = new List<string> { "liveXml", "pendingRestart" };
        if (wasRunning != willRun) unknown.Add("state");
        if ((wasRunning != willRun && willRun) || restarts) unknown.Add("domainId");

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
            if (nics[i].MacAddress is null && !ctx.News.IsUnknown($"interfaces[{i}].macAddress")) unknown.Add($"interfaces[{i}].macAddress");
            if (nics[i].TargetDevice is null && willRun) unknown.Add($"interfaces[{i}].targetDevice");
        }
        var state = Planned(a, uuid: old.Uuid) with
        {
            Interfaces = a.Interfaces is null ? old.Interfaces : nics,
            State = wasRunning == willRun ? old.State : willRun ? "running" : "shutoff",
            DomainId = wasRunning && willRun && !restarts ? old.DomainId : null,
            PendingRestart = old.PendingRestart,
            LiveXml = old.LiveXml,
            // Values the program leaves to the host stay as they were observed.
            MaxMemoryMib = a.MaxMemoryMib ?? (a.MemoryMib > old.MaxMemoryMib ? a.MemoryMib : old.MaxMemoryMib),
            MaxVcpus = a.MaxVcpus ?? (a.Vcpus > old.MaxVcpus ? a.Vcpus : old.MaxVcpus),
            CpuMode = a.CpuMode ?? (ctx.OldInputs.CpuMode is null ? old.CpuMode : null),
            Machine = a.Machine ?? (ctx.OldInputs.Machine is null ? old.Machine : null),
            Arch = a.Arch ?? (ctx.OldInputs.Arch is null ? old.Arch : null),
            BootDevices = a.BootDevices ?? (ctx.OldInputs.BootDevices is null ? old.BootDevices : null),
            Features = a.Features ?? (ctx.OldInputs.Features is null ? old.Features : null),
            Disks = a.Disks ?? (ctx.OldInputs.Disks is null ? old.Disks : null),
            Graphics = a.Graphics ?? (ctx.OldInputs.Graphics is null ? old.Graphics : null),
            Serials = a.Serials ?? (ctx.OldInputs.Serials is null ? old.Serials : null),
            Autostart = a.Autostart ?? old.Autostart,
        };
        return new Outcome<DomainState>(ctx.Id, state) { UnknownOutputs = [.. unknown] };
    }

    private static DomainState Planned(DomainArgs a, string? uuid) => new()
    {
        Name = a.Name, Type = a.Type ?? "kvm", Uuid = uuid, MemoryMib = a.MemoryMib, MaxMemoryMib = a.MaxMemoryMib ?? a.MemoryMib,
        Vcpus = a.Vcpus, MaxVcpus = a.MaxVcpus ?? a.Vcpus, CpuMode = a.CpuMode, Machine = a.Machine, Arch = a.Arch, Kernel = a.Kernel,
        Initrd = a.Initrd, KernelCmdline = a.KernelCmdline, BootDevices = a.BootDevices, Features = a.Features, Disks = a.Disks,
        Interfaces = a.Interfaces, Graphics = a.Graphics, Serials = a.Serials, OnPoweroff = a.OnPoweroff, OnReboot = a.OnReboot,
        OnCrash = a.OnCrash, Running = a.Running ?? true, Autostart = a.Autostart, ShutdownTimeoutSeconds = a.ShutdownTimeoutSeconds ?? 60,
        RestartPolicy = a.RestartPolicy ?? "never",
    };

    /// <summary>
    /// The preview's classification, one engine-log line per class, each with a fixed prefix that tools
    /// parse (examples/ci-preview): <c>kvm:live PATHS: ...</c> (info) and <c>kvm:restart PATHS: ...</c> (warning).
    /// </summary>
    private async Task LogPlanAsync(string urn, string name, DomainArgs a, DomainState old, IReadOnlyList<DomainChange> changes)
    {
        var running = old.Running == true;
        var live = changes.Where(c => c.Class == ChangeClass.Live && c.Path != "running").Select(c => c.Path).ToList();
        var restart = changes.Where(c => c.Class == ChangeClass.Restart).Select(c => c.Path).ToList();
        // Under graceful/force, what waited for a restart is applied too.
        if (running && a.RestartPolicy is "graceful" or "force") restart = [.. restart.Concat(old.PendingRestart ?? []).Distinct()];
        var stopping = running && a.Running == false;
        if (live.Count > 0)
        {
            var how = running && !stopping ? "applied to the running guest" : $"written to the persistent config ({name} is not running)";
            await Host.Log.InfoAsync($"kvm:live {string.Join(", ", live)}: {how}", urn).ConfigureAwait(false);
        }
        if (!running && a.Running != false && changes.Any(c => c.Path == "running"))
            await Host.Log.InfoAsync($"kvm:live running: {name} will be started", urn).ConfigureAwait(false);
        if (stopping)
        {
            var wait = a.ShutdownTimeoutSeconds ?? 60;
            await Host.Log.WarnAsync($"kvm:restart running: {name} will be shut down ({(wait > 0 ? $"ACPI shutdown up to {wait} s, then powered off" : "powered off at once")})", urn).ConfigureAwait(false);
        }
        if (restart.Count > 0 && !stopping)
        {
            var then = a.RestartPolicy switch
            {
                "graceful" => $"{name} will be restarted to apply it (ACPI shutdown up to {a.ShutdownTimeoutSeconds ?? 60} s, then powered off, then started)",
                "force" => $"{name} will be powered off and started again to apply it",
                _ => $"takes effect when {name} restarts (restartPolicy never: it is not restarted now)",
            };
            await Host.Log.WarnAsync($"kvm:restart {string.Join(", ", restart)}: written to the persistent config; {then}", urn).ConfigureAwait(false);
        }
    }

    // ---- interfaces: where their VLANs go, and the hook ----

    /// <summary>
    /// For each declared NIC, whether the provider programs its VLANs itself (a Linux bridge, where libvirt
    /// refuses <c>&lt;vlan&gt;</c>) rather than libvirt (Open vSwitch). Also checks that the bridges, networks
    /// and devices the NICs name exist: for <paramref name="strict"/> NICs a missing one stops the operation
    /// before anything changes; for the others it is a warning.
    /// </summary>
    private async Task<bool[]> RouteAsync(DomainArgs a, Func<int, bool> strict, CancellationToken ct)
    {
        var nics = a.Interfaces ?? [];
        var result = new bool[nics.Length];
        IReadOnlyList<Link>? links = null;
        for (var i = 0; i < nics.Length; i++)
        {
            var nic = nics[i];
            string? missing = null;
            switch (nic.Type)
            {
                case "bridge":
                    links ??= await Host.Links.ListAsync(ct).ConfigureAwait(false);
                    var link = links.FirstOrDefault(l => l.Name == nic.Bridge);
                    if (link is null) missing = $"no bridge named \"{nic.Bridge}\" exists in {Host.NamespaceDescription}";
                    else if (nic.Vlan is not null && nic.VirtualPort != VirtualPort.OpenVSwitch)
                    {
                        if (!link.IsBridge)
                            throw ProviderException.FailedPrecondition($"interfaces[{i}].vlan: \"{nic.Bridge}\" is not a Linux bridge (kind {link.Kind ?? "none"}); for an Open vSwitch bridge set virtualPort: openvswitch (nothing was changed)");
                        result[i] = true;
                    }
                    break;
                case "network":
                    using (var net = Host.Libvirt.FindNetworkByName(nic.Network!))
                    {
                        if (net is null) missing = $"no libvirt network named \"{nic.Network}\" exists at {Host.Libvirt.Uri}";
                        else if (nic.Vlan is not null && nic.VirtualPort != VirtualPort.OpenVSwitch)
                            result[i] = !IsOpenVSwitch(NetworkXml.Parse(net.GetXmlDesc()), nic.PortGroup);
                    }
                    break;
                case "direct":
                    links ??= await Host.Links.ListAsync(ct).ConfigureAwait(false);
                    if (links.All(l => l.Name != nic.Device)) missing = $"no interface named \"{nic.Device}\" exists in {Host.NamespaceDescription}";
                    break;
            }
            if (missing is null) continue;
            if (strict(i)) throw ProviderException.FailedPrecondition($"interfaces[{i}]: {missing} (nothing was changed)");
            await Host.Log.WarnAsync($"interfaces[{i}] of {a.Name}: {missing}; the guest cannot start until it does").ConfigureAwait(false);
        }
        if (result.Contains(true) && !IsLocalQemu(Host.Libvirt.Uri) && !Host.Libvirt.Uri.StartsWith("test:", StringComparison.Ordinal))
            throw ProviderException.FailedPrecondition(
                $"VLANs on a Linux bridge are programmed by the provider on the KVM host's kernel, but libvirt at {Host.Libvirt.Uri} is on another machine; set the provider's host to that machine (nothing was changed)");
        return result;
    }

    private static bool IsOpenVSwitch(NetworkDefinition network, string? portGroup)
    {
        var group = network.PortGroups.FirstOrDefault(p => p.Name == portGroup) ?? network.PortGroups.FirstOrDefault(p => p.IsDefault == true);
        return network.VirtualPort?.Type == VirtualPort.OpenVSwitch || group?.VirtualPort?.Type == VirtualPort.OpenVSwitch;
    }

    /// <summary>A libvirt on this machine, whose hook folder the provider can write.</summary>
    public static bool IsLocalQemu(string uri) =>
        uri.StartsWith("qemu:///", StringComparison.Ordinal) || uri.StartsWith("qemu+unix:///", StringComparison.Ordinal);

    private async Task EnsureHookAsync(string urn, CancellationToken ct)
    {
        if (!IsLocalQemu(Host.Libvirt.Uri)) return;
        var installer = _hookInstaller(Host.Config.EffectiveHooksDir);
        using var gate = await Host.Locks.AcquireAsync("libvirt-hooks", ct).ConfigureAwait(false);
        HookStatus status;
        try
        {
            status = installer.Ensure();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Host.Log.WarnAsync(
                $"could not install the qemu hook in {installer.HooksDir} ({e.Message}): the provider applies guest VLANs on Linux bridges when it starts a guest, " +
                "but a guest restarted outside Pulumi comes back on its bridge's default VLAN. Set the provider's libvirtHooksDir to libvirt's hook folder", urn).ConfigureAwait(false);
            return;
        }
        if (status.FirstQemuHook)
            await Host.Log.WarnAsync(
                $"installed the qemu hook {status.ScriptPath}, which re-applies guest VLANs on Linux bridges whenever libvirt starts a guest. " +
                "libvirtd looks for hooks only when it starts and had none: restart libvirtd (e.g. `systemctl restart libvirtd`; running guests keep running). " +
                "Until then the provider applies the VLANs itself when it starts a guest", urn).ConfigureAwait(false);
        else if (status.Changed)
            await Host.Log.InfoAsync($"installed the qemu hook {status.ScriptPath}, which re-applies guest VLANs on Linux bridges whenever libvirt starts a guest", urn).ConfigureAwait(false);
    }

    // ---- helpers ----

    /// <summary>The domain by UUID (the id) or, for imports and older states, by name; null when it does not exist.</summary>
    private ILibvirtDomain? Find(string id)
    {
        var libvirt = Host.Libvirt;
        if (Guid.TryParse(id, out var uuid) && libvirt.FindDomainByUuid(uuid) is { } byUuid) return byUuid;
        if (id.Length == 0 || id.Length > 200 || id.Contains('/'))
            throw ProviderException.InvalidArgument($"\"{(id.Length > 40 ? id[..40] + "..." : id)}\" is not a domain id: a Domain's id is its UUID or its name");
        return libvirt.FindDomainByName(id);
    }

    private static string LockKey(string name) => $"domain/{name}";

    private async Task<ResourceInitFailedException> InitFailedAsync(ILibvirtDomain domain, DomainArgs a, string reason, Exception inner, CancellationToken ct)
    {
        DomainState state;
        try
        {
            state = await ObserveAsync(domain, a, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LibvirtException or FormatException)
        {
            state = Planned(a, domain.Uuid.ToString("D")) with { State = "nostate", PendingRestart = [], LiveXml = "" };
        }
        return new ResourceInitFailedException(domain.Uuid.ToString("D"), state, reason, inner);
    }

    /// <summary>libvirt refused before anything changed: say so with a code that promises it.</summary>
    private static ProviderException Refused(LibvirtException e, string what) => e.Code switch
    {
        LibvirtErrorCode.DomExist => ProviderException.AlreadyExists($"{what}: {e.Message}"),
        LibvirtErrorCode.XmlError or LibvirtErrorCode.XmlDetail or LibvirtErrorCode.XmlInvalidSchema or LibvirtErrorCode.InvalidArg
            or LibvirtErrorCode.ConfigUnsupported or LibvirtErrorCode.InvalidMac
            => ProviderException.InvalidArgument($"{what}: libvirt refused the definition: {e.Message} (nothing was changed)"),
        LibvirtErrorCode.OperationInvalid or LibvirtErrorCode.OperationUnsupported or LibvirtErrorCode.NoSupport or LibvirtErrorCode.OperationFailed
            => ProviderException.FailedPrecondition($"{what}: {e.Message} (nothing was changed)"),
        LibvirtErrorCode.AccessDenied or LibvirtErrorCode.OperationDenied or LibvirtErrorCode.AuthFailed
            => ProviderException.FailedPrecondition($"{what}: permission denied: {e.Message}"),
        _ => new ProviderException(StatusCode.Unknown, $"{what}: {e.Message}", e),
    };
}

using System.Xml.Linq;
using Grpc.Core;
using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The Domain on the host: the only Domain code that calls libvirt or netlink (with its helpers
/// <see cref="InterfaceSources"/>, <see cref="DomainLiveChanges"/>, <see cref="DomainPower"/>,
/// <see cref="DomainObserver"/> and <see cref="DomainHook"/>). An update acts on the plan it is given.
/// </summary>
internal sealed class DomainApplier : Applier<DomainArgs, DomainState>
{
    private readonly InterfaceSources _sources;
    private readonly DomainObserver _observer;
    private readonly DomainHook _hook;
    private readonly DomainPower _power;
    private readonly DomainLiveChanges _live;

    /// <param name="hookInstaller">Makes the qemu hook's installer for a hook folder; null for the provider's own binary.</param>
    public DomainApplier(ProviderHost host, Func<string, HookInstaller>? hookInstaller = null) : base(host)
    {
        _sources = new InterfaceSources(host);
        _observer = new DomainObserver(host);
        _hook = new DomainHook(host, hookInstaller);
        _power = new DomainPower(host, _observer, _hook);
        _live = new DomainLiveChanges(host);
    }

    public override Task<IEnumerable<CheckFailure>> CheckAsync(CheckContext<DomainArgs> ctx) => _sources.CheckAsync(ctx);

    public override async Task<Outcome<DomainState>> CreateAsync(CreateContext<DomainArgs> ctx)
    {
        var a = ctx.Args;
        var name = a.Name!;
        using var gate = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        var libvirt = Host.Libvirt;
        using (var existing = libvirt.FindDomainByName(name))
        {
            if (existing is not null)
                throw HostErrors.NeverAdopted($"a domain named \"{name}\" is already defined at {libvirt.Uri} (uuid {existing.Uuid:D})", DomainResource.TypeToken, name);
        }
        if (a.Uuid is { } u)
        {
            using var byUuid = libvirt.FindDomainByUuid(Guid.Parse(u));
            if (byUuid is not null)
                throw ProviderException.AlreadyExists(
                    $"domain {byUuid.Name} at {libvirt.Uri} already has uuid {u}. To manage it, import it: `pulumi import {DomainResource.TypeToken} <resource-name> {u}`");
        }

        var routes = await _sources.RouteAsync(a, strict: _ => true, ctx.Cancellation).ConfigureAwait(false);
        if (routes.Contains(true)) await _hook.EnsureAsync(ctx.Urn, ctx.Cancellation).ConfigureAwait(false);

        var xml = DomainMapping.BuildXml(a, null, null, i => routes[i], out var macsMissing);
        ILibvirtDomain domain;
        try
        {
            domain = libvirt.DefineDomain(xml.ToString());
        }
        catch (LibvirtException e)
        {
            throw HostErrors.Refused(e, $"defining domain {name}", libvirt);
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
                throw await _observer.InitFailedAsync(domain, a, $"domain {name} was defined but not fully configured: {e.Message}", e, ctx.Cancellation).ConfigureAwait(false);
            }
            try
            {
                if (a.Running != false)
                    await _power.StartAsync(domain, a, ctx.Urn, "was defined but did not start", ctx.Cancellation).ConfigureAwait(false);
                return new Outcome<DomainState>(id, await _observer.ObserveAsync(domain, a, ctx.Cancellation).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not (ResourceInitFailedException or OperationCanceledException))
            {
                // Whatever went wrong after the define (reading back what libvirt made of it included), the
                // engine keeps the id: the next `pulumi up` sees the domain instead of tripping over it.
                throw new ResourceInitFailedException(id, DomainPreview.Planned(a, id),
                    $"domain {name} was defined, but {e.Message.Trim()} (the engine keeps it; fix the cause and run `pulumi up` again)", e);
            }
        }
    }

    public override async Task<Observed<DomainArgs, DomainState>?> ReadAsync(ReadContext<DomainArgs, DomainState> ctx)
    {
        using var domain = Find(ctx.Id);
        if (domain is null) return null;
        DomainArgs? reference = ctx.OldInputs ?? ctx.OldState;
        DomainSnapshot snapshot;
        DomainState state;
        try
        {
            snapshot = DomainSnapshot.Take(domain);
            state = await _observer.ObserveAsync(snapshot, reference, ctx.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or System.Xml.XmlException)
        {
            throw new HostObjectUnreadableException($"the domain {domain.Name}", e);
        }
        var inputs = DomainObserver.InputsOf(state, snapshot, ctx.IsImport, out var unmanaged);
        foreach (var what in unmanaged) await Host.Log.WarnAsync($"domain {domain.Name}: {what}", ctx.Urn).ConfigureAwait(false);
        return new Observed<DomainArgs, DomainState>(domain.Uuid.ToString("D"), state, inputs);
    }

    public override async Task<Outcome<DomainState>> UpdateAsync(UpdateContext<DomainArgs, DomainState> ctx)
    {
        var a = ctx.Args;
        var changes = ctx.Plan.Changes;
        var name = a.Name!;
        using var gate = await Host.Locks.AcquireAsync(LockKey(name), ctx.Cancellation).ConfigureAwait(false);
        using var domain = Find(ctx.Id)
            ?? throw ProviderException.NotFound($"domain {name} ({ctx.Id}) no longer exists at {Host.Libvirt.Uri}; run `pulumi refresh` to drop it from the state, then `pulumi up` to create it again");
        var before = DomainSnapshot.Take(domain);
        var changedNics = changes.Where(c => c.Path.StartsWith(DomainArgs.Paths.Interfaces, StringComparison.Ordinal)).Select(c => c.Path).ToList();
        var routes = await _sources.RouteAsync(a, strict: i => changedNics.Any(p => p == DomainArgs.Paths.Interfaces || p == $"interfaces[{i}]" || p.StartsWith($"interfaces[{i}].", StringComparison.Ordinal)), ctx.Cancellation).ConfigureAwait(false);
        if (routes.Contains(true)) await _hook.EnsureAsync(ctx.Urn, ctx.Cancellation).ConfigureAwait(false);

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
                var live = await _live.ApplyAsync(domain, before, config, a, ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
                applied |= live.Applied;
                restart |= live.NeedsRestart;
            }
            // Under graceful/force, changes that waited for a restart (written earlier under never) go too.
            var waiting = Array.Empty<string>();
            if (before.Active && wantRunning && a.RestartPolicy is "graceful" or "force")
            {
                var now = DomainSnapshot.Take(domain);
                if (now.Live is { } running) waiting = DomainObserver.PendingRestart(now.Config, running, a);
                restart |= waiting.Length > 0;
            }
            if (a.Autostart is { } autostart && autostart != before.Autostart)
            {
                domain.SetAutostart(autostart);
                applied = true;
            }

            if (before.Active && !wantRunning)
            {
                await DomainPower.StopAsync(domain, a, ctx.Timeout, Host.Log, ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
                applied = true;
            }
            else if (!before.Active && wantRunning)
            {
                await _power.StartAsync(domain, a, ctx.Urn, "did not start", ctx.Cancellation).ConfigureAwait(false);
                applied = true;
            }
            else if (before.Active && restart && await StopForRestartAsync(domain, a, ctx, [.. ctx.Plan.PathsOf(ChangeClass.Restart).Concat(waiting).Distinct()]).ConfigureAwait(false))
            {
                applied = true;
                await _power.StartAsync(domain, a, ctx.Urn, "was stopped to apply a change but did not start again", ctx.Cancellation).ConfigureAwait(false);
            }
        }
        catch (LibvirtException e) when (!applied)
        {
            throw HostErrors.Refused(e, $"updating domain {name}", Host.Libvirt);
        }
        catch (Exception e) when (e is LibvirtException or GuestVlanException or NetlinkException)
        {
            throw await _observer.InitFailedAsync(domain, a, $"domain {name} was only partly updated: {e.Message}", e, ctx.Cancellation).ConfigureAwait(false);
        }
        return new Outcome<DomainState>(domain.Uuid.ToString("D"), await _observer.ObserveAsync(domain, a, ctx.Cancellation).ConfigureAwait(false));
    }

    /// <summary>
    /// A running guest whose changes wait for a restart: under graceful/force it is stopped (true; the
    /// caller starts it again), under never it keeps running and the change is reported.
    /// </summary>
    private async Task<bool> StopForRestartAsync(ILibvirtDomain domain, DomainArgs a, UpdateContext<DomainArgs, DomainState> ctx, string[] pending)
    {
        var name = a.Name!;
        var paths = string.Join(", ", pending.DefaultIfEmpty("a change the running guest refused"));
        if (a.RestartPolicy is not ("graceful" or "force"))
        {
            await Host.Log.WarnAsync($"kvm:restart {paths}: written to the persistent config; takes effect when {name} restarts (restartPolicy never: it keeps running as it is)", ctx.Urn).ConfigureAwait(false);
            return false;
        }
        await Host.Log.WarnAsync($"kvm:restart {paths}: restarting {name} to apply it (restartPolicy {a.RestartPolicy})", ctx.Urn).ConfigureAwait(false);
        if (a.RestartPolicy == "graceful") await DomainPower.StopAsync(domain, a, ctx.Timeout, Host.Log, ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
        else DomainPower.Destroy(domain);
        return true;
    }

    public override async Task DeleteAsync(DeleteContext<DomainArgs, DomainState> ctx)
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
            if (domain.IsActive()) await DomainPower.StopAsync(domain, settings, ctx.Timeout, Host.Log, ctx.Urn, ctx.Cancellation).ConfigureAwait(false);
            domain.Undefine(DomainUndefineFlags.Nvram | DomainUndefineFlags.ManagedSave);
        }
        catch (LibvirtException e) when (e.IsNotFound)
        {
            // Gone meanwhile: what Delete wanted.
        }
        catch (LibvirtException e)
        {
            // Not a refusal: the guest may have been shut down before the undefine failed.
            throw new ProviderException(StatusCode.Unknown, $"deleting domain {name}: {e.Message}", e);
        }
        _hook.Forget(domain.Uuid);
    }

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
}

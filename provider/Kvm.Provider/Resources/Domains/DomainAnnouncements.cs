namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// What a Domain's preview says about a plan, one engine-log line per class, each with a fixed prefix
/// that tools parse (examples/ci-preview): <c>kvm:live PATHS: ...</c> (info), <c>kvm:restart PATHS: ...</c>
/// (warning) and, for a replacement, <c>kvm:replace PATHS: ...</c> (warning, logged at Diff).
/// </summary>
internal static class DomainAnnouncements
{
    public static IEnumerable<Announcement> Of(AnnounceContext<DomainArgs, DomainState> ctx)
    {
        var (a, old, plan) = (ctx.News, ctx.OldState, ctx.Plan);
        if (plan.Replaces)
        {
            var paths = plan.Diff.Detailed.Where(d => d.Value.IsReplace()).Select(d => d.Key);
            yield return Announcement.Replacement(
                $"kvm:replace {string.Join(", ", paths)}: domain {old.Name ?? ctx.Id} is deleted (shut down, undefined) and created again");
        }

        var name = a.Name!;
        var running = old.Running == true;
        var live = plan.PathsOf(ChangeClass.Live).Where(p => p != DomainArgs.Paths.Running).ToList();
        var restart = plan.PathsOf(ChangeClass.Restart).ToList();
        // Under graceful/force, what waited for a restart is applied too.
        if (running && a.RestartPolicy is "graceful" or "force") restart = [.. restart.Concat(old.PendingRestart ?? []).Distinct()];
        var stopping = running && a.Running == false;
        if (live.Count > 0)
        {
            var how = running && !stopping ? "applied to the running guest" : $"written to the persistent config ({name} is not running)";
            yield return Announcement.Info($"kvm:live {string.Join(", ", live)}: {how}");
        }
        if (!running && a.Running != false && plan.Changes.Any(c => c.Path == DomainArgs.Paths.Running))
            yield return Announcement.Info($"kvm:live running: {name} will be started");
        if (stopping)
        {
            var wait = a.ShutdownTimeoutSeconds ?? 60;
            yield return Announcement.Warning($"kvm:restart running: {name} will be shut down ({(wait > 0 ? $"ACPI shutdown up to {wait} s, then powered off" : "powered off at once")})");
        }
        if (restart.Count > 0 && !stopping)
        {
            var then = a.RestartPolicy switch
            {
                "graceful" => $"{name} will be restarted to apply it (ACPI shutdown up to {a.ShutdownTimeoutSeconds ?? 60} s, then powered off, then started)",
                "force" => $"{name} will be powered off and started again to apply it",
                _ => $"takes effect when {name} restarts (restartPolicy never: it is not restarted now)",
            };
            yield return Announcement.Warning($"kvm:restart {string.Join(", ", restart)}: written to the persistent config; {then}");
        }
    }
}

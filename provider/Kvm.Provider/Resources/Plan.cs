using System.Collections.Immutable;
using Pulumirpc;

namespace Kvm.Provider.Resources;

/// <summary>How a change reaches the host object, for every resource alike.</summary>
internal enum ChangeClass
{
    /// <summary>Applied to the running object (a running guest, a running network) without interrupting it.</summary>
    Live,

    /// <summary>Takes a restart of the object: written to its definition, applied when it (re)starts.</summary>
    Restart,

    /// <summary>The object is deleted and made again.</summary>
    Replace,
}

/// <summary>One changed property path: its kind in the protocol's terms and how it reaches the host.</summary>
internal sealed record PlannedChange(string Path, DiffKind Kind, ChangeClass Class);

/// <summary>
/// What a change of inputs means for the host object: the diff the engine sees and each changed
/// path classified. Computed once per operation (Diff, or Update from its own request) by the
/// resource's planner, and handed to the preview, the announcements and the applier alike.
/// </summary>
internal sealed record Plan(DiffResult Diff, ImmutableArray<PlannedChange> Changes)
{
    public static Plan Unclassified(DiffResult diff) =>
        new(diff, [.. diff.Detailed.Select(d => new PlannedChange(d.Key, d.Value, d.Value.IsReplace() ? ChangeClass.Replace : ChangeClass.Live))]);

    public bool Replaces => Diff.IsReplace;

    public IEnumerable<string> PathsOf(ChangeClass cls) => Changes.Where(c => c.Class == cls).Select(c => c.Path);
}

/// <summary>
/// A line the preview writes to the engine log, attached to the resource's URN, with a fixed prefix
/// tools parse (examples/ci-preview): <c>kvm:live ...</c>, <c>kvm:restart ...</c>, <c>kvm:replace ...</c>.
/// A replacement's line goes out at Diff (the engine then creates the new object, whose Create knows
/// nothing of the old one); the others at the Update preview.
/// </summary>
internal sealed record Announcement(LogSeverity Severity, string Message, bool OfReplacement = false)
{
    public static Announcement Info(string message) => new(LogSeverity.Info, message);
    public static Announcement Warning(string message) => new(LogSeverity.Warning, message);
    public static Announcement Replacement(string message) => new(LogSeverity.Warning, message, OfReplacement: true);
}

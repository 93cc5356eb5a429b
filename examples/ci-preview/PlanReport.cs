namespace Kvm.Examples.CiPreview;

/// <summary>How a planned step touches the host.</summary>
public enum ChangeKind { Create, Live, Restart, Replace, Update, Delete }

/// <summary>One resource step of the preview, reduced to what the report needs.</summary>
/// <param name="Urn">The resource URN.</param>
/// <param name="Type">The type token, e.g. <c>kvm:index:Domain</c>.</param>
/// <param name="Operation">The engine operation (<c>create</c>, <c>update</c>, <c>replace</c>, <c>create-replacement</c>, <c>delete-replaced</c>, <c>delete</c>, ...).</param>
/// <param name="ChangedKeys">The top-level properties that change.</param>
/// <param name="ReplaceKeys">The properties that force a replacement.</param>
/// <param name="GuestRunning">For a Domain: whether its guest runs now (old state), or will run (new inputs) when there is no old state.</param>
public sealed record PlannedStep(string Urn, string Type, string Operation, IReadOnlyList<string> ChangedKeys, IReadOnlyList<string> ReplaceKeys, bool GuestRunning);

/// <summary>A classification the kvm provider logs during preview: <c>kvm:live ...</c> or <c>kvm:restart ...</c>.</summary>
public sealed record Classification(string Urn, ChangeKind Kind, string Detail)
{
    /// <summary>
    /// Parses a diagnostic message of the kvm provider: <c>kvm:live &lt;detail&gt;</c> or
    /// <c>kvm:restart &lt;detail&gt;</c> (the detail names the properties and says why, free text).
    /// Returns null for any other message.
    /// </summary>
    public static Classification? Parse(string? urn, string message)
    {
        var text = message.Trim();
        ChangeKind kind;
        string rest;
        if (text.StartsWith("kvm:live", StringComparison.Ordinal)) (kind, rest) = (ChangeKind.Live, text["kvm:live".Length..]);
        else if (text.StartsWith("kvm:restart", StringComparison.Ordinal)) (kind, rest) = (ChangeKind.Restart, text["kvm:restart".Length..]);
        else return null;
        if (rest.Length > 0 && !char.IsWhiteSpace(rest[0]) && rest[0] != ':') return null; // e.g. "kvm:liveness"
        return new Classification(urn ?? "", kind, rest.TrimStart(':').Trim());
    }
}

/// <summary>
/// Groups the planned steps of a preview as create / live / restart / replace / update / delete
/// and decides whether the plan would cut a running guest off its network: a replace or restart
/// of a LibvirtNetwork, a replace or restart of a Domain whose guest runs, or a replace of a Bridge.
/// </summary>
public sealed class PlanReport
{
    public const string BridgeType = "kvm:index:Bridge";
    public const string NetworkType = "kvm:index:LibvirtNetwork";
    public const string DomainType = "kvm:index:Domain";

    private readonly Dictionary<string, PlannedStep> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Classification>> _classifications = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Add(PlannedStep step)
    {
        lock (_lock)
        {
            // A replacement shows up as several steps (replace, create-replacement, delete-replaced): keep the strongest.
            if (!_steps.TryGetValue(step.Urn, out var seen) || Rank(step.Operation) > Rank(seen.Operation))
                _steps[step.Urn] = step;
        }
    }

    public void Add(Classification c)
    {
        lock (_lock)
        {
            if (!_classifications.TryGetValue(c.Urn, out var list)) _classifications[c.Urn] = list = [];
            list.Add(c);
        }
    }

    private static int Rank(string op) => op switch
    {
        "replace" or "create-replacement" or "delete-replaced" or "import-replacement" => 3,
        "create" or "delete" or "update" or "import" => 2,
        _ => 1,
    };

    /// <summary>One line of the report.</summary>
    public sealed record Entry(ChangeKind Kind, PlannedStep Step, IReadOnlyList<string> Details, bool CutsGuestOff);

    /// <summary>The changing resources, classified, in a stable order (kind, then URN).</summary>
    public IReadOnlyList<Entry> Entries()
    {
        lock (_lock)
        {
            var entries = new List<Entry>();
            foreach (var step in _steps.Values)
            {
                var classes = _classifications.GetValueOrDefault(step.Urn) ?? [];
                ChangeKind? kind = step.Operation switch
                {
                    "replace" or "create-replacement" or "delete-replaced" or "import-replacement" => ChangeKind.Replace,
                    "create" or "import" => ChangeKind.Create,
                    "delete" => ChangeKind.Delete,
                    "update" => classes.Any(c => c.Kind == ChangeKind.Restart) ? ChangeKind.Restart
                        : classes.Any(c => c.Kind == ChangeKind.Live) ? ChangeKind.Live
                        : ChangeKind.Update,
                    _ => null, // same, read, refresh: no change to the host
                };
                if (kind is not { } k) continue;
                var details = classes.Select(c => $"{(c.Kind == ChangeKind.Live ? "live" : "restart")}: {c.Detail}").ToList();
                entries.Add(new Entry(k, step, details, CutsGuestOff(k, step)));
            }
            return [.. entries.OrderBy(e => e.Kind).ThenBy(e => e.Step.Urn, StringComparer.Ordinal)];
        }
    }

    private static bool CutsGuestOff(ChangeKind kind, PlannedStep step) => (kind, step.Type) switch
    {
        (ChangeKind.Replace or ChangeKind.Restart, NetworkType) => true,
        (ChangeKind.Replace or ChangeKind.Restart, DomainType) => step.GuestRunning,
        (ChangeKind.Replace, BridgeType) => true,
        _ => false,
    };

    /// <summary>True when some planned change would cut a running guest off.</summary>
    public bool CutsAnyGuestOff => Entries().Any(e => e.CutsGuestOff);

    /// <summary>The report as text: one group per kind, each change with its keys and the provider's classification.</summary>
    public string Render()
    {
        var entries = Entries();
        var sb = new System.Text.StringBuilder();
        if (entries.Count == 0)
        {
            sb.Append("No changes planned.\n");
            return sb.ToString();
        }
        foreach (var group in entries.GroupBy(e => e.Kind))
        {
            sb.Append(group.Key switch
            {
                ChangeKind.Live => "live (applied to the running system, no interruption):\n",
                ChangeKind.Restart => "restart (the object restarts: its guests lose the network meanwhile):\n",
                ChangeKind.Replace => "replace (destroyed and created again):\n",
                ChangeKind.Create => "create:\n",
                ChangeKind.Delete => "delete:\n",
                _ => "update (the provider logged no live/restart classification):\n",
            });
            foreach (var e in group)
            {
                var keys = e.Kind == ChangeKind.Replace && e.Step.ReplaceKeys.Count > 0 ? e.Step.ReplaceKeys : e.Step.ChangedKeys;
                sb.Append($"  {(e.CutsGuestOff ? "!" : " ")} {e.Step.Type} {NameOf(e.Step.Urn)}");
                if (keys.Count > 0) sb.Append($" [{string.Join(", ", keys)}]");
                sb.Append('\n');
                foreach (var d in e.Details) sb.Append($"      {d}\n");
            }
        }
        if (entries.Any(e => e.CutsGuestOff))
            sb.Append("! = cuts a running guest off its network\n");
        return sb.ToString();
    }

    /// <summary>The resource name: the last <c>::</c> segment of a URN.</summary>
    public static string NameOf(string urn)
    {
        var i = urn.LastIndexOf("::", StringComparison.Ordinal);
        return i < 0 ? urn : urn[(i + 2)..];
    }
}

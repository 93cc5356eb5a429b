using System.Collections.Immutable;
using Kvm.Netlink;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.VlanFilters;

/// <summary>The VlanFilter's pure rules: the table's form and entries, the entry-by-entry diff, the preview.</summary>
internal sealed class VlanFilterPlanner : Planner<VlanFilterArgs, VlanFilterState>
{
    public override string? HostNameOf(VlanFilterArgs args) => args.Bridge is { } b && args.Port is { } p ? $"{b}/{p}" : null;

    public override IEnumerable<CheckFailure> Validate(CheckContext<VlanFilterArgs> ctx)
    {
        var a = ctx.News.Value;
        var failures = VlanPlan.Validate(a, ctx.News.IsUnknown);
        if (a.Bridge is { } b && !LinkName.IsValid(b)) failures.Add(new(VlanFilterArgs.Paths.Bridge, $"\"{b}\" is not a valid interface name"));
        if (a.Port is { } p && !LinkName.IsValid(p)) failures.Add(new(VlanFilterArgs.Paths.Port, $"\"{p}\" is not a valid interface name"));
        return failures;
    }

    public override Plan Plan(DiffContext<VlanFilterArgs, VlanFilterState> ctx)
    {
        // bridge and port replace (from the default diff); the table is compared entry by entry with what the kernel reports.
        var keep = ctx.Default.Detailed.Where(d => d.Key is "bridge" or "port");
        var table = VlanPlan.Diff(ctx.News.Value, VlanPlan.FromArgs(ctx.OldState.Table));
        var all = keep.Concat(table.Where(t => !ctx.News.IsUnknown(PropertyPath.TopLevel(t.Key))))
            .Concat(new[] { "vlans", "access", "trunk" }.Where(ctx.News.IsUnknown).Select(k => new KeyValuePair<string, DiffKind>(k, DiffKind.Update)))
            .Concat(new[] { "vlans", "access", "trunk" }
                .Where(k => ctx.News.Value is var n && Form(n) != k && Form(ctx.OldInputs) == k)
                .Select(k => new KeyValuePair<string, DiffKind>(k, DiffKind.Delete)));
        return Resources.Plan.Unclassified(ctx.Default with
        {
            Detailed = all.GroupBy(kv => kv.Key).ToImmutableSortedDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
        });
    }

    private static string? Form(VlanFilterArgs a) => a.Vlans is not null ? "vlans" : a.Access is not null ? "access" : a.Trunk is not null ? "trunk" : null;

    public override Outcome<VlanFilterState> Preview(PreviewContext<VlanFilterArgs, VlanFilterState> ctx)
    {
        var (a, bound, oldState) = (ctx.Args, ctx.Inputs, ctx.OldState);
        var id = $"{a.Bridge}/{a.Port}";
        var tableKnown = !new[] { "vlans", "access", "trunk" }.Any(k => bound.UnknownPaths.Any(u => u == k || u.StartsWith(k + ".", StringComparison.Ordinal) || u.StartsWith(k + "[", StringComparison.Ordinal)));
        var planned = Echo(a) with { Table = tableKnown ? VlanPlan.ToArgs(VlanPlan.Desired(a)) : null, Ifindex = oldState?.Ifindex };
        return new Outcome<VlanFilterState>(id, planned)
        {
            UnknownOutputs = [.. new[] { tableKnown ? null : "table", oldState is null ? "ifindex" : null }.OfType<string>()],
        };
    }

    /// <summary>The inputs as a state, the observed table and index unset.</summary>
    internal static VlanFilterState Echo(VlanFilterArgs a) => VlanFilterState.FromInputs(a);
}

using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Values;
using Pulumirpc;

namespace Kvm.Provider.Tests.Domains;

/// <summary>The Domain's planner with records alone: the plan, the preview's outputs and its lines.</summary>
public class DomainPlannerTests
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:Domain::web";
    private const string Uuid = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0";
    private const string Mac0 = "52:54:00:00:00:01";

    private static readonly DomainPlanner Planner = new();

    private static readonly DomainArgs Program = new()
    {
        Name = "web", Type = "kvm", MemoryMib = 1024, MaxMemoryMib = 4096, Vcpus = 2, MaxVcpus = 4, Running = true,
        ShutdownTimeoutSeconds = 60, RestartPolicy = "never",
        Interfaces = [new DomainInterfaceArgs { Type = "bridge", Bridge = "br0" }],
    };

    private static readonly DomainState Observed = DomainPreview.Planned(Program, Uuid) with
    {
        Interfaces = [new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", MacAddress = Mac0, TargetDevice = "vnet3", LinkState = "up" }],
        State = "running", DomainId = 7, PendingRestart = [], LiveXml = "<domain/>",
    };

    private static Bound<DomainArgs> Bind(DomainArgs a) => PropertyBinder.Bind<DomainArgs>(Writer.Write(a, inputsOnly: true));

    private static Plan PlanOf(Bound<DomainArgs> news, DomainState? old = null)
    {
        old ??= Observed;
        var byDefault = RecordDiff.Compare(old, news.Value, Program, news.UnknownPaths, deleteBeforeReplace: true);
        return Planner.Plan(new DiffContext<DomainArgs, DomainState>(Uuid, Urn, news, old, Program, byDefault));
    }

    private static List<Announcement> Announce(DomainArgs news, DomainState? old = null) =>
        [.. Planner.Announce(new AnnounceContext<DomainArgs, DomainState>("g", Urn, PlanOf(Bind(news), old), news, old ?? Observed, Program, []))];

    [Fact]
    public void A_rename_is_announced_as_a_replacement_of_the_old_domain()
    {
        var line = Assert.Single(Announce(Program with { Name = "web2" }), l => l.OfReplacement);
        Assert.Equal("kvm:replace name: domain web is deleted (shut down, undefined) and created again", line.Message);
        Assert.Equal(LogSeverity.Warning, line.Severity);
    }

    [Fact]
    public void Live_and_restart_changes_get_one_line_each()
    {
        var lines = Announce(Program with { MemoryMib = 2048, OnCrash = "preserve" });
        Assert.Equal(
        [
            (LogSeverity.Info, "kvm:live memoryMib: applied to the running guest"),
            (LogSeverity.Warning, "kvm:restart onCrash: written to the persistent config; takes effect when web restarts (restartPolicy never: it is not restarted now)"),
        ], lines.Select(l => (l.Severity, l.Message)));
        Assert.DoesNotContain(lines, l => l.OfReplacement);
    }

    [Fact]
    public void The_preview_of_a_create_leaves_what_libvirt_decides_unknown()
    {
        var planned = Planner.Preview(new PreviewContext<DomainArgs, DomainState>("", Urn, Bind(Program with { ShutdownTimeoutSeconds = null }), null, null, null));
        Assert.Equal("", planned.Id);
        Assert.Equal(["liveXml", "uuid", "domainId", "interfaces[0].macAddress", "interfaces[0].targetDevice"], planned.UnknownOutputs.AsEnumerable());
        Assert.Equal(("running", 60, "never"), (planned.State.State, planned.State.ShutdownTimeoutSeconds, planned.State.RestartPolicy));
    }

    [Fact]
    public void The_preview_of_an_update_keeps_what_the_host_told_unless_a_restart_changes_it()
    {
        var bound = Bind(Program with { OnCrash = "preserve" });
        var kept = Planner.Preview(new PreviewContext<DomainArgs, DomainState>(Uuid, Urn, bound, Observed, Program, PlanOf(bound)));
        Assert.Equal((Mac0, "vnet3", 7), (kept.State.Interfaces![0].MacAddress, kept.State.Interfaces[0].TargetDevice, kept.State.DomainId));
        Assert.DoesNotContain("domainId", kept.UnknownOutputs);

        var restarting = Bind(Program with { OnCrash = "preserve", RestartPolicy = "force" });
        var restarted = Planner.Preview(new PreviewContext<DomainArgs, DomainState>(Uuid, Urn, restarting, Observed, Program, PlanOf(restarting)));
        Assert.Null(restarted.State.DomainId);
        Assert.Contains("domainId", restarted.UnknownOutputs);
        Assert.Contains("interfaces[0].targetDevice", restarted.UnknownOutputs);
        Assert.Equal(Mac0, restarted.State.Interfaces![0].MacAddress);
    }
}

using Kvm.Libvirt;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Networks;
using Kvm.Provider.Values;
using LogSeverity = Pulumirpc.LogSeverity;

namespace Kvm.Provider.Tests.Networks;

/// <summary>The LibvirtNetwork's planner on records alone: the plan, its classes, the preview's lines and outputs.</summary>
public class NetworkPlannerTests
{
    private static readonly LibvirtNetworkPlanner Planner = new();

    private const string Lan = """
        {"name": "lan", "forward": {"mode": "nat"}, "bridge": {"name": "virbr9", "stp": false},
         "ips": [{"address": "10.9.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "ip": "10.9.0.11"}]}}],
         "autostart": true, "active": true}
        """;

    private static Bound<LibvirtNetworkArgs> Inputs(string json)
    {
        var bound = PropertyBinder.Bind<LibvirtNetworkArgs>(NetworkHarness.Obj(json));
        Assert.True(bound.Ok, string.Join("; ", bound.Failures));
        return bound;
    }

    /// <summary>The state libvirt would report for the inputs (their definition read back), with a UUID it chose and the running network's drift.</summary>
    private static LibvirtNetworkState StateOf(string json, params string[] liveDrift)
    {
        var definition = NetworkMapping.Build(Inputs(json).Value with { Uuid = "3e3fce45-4f53-4fa7-bb32-11f34168b82b" });
        var read = NetworkMapping.ToArgs(NetworkXml.Parse(NetworkXml.Format(definition)), autostart: true, active: true);
        return NetworkMapping.ToState(read, "virbr9", "<network/>", liveDrift);
    }

    private static Plan PlanOf(LibvirtNetworkState old, LibvirtNetworkArgs oldInputs, string news)
    {
        var bound = Inputs(news);
        var byDefault = RecordDiff.Compare(old, bound.Value, oldInputs, bound.UnknownPaths, deleteBeforeReplace: true);
        return Planner.Plan(new DiffContext<LibvirtNetworkArgs, LibvirtNetworkState>("lan", NetworkHarness.Urn, bound, old, oldInputs, byDefault));
    }

    private static Plan PlanFromLan(string news, params string[] liveDrift) => PlanOf(StateOf(Lan, liveDrift), Inputs(Lan).Value, news);

    private static Announcement[] Announce(Plan plan, string news, params string[] guests) =>
        [.. Planner.Announce(new AnnounceContext<LibvirtNetworkArgs, LibvirtNetworkState>("lan", NetworkHarness.Urn, plan, Inputs(news).Value, StateOf(Lan), Inputs(Lan).Value, guests))];

    private static string With(string json, string replace, string by)
    {
        Assert.Contains(replace, json);
        return json.Replace(replace, by);
    }

    [Fact]
    public void Each_changed_path_gets_its_class_and_autostart_and_active_are_live()
    {
        var news = With(With(With(Lan, "\"prefix\": 24", "\"prefix\": 16"), "\"ip\": \"10.9.0.11\"}", "\"ip\": \"10.9.0.11\"}, {\"mac\": \"52:54:00:00:00:02\", \"ip\": \"10.9.0.12\"}"),
            "\"autostart\": true, \"active\": true", "\"autostart\": false, \"active\": false");
        var plan = PlanFromLan(news);
        Assert.Equal(
        [
            new PlannedChange("active", DiffKind.Update, ChangeClass.Live),
            new PlannedChange("autostart", DiffKind.Update, ChangeClass.Live),
            new PlannedChange("ips[0].dhcp.hosts[1]", DiffKind.Add, ChangeClass.Live),
            new PlannedChange("ips[0].prefix", DiffKind.Update, ChangeClass.Restart),
        ], plan.Changes.ToArray());
        Assert.False(plan.Replaces);
    }

    [Fact]
    public void A_dropped_pin_of_a_filled_in_value_and_a_mask_spelled_the_other_way_are_no_change()
    {
        var pinned = Inputs(With(Lan, "\"name\": \"lan\"", "\"name\": \"lan\", \"uuid\": \"3e3fce45-4f53-4fa7-bb32-11f34168b82b\"")).Value;
        var plan = PlanOf(StateOf(Lan), pinned, With(Lan, "\"prefix\": 24", "\"netmask\": \"255.255.255.0\""));
        Assert.Empty(plan.Changes);
        Assert.False(plan.Diff.HasChanges);
    }

    [Fact]
    public void The_running_networks_drift_counts_only_where_the_program_sets_the_value()
    {
        var plan = PlanFromLan(Lan, "ips[0].dhcp.hosts[1]", "mtu", "dns.hosts[0]");
        var change = Assert.Single(plan.Changes);
        Assert.Equal(new PlannedChange("ips[0].dhcp.hosts[1]", DiffKind.Update, ChangeClass.Live), change);
    }

    [Fact]
    public void A_rename_is_a_replacement_announced_with_the_guests_it_cuts_off()
    {
        var news = With(Lan, "\"name\": \"lan\"", "\"name\": \"lan2\"");
        var plan = PlanFromLan(news);
        Assert.True(plan.Replaces);
        Assert.True(plan.Diff.DeleteBeforeReplace);
        var line = Assert.Single(Announce(plan, news, "g2", "g1", "g2"));
        Assert.True(line.OfReplacement);
        Assert.Equal(LogSeverity.Warning, line.Severity);
        Assert.Equal("kvm:replace name: the network lan will be deleted and lan2 defined in its place; attached guests lose connectivity: g1, g2", line.Message);
    }

    [Fact]
    public void Live_and_restart_lines_list_their_paths_autostart_last()
    {
        var news = With(With(With(Lan, "\"prefix\": 24", "\"prefix\": 16"), "\"ip\": \"10.9.0.11\"}", "\"ip\": \"10.9.0.11\"}, {\"mac\": \"52:54:00:00:00:02\", \"ip\": \"10.9.0.12\"}"),
            "\"autostart\": true", "\"autostart\": false");
        var lines = Announce(PlanFromLan(news), news, "g1");
        Assert.Equal(
        [
            (LogSeverity.Info, "kvm:live ips[0].dhcp.hosts[1], autostart: applied to the running network without a restart"),
            (LogSeverity.Warning, "kvm:restart ips[0].prefix: the network lan will be restarted; attached guests lose connectivity: g1"),
        ], lines.Select(l => (l.Severity, l.Message)));
        Assert.DoesNotContain(lines, l => l.OfReplacement);
    }

    [Fact]
    public void Stopping_the_network_is_a_line_of_its_own()
    {
        var news = With(Lan, "\"active\": true", "\"active\": false");
        var line = Assert.Single(Announce(PlanFromLan(news), news));
        Assert.Equal((LogSeverity.Warning, "kvm:stop active: the network lan will be stopped; attached guests lose connectivity: none attached"), (line.Severity, line.Message));
    }

    [Fact]
    public void Guests_the_host_could_not_list_are_said_to_be_unknown()
    {
        var news = With(Lan, "\"prefix\": 24", "\"prefix\": 16");
        var line = Assert.Single(Planner.Announce(new AnnounceContext<LibvirtNetworkArgs, LibvirtNetworkState>(
            "lan", NetworkHarness.Urn, PlanFromLan(news), Inputs(news).Value, StateOf(Lan), Inputs(Lan).Value, AttachedGuests.Unlisted("no connection"))));
        Assert.Equal("kvm:restart ips[0].prefix: the network lan will be restarted; attached guests lose connectivity: unknown (the guests could not be listed: no connection)", line.Message);
    }

    [Fact]
    public void A_create_preview_knows_the_defaults_and_leaves_libvirts_choices_unknown()
    {
        var planned = Planner.Preview(new PreviewContext<LibvirtNetworkArgs, LibvirtNetworkState>("", NetworkHarness.Urn, Inputs("""{"name": "lan", "forward": {"mode": "nat"}}"""), null, null, null));
        Assert.Equal("lan", planned.Id);
        Assert.Equal(["xml", "uuid", "bridgeName", "macAddress", "bridge"], planned.UnknownOutputs.ToArray());
        Assert.Empty(planned.State.Ips!);
        Assert.Empty(planned.State.Dns!.Hosts!);
        Assert.Empty(planned.State.PortGroups!);
        Assert.Equal(true, planned.State.Active);
    }
}

using Kvm.Examples.CiPreview;

namespace Kvm.Sdk.Tests;

/// <summary>The grouping and the "cuts a running guest off" rule of examples/ci-preview.</summary>
public class PlanReportTests
{
    private const string Stack = "urn:pulumi:ci::host::";

    private static PlannedStep Step(string type, string name, string op, bool running = false, string[]? keys = null, string[]? replaceKeys = null) =>
        new($"{Stack}{type}::{name}", type, op, keys ?? [], replaceKeys ?? [], running);

    private static string Urn(string type, string name) => $"{Stack}{type}::{name}";

    [Theory]
    [InlineData("kvm:live mtu: set on the running bridge", ChangeKind.Live, "mtu: set on the running bridge")]
    [InlineData("kvm:restart vcpu: the guest restarts\n", ChangeKind.Restart, "vcpu: the guest restarts")]
    [InlineData("  kvm:live", ChangeKind.Live, "")]
    [InlineData("kvm:restart: portgroups", ChangeKind.Restart, "portgroups")]
    public void Parses_the_provider_classification_lines(string message, ChangeKind kind, string detail)
    {
        var c = Classification.Parse("urn:x", message);
        Assert.NotNull(c);
        Assert.Equal(kind, c.Kind);
        Assert.Equal(detail, c.Detail);
        Assert.Equal("urn:x", c.Urn);
    }

    [Theory]
    [InlineData("kvm:liveness probe")]
    [InlineData("live: mtu")]
    [InlineData("warning: kvm:live mtu")]
    public void Ignores_other_messages(string message) => Assert.Null(Classification.Parse("urn:x", message));

    [Fact]
    public void Live_updates_do_not_fail_the_check()
    {
        var r = new PlanReport();
        r.Add(Step(PlanReport.DomainType, "web", "update", running: true, keys: ["memoryMib"]));
        r.Add(new Classification(Urn(PlanReport.DomainType, "web"), ChangeKind.Live, "memoryMib: virDomainSetMemoryFlags LIVE|CONFIG"));
        r.Add(Step(PlanReport.BridgeType, "br0", "update", keys: ["mtu"]));
        r.Add(new Classification(Urn(PlanReport.BridgeType, "br0"), ChangeKind.Live, "mtu"));
        Assert.All(r.Entries(), e => Assert.Equal(ChangeKind.Live, e.Kind));
        Assert.False(r.CutsAnyGuestOff);
        Assert.Contains("live (applied to the running system", r.Render());
    }

    [Theory]
    [InlineData(PlanReport.DomainType, "update", true, ChangeKind.Restart, true)]
    [InlineData(PlanReport.DomainType, "update", false, ChangeKind.Restart, false)]
    [InlineData(PlanReport.DomainType, "replace", true, ChangeKind.Replace, true)]
    [InlineData(PlanReport.DomainType, "replace", false, ChangeKind.Replace, false)]
    [InlineData(PlanReport.NetworkType, "update", false, ChangeKind.Restart, true)]
    [InlineData(PlanReport.NetworkType, "replace", false, ChangeKind.Replace, true)]
    [InlineData(PlanReport.BridgeType, "replace", false, ChangeKind.Replace, true)]
    [InlineData(PlanReport.BridgeType, "update", false, ChangeKind.Restart, false)]
    [InlineData("kvm:index:VlanFilter", "replace", false, ChangeKind.Replace, false)]
    public void Decides_which_changes_cut_a_running_guest_off(string type, string op, bool running, ChangeKind kind, bool cuts)
    {
        var r = new PlanReport();
        r.Add(Step(type, "x", op, running));
        if (op == "update") r.Add(new Classification(Urn(type, "x"), ChangeKind.Restart, "something"));
        var e = Assert.Single(r.Entries());
        Assert.Equal(kind, e.Kind);
        Assert.Equal(cuts, e.CutsGuestOff);
        Assert.Equal(cuts, r.CutsAnyGuestOff);
    }

    [Fact]
    public void A_replacement_reported_as_several_steps_is_one_replace_entry()
    {
        var r = new PlanReport();
        r.Add(Step(PlanReport.NetworkType, "lan", "create-replacement", replaceKeys: ["forward"]));
        r.Add(Step(PlanReport.NetworkType, "lan", "replace", replaceKeys: ["forward"]));
        r.Add(Step(PlanReport.NetworkType, "lan", "delete-replaced"));
        var e = Assert.Single(r.Entries());
        Assert.Equal(ChangeKind.Replace, e.Kind);
        Assert.Contains("! kvm:index:LibvirtNetwork lan [forward]", r.Render());
    }

    [Fact]
    public void Unchanged_resources_are_not_listed_and_unclassified_updates_are_their_own_group()
    {
        var r = new PlanReport();
        r.Add(Step(PlanReport.BridgeType, "br0", "same"));
        r.Add(Step(PlanReport.BridgeType, "br1", "update", keys: ["stp"]));
        r.Add(Step(PlanReport.DomainType, "db", "create", running: true));
        var entries = r.Entries();
        Assert.Equal([ChangeKind.Create, ChangeKind.Update], entries.Select(e => e.Kind));
        Assert.False(r.CutsAnyGuestOff);
        Assert.Equal("No changes planned.\n", new PlanReport().Render());
    }
}

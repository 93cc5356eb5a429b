using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;

namespace Kvm.Provider.Tests.Bridges;

/// <summary>A Bridge's portOptions: Check rules, the typed diff, and the [Netlink]-driven write, read-back and import.</summary>
public sealed class BridgePortOptionsTests : IDisposable
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:Bridge::br";
    private readonly ProviderHost _host;
    private readonly IResource _bridge;

    public BridgePortOptionsTests()
    {
        // Every port the program names exists and is a veth: Check's host look-up passes.
        var links = new Mock<ILinkApi>();
        links.Setup(l => l.GetByNameAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string name, CancellationToken _) => Port(name, 0));
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(links.Object);
        _host = new ProviderHost(new CapturingLog(), _ => connections.Object);
        _bridge = new BridgeResource(_host);
    }

    public void Dispose() => _host.Dispose();

    private static Link Port(string name, int master, BridgePortSettings? settings = null) =>
        new(name.Length, name, LinkKinds.Veth, 1500, null, OperationalState.Up, LinkFlags.Up, master == 0 ? null : master, null, master == 0 ? null : LinkKinds.Bridge)
        {
            PortSettings = settings ?? BridgePortSettings.None,
        };

    /// <summary>What a kernel reports for a veth that just joined a bridge.</summary>
    private static BridgePortSettings Fresh => BridgePortSettings.None
        .With(BridgePortAttribute.Priority, 32, 2).With(BridgePortAttribute.Cost, 2, 4).With(BridgePortAttribute.Hairpin, 0, 1)
        .With(BridgePortAttribute.Learning, 1, 1).With(BridgePortAttribute.UnicastFlood, 1, 1)
        .With(BridgePortAttribute.MulticastFlood, 1, 1).With(BridgePortAttribute.Isolated, 0, 1);

    private Task<CheckResult> CheckAsync(string json) =>
        _bridge.CheckAsync(new CheckRequest(Urn, "br", ObjectValue.Empty, NetworkHarness.Obj(json)), CancellationToken.None);

    [Theory]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"port": "eth2", "hairpin": true}]}""", "portOptions[0].port", "not one of this bridge's ports (eth1)")]
    [InlineData("""{"name": "br0", "portOptions": [{"port": "eth1", "hairpin": true}]}""", "portOptions[0].port", "ports is unset")]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"port": "eth1"}, {"port": "eth1", "learning": false}]}""", "portOptions[1].port", "two entries")]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"port": "eth1", "cost": 0}]}""", "portOptions[0].cost", "")]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"port": "eth1", "cost": 65536}]}""", "portOptions[0].cost", "")]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"port": "eth1", "priority": 64}]}""", "portOptions[0].priority", "")]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"port": "eth1", "priority": -1}]}""", "portOptions[0].priority", "")]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"hairpin": true}]}""", "portOptions[0].port", "")]
    [InlineData("""{"name": "br0", "ports": ["eth1"], "portOptions": [{"port": "eth1", "hairpin": "yes"}]}""", "portOptions[0].hairpin", "")]
    public async Task Bad_port_options_are_check_failures_naming_the_property(string json, string property, string reason)
    {
        var check = await CheckAsync(json);
        Assert.Contains(check.Failures, f => f.Property == property && f.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Good_port_options_pass_at_their_limits()
    {
        var check = await CheckAsync("""
            {"name": "br0", "ports": ["eth1", "eth2"], "portOptions": [
              {"port": "eth2", "hairpin": true, "isolated": false, "learning": true, "unicastFlood": true, "multicastFlood": true, "cost": 65535, "priority": 63},
              {"port": "eth1", "cost": 1, "priority": 0}]}
            """);
        Assert.Empty(check.Failures);
    }

    [Fact]
    public async Task An_unknown_port_list_does_not_refuse_entries()
    {
        var check = await CheckAsync("""{"name": "br0", "ports": ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"], "portOptions": [{"port": "eth9", "hairpin": true}]}""");
        Assert.DoesNotContain(check.Failures, f => f.Property.StartsWith("portOptions", StringComparison.Ordinal));
    }

    private static readonly BridgePortOptionsArgs FullEth1 = new()
    {
        Port = "eth1", Hairpin = false, Isolated = false, Learning = true, UnicastFlood = true, MulticastFlood = true, Cost = 2, Priority = 32,
    };

    private static BridgeState State(params BridgePortOptionsArgs[]? options) =>
        new() { Name = "br0", Ports = ["eth1", "eth2"], Up = true, ForceDestroy = false, Ifindex = 5, OperState = "up", PortOptions = options };

    private static BridgeArgs Inputs(params BridgePortOptionsArgs[]? options) => new() { Name = "br0", Ports = ["eth1", "eth2"], PortOptions = options };

    [Fact]
    public void Only_declared_options_are_compared()
    {
        // The state holds every option of eth1; the program declares two of them, as the kernel holds them.
        var declared = new BridgePortOptionsArgs { Port = "eth1", Learning = true, Priority = 32 };
        Assert.Empty(RecordDiff.Compare(State(FullEth1), Inputs(declared), Inputs(declared)).Detailed);
    }

    [Fact]
    public void A_changed_option_is_an_update_of_its_path()
    {
        var before = new BridgePortOptionsArgs { Port = "eth1", Hairpin = false };
        var after = new BridgePortOptionsArgs { Port = "eth1", Hairpin = true, Cost = 100 };
        var diff = RecordDiff.Compare(State(FullEth1), Inputs(after), Inputs(before)).Detailed;
        Assert.Equal(new[] { "portOptions[0].cost", "portOptions[0].hairpin" }, diff.Keys);
        Assert.All(diff.Values, k => Assert.Equal(DiffKind.Update, k));
    }

    [Fact]
    public void Entries_are_told_apart_by_port_in_any_order()
    {
        // An import lists entries in the kernel's port order; the program may list them otherwise.
        var eth2 = FullEth1 with { Port = "eth2", Cost = 100 };
        var program = new[] { new BridgePortOptionsArgs { Port = "eth2", Cost = 100 }, new BridgePortOptionsArgs { Port = "eth1", Learning = true } };
        Assert.Empty(RecordDiff.Compare(State(FullEth1, eth2), Inputs(program), Inputs(program)).Detailed);
        var changed = new[] { program[0] with { Cost = 200 }, program[1] };
        Assert.Equal(["portOptions[0].cost"], RecordDiff.Compare(State(FullEth1, eth2), Inputs(changed), Inputs(program)).Detailed.Keys);
    }

    [Fact]
    public void Drift_of_a_declared_option_shows_and_of_an_undeclared_one_does_not()
    {
        var declared = new BridgePortOptionsArgs { Port = "eth1", Hairpin = false };
        Assert.Equal(["portOptions[0].hairpin"], RecordDiff.Compare(State(FullEth1 with { Hairpin = true }), Inputs(declared), Inputs(declared)).Detailed.Keys);
        Assert.Empty(RecordDiff.Compare(State(FullEth1 with { Learning = false }), Inputs(declared), Inputs(declared)).Detailed);
    }

    [Fact]
    public void Port_options_the_program_never_declared_are_not_drift()
    {
        var changedByHand = new BridgePortOptionsArgs { Port = "eth2", Hairpin = true };
        Assert.Empty(RecordDiff.Compare(State(changedByHand), Inputs(null), Inputs(null)).Detailed);
    }

    [Fact]
    public void Wanted_writes_only_what_the_kernel_holds_otherwise_with_each_size()
    {
        var entry = new BridgePortOptionsArgs { Port = "eth1", Hairpin = true, Learning = true, Cost = 100, Priority = 32 };
        var wanted = NetlinkPortOptions.Wanted(entry, Port("eth1", 5, Fresh));
        Assert.Equal([(BridgePortAttribute.Cost, 100u, 4), (BridgePortAttribute.Hairpin, 1u, 1)], wanted.All);
        Assert.True(NetlinkPortOptions.Wanted(new BridgePortOptionsArgs { Port = "eth1" }, Port("eth1", 5, Fresh)).IsEmpty);
    }

    [Fact]
    public void Observed_follows_the_declared_order_and_keeps_a_missing_port_by_name()
    {
        var ports = new[] { Port("eth1", 5, Fresh), Port("eth2", 5, Fresh.With(BridgePortAttribute.Isolated, 1, 1)) };
        var observed = NetlinkPortOptions.Observed([new() { Port = "eth2" }, new() { Port = "gone0" }, new() { Port = "eth1" }], ports);
        Assert.Equal(["eth2", "gone0", "eth1"], observed.Select(o => o.Port));
        Assert.Equal(new BridgePortOptionsArgs { Port = "eth2", Hairpin = false, Isolated = true, Learning = true, UnicastFlood = true, MulticastFlood = true, Cost = 2, Priority = 32 }, observed[0]);
        Assert.Equal(new BridgePortOptionsArgs { Port = "gone0" }, observed[1]);
    }

    [Fact]
    public void Import_keeps_only_values_that_differ_from_a_new_ports()
    {
        Assert.Null(NetlinkPortOptions.Changed([Port("eth1", 5, Fresh), Port("eth2", 5, Fresh)]));
        var changed = NetlinkPortOptions.Changed([
            Port("eth2", 5, Fresh.With(BridgePortAttribute.Hairpin, 1, 1).With(BridgePortAttribute.Cost, 150, 4)),
            Port("eth1", 5, Fresh.With(BridgePortAttribute.Learning, 0, 1).With(BridgePortAttribute.Priority, 8, 2)),
            Port("eth3", 5, Fresh),
        ]);
        Assert.Equal([
            new BridgePortOptionsArgs { Port = "eth1", Learning = false, Priority = 8 },
            new BridgePortOptionsArgs { Port = "eth2", Hairpin = true, Cost = 150 },
        ], changed!);
    }

    private static Link Physical(string name, uint cost) =>
        new(name.Length, name, null, 1500, null, OperationalState.Up, LinkFlags.Up, 5, null, LinkKinds.Bridge) { PortSettings = Fresh.With(BridgePortAttribute.Cost, cost, 4) };

    [Theory]
    [InlineData(1u)]
    [InlineData(3u)]
    [InlineData(4u)]
    [InlineData(19u)]
    [InlineData(100u)]
    public void A_veths_cost_other_than_the_kernels_2_is_imported(uint cost)
    {
        // A veth reports 10 Gb/s, so the kernel gives it 2: any other cost was set by someone, even one a slower link would get.
        var changed = NetlinkPortOptions.Changed([Port("eth1", 5, Fresh.With(BridgePortAttribute.Cost, cost, 4))]);
        Assert.Equal([new BridgePortOptionsArgs { Port = "eth1", Cost = (int)cost }], changed!);
    }

    [Fact]
    public void A_physical_ports_cost_is_imported_because_its_speed_is_not_known()
    {
        // Netlink does not say a NIC's speed: 4 may be the kernel's choice at 1 Gb/s or a user's on a 10 Gb/s NIC.
        Assert.Equal([new BridgePortOptionsArgs { Port = "enp1s0", Cost = 4 }], NetlinkPortOptions.Changed([Physical("enp1s0", 4)])!);
    }

    [Fact]
    public void The_kernels_cost_for_a_ports_kind_is_left_out()
    {
        var dummy = new Link(9, "dummy0", "dummy", 1500, null, OperationalState.Up, LinkFlags.Up, 5, null, LinkKinds.Bridge)
        {
            PortSettings = Fresh.With(BridgePortAttribute.Cost, 100, 4),
        };
        Assert.Null(NetlinkPortOptions.Changed([Port("eth1", 5, Fresh), dummy]));
        Assert.Equal(2u, PortCost.KernelDefault(Port("eth1", 5)));
        Assert.Null(PortCost.KernelDefault(Physical("enp1s0", 4)));
    }
}

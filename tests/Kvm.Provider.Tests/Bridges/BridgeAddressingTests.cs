using System.Net;
using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;
using Route = Kvm.Netlink.Route;

namespace Kvm.Provider.Tests.Bridges;

/// <summary>A bridge's addresses and routes: Check's rules, the canonical form, the diff, what the kernel's own entries read as, and the requests an update sends.</summary>
public sealed class BridgeAddressingTests
{
    private const int Br = 5;

    private static List<CheckFailure> Validate(string json)
    {
        var bound = PropertyBinder.Bind<BridgeArgs>(NetworkHarness.Obj(json));
        Assert.True(bound.Ok, string.Join("; ", bound.Failures));
        return [.. new BridgePlanner().Validate(new CheckContext<BridgeArgs>("urn", "b", bound, null, new DeclaredResources(), default))];
    }

    [Theory]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/24", "fd00::1/64"], "gateway": "192.168.0.1", "gateway6": "fd00::fe"}""")]
    [InlineData("""{"name": "br0", "addresses": ["10.0.0.0/31", "10.0.0.9/32"]}""")] // RFC 3021 and host routes have no network/broadcast address
    [InlineData("""{"name": "br0", "addresses": ["2001:db8::1/64"], "gateway6": "fe80::1"}""")] // link-local next hops are on every link
    [InlineData("""{"name": "br0", "gateway": "10.9.9.9"}""")] // addresses unmanaged: the kernel judges the gateway
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/24"], "routes": [{"destination": "10.8.0.0/16", "via": "192.168.0.2", "metric": 50}, {"destination": "10.9.0.0/16"}, {"destination": "10.8.0.0/16", "via": "192.168.0.3", "metric": 60}]}""")]
    public void A_typical_host_configuration_passes(string json) => Assert.Empty(Validate(json));

    [Theory]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90"]}""", "addresses[0]", "no prefix length")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.300/24"]}""", "addresses[0]", "not an IPv4 or IPv6 address")]
    [InlineData("""{"name": "br0", "addresses": ["10.1/8"]}""", "addresses[0]", "not an IPv4 or IPv6 address")]
    [InlineData("""{"name": "br0", "addresses": ["fe80::1%br0/64"]}""", "addresses[0]", "not an IPv4 or IPv6 address")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/33"]}""", "addresses[0]", "0-32, not 33")]
    [InlineData("""{"name": "br0", "addresses": ["fd00::1/129"]}""", "addresses[0]", "0-128, not 129")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/x"]}""", "addresses[0]", "is not a number")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.0/24"]}""", "addresses[0]", "network address of 192.168.0.0/24")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.255/24"]}""", "addresses[0]", "broadcast address of 192.168.0.0/24")]
    [InlineData("""{"name": "br0", "addresses": ["127.0.0.2/8"]}""", "addresses[0]", "loopback")]
    [InlineData("""{"name": "br0", "addresses": ["224.0.0.1/24"]}""", "addresses[0]", "multicast")]
    [InlineData("""{"name": "br0", "addresses": ["fe80::5/64"]}""", "addresses[0]", "link-local")]
    [InlineData("""{"name": "br0", "addresses": ["10.0.0.1/0"]}""", "addresses[0]", "prefix length of 0")]
    [InlineData("""{"name": "br0", "addresses": ["10.0.0.1/24", "10.0.0.1/16"]}""", "addresses[1]", "listed twice (also addresses[0])")]
    [InlineData("""{"name": "br0", "addresses": ["10.0.0.1/24", "10.0.0.2/24"]}""", "addresses[1]", "overlaps 10.0.0.1/24 (addresses[0])")]
    [InlineData("""{"name": "br0", "addresses": ["10.0.0.1/16", "10.0.5.1/24"]}""", "addresses[1]", "overlaps")]
    [InlineData("""{"name": "br0", "addresses": ["fd00::1/64", "fd00::2/64"]}""", "addresses[1]", "overlaps")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/24"], "gateway": "10.0.0.1"}""", "gateway", "outside every subnet of the bridge (192.168.0.0/24)")]
    [InlineData("""{"name": "br0", "addresses": ["fd00::1/64"], "gateway": "10.0.0.1"}""", "gateway", "declares no IPv4 address")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/24"], "gateway": "192.168.0.90"}""", "gateway", "the bridge's own address")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/24"], "gateway": "fd00::1"}""", "gateway", "use gateway6")]
    [InlineData("""{"name": "br0", "addresses": ["fd00::1/64"], "gateway6": "192.168.0.1"}""", "gateway6", "use gateway")]
    [InlineData("""{"name": "br0", "addresses": ["fd00::1/64"], "gateway6": "fd01::1"}""", "gateway6", "outside every subnet")]
    [InlineData("""{"name": "br0", "gateway": "not-an-ip"}""", "gateway", "not an IPv4 or IPv6 address")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/24"], "routes": [{"destination": "10.8.0.0/16", "via": "172.16.0.1"}]}""", "routes[0].via", "outside every subnet")]
    [InlineData("""{"name": "br0", "addresses": ["192.168.0.90/24"], "routes": [{"destination": "10.8.0.0/16", "via": "fd00::1"}]}""", "routes[0].via", "not of the destination's family")]
    [InlineData("""{"name": "br0", "routes": [{"destination": "10.8.0.1/16"}]}""", "routes[0].destination", "host bits set: the network is 10.8.0.0/16")]
    [InlineData("""{"name": "br0", "routes": [{"destination": "0.0.0.0/0", "via": "10.0.0.1"}]}""", "routes[0].destination", "declare it with gateway")]
    [InlineData("""{"name": "br0", "routes": [{"destination": "::/0", "via": "fe80::1"}]}""", "routes[0].destination", "declare it with gateway6")]
    [InlineData("""{"name": "br0", "routes": [{"destination": "10.8.0.0/16"}, {"destination": "10.8.0.0/16", "metric": 0}]}""", "routes[1].destination", "declared twice (also routes[0])")]
    [InlineData("""{"name": "br0", "up": false, "gateway": "10.0.0.1"}""", "up", "must be up")]
    public void Bad_input_is_a_failure_naming_the_property(string json, string property, string reason)
    {
        var failures = Validate(json);
        Assert.Contains(failures, f => f.Property == property && f.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_addresses_in_a_preview_do_not_fail_the_gateway()
    {
        var news = NetworkHarness.Obj("""{"name": "br0", "gateway": "192.168.0.1"}""")
            .With("addresses", PropertyValue.Of([PropertyValue.Unknown]));
        var bound = PropertyBinder.Bind<BridgeArgs>(news);
        Assert.Empty(new BridgePlanner().Validate(new CheckContext<BridgeArgs>("urn", "b", bound, null, new DeclaredResources(), default)));
    }

    [Fact]
    public void Inputs_are_stored_in_the_kernels_text()
    {
        var normalized = new BridgePlanner().NormalizeInputs(NetworkHarness.Obj("""
            {"name": "br0", "addresses": ["FD00:0:0::0001/64", "192.168.0.90/24"], "gateway6": "FE80::1",
             "routes": [{"destination": "FD00:8:0::/48", "via": "FE80::2", "metric": 1024}, {"destination": "10.8.0.0/16", "metric": 0}, {"destination": "10.9.0.0/16", "metric": 7}]}
            """));
        var args = PropertyBinder.Bind<BridgeArgs>(normalized).Value;

        Assert.Equal(["fd00::1/64", "192.168.0.90/24"], args.Addresses!);
        Assert.Equal("fe80::1", args.Gateway6);
        Assert.Equal(new BridgeRouteArgs { Destination = "fd00:8::/48", Via = "fe80::2" }, args.Routes![0]);
        Assert.Null(args.Routes[1].Metric); // 0 is IPv4's default: the kernel reports it as no metric
        Assert.Equal(7, args.Routes[2].Metric);
    }

    [Fact]
    public void The_kernels_own_addresses_and_routes_are_never_read_as_the_programs()
    {
        LinkAddress[] addresses =
        [
            new(Br, IPAddress.Parse("192.168.0.90"), 24, AddressScope.Universe, "br0") { Flags = AddressFlags.Permanent },
            new(Br, IPAddress.Parse("fe80::1c2d:3eff:fe4f:5a6b"), 64, AddressScope.Link, null) { Flags = AddressFlags.Permanent },
            new(Br, IPAddress.Parse("2001:db8::1c2d:3eff:fe4f:5a6b"), 64, AddressScope.Universe, null), // SLAAC: has a lifetime
            new(Br, IPAddress.Parse("fd00::1"), 64, AddressScope.Universe, null) { Flags = AddressFlags.Permanent | AddressFlags.Tentative },
        ];
        Route[] routes =
        [
            new(IPAddress.Any, 0, IPAddress.Parse("192.168.0.1"), Br) { Protocol = RouteProtocol.Boot },
            new(IPAddress.Parse("192.168.0.0"), 24, null, Br) { Protocol = RouteProtocol.Kernel },
            new(IPAddress.Parse("fd00::"), 64, null, Br) { Protocol = RouteProtocol.Kernel, Metric = 256 },
            new(IPAddress.Parse("fe80::"), 64, null, Br) { Protocol = RouteProtocol.Kernel, Metric = 256 },
            new(IPAddress.IPv6Any, 0, IPAddress.Parse("fe80::1"), Br) { Protocol = RouteProtocol.RouterAdvertisement, Metric = 1024 },
            new(IPAddress.Parse("10.8.0.0"), 16, IPAddress.Parse("192.168.0.2"), Br) { Metric = 50 },
            new(IPAddress.Parse("10.9.0.0"), 16, null, Br) { Table = 100 },
            new(IPAddress.Parse("fd00:8::"), 48, IPAddress.Parse("fd00::2"), Br) { Metric = 1024 },
        ];

        var seen = BridgeAddressing.Observe(addresses, routes, Br);

        Assert.Equal(["192.168.0.90/24", "fd00::1/64"], seen.Addresses);
        Assert.Equal("192.168.0.1", seen.Gateway);
        Assert.Null(seen.Gateway6); // learnt from router advertisements
        Assert.Equal(
            [new BridgeRouteArgs { Destination = "10.8.0.0/16", Via = "192.168.0.2", Metric = 50 }, new BridgeRouteArgs { Destination = "fd00:8::/48", Via = "fd00::2" }],
            seen.Routes);
    }

    private static BridgeState Observed(string[] addresses, string? gateway = null, BridgeRouteArgs[]? routes = null) =>
        new() { Name = "br0", Addresses = addresses, Gateway = gateway, Routes = routes ?? [], Up = true, Ports = [], Ifindex = Br, OperState = "up" };

    [Fact]
    public void The_diff_names_each_address_added_and_removed_and_replaces_nothing()
    {
        var old = Observed(["192.168.0.90/24", "fd00::1/64"], "192.168.0.1");
        var oldInputs = new BridgeArgs { Name = "br0", Addresses = ["fd00::1/64", "192.168.0.90/24"], Gateway = "192.168.0.1" };
        var news = oldInputs with { Addresses = ["fd00::1/64", "192.168.1.90/24"], Gateway = "192.168.1.1" };

        var diff = RecordDiff.Compare(old, news, oldInputs, deleteBeforeReplace: true);

        Assert.Equal(DiffKind.Add, diff.Detailed["addresses[1]"]);
        Assert.Equal(DiffKind.Delete, diff.Detailed["addresses[0]"]);
        Assert.Equal(DiffKind.Update, diff.Detailed["gateway"]);
        Assert.DoesNotContain("addresses[2]", diff.Detailed.Keys);
        Assert.False(diff.IsReplace);
    }

    [Fact]
    public void Unset_addresses_and_routes_are_not_managed_and_never_drift()
    {
        var old = Observed(["192.168.0.90/24"], "192.168.0.1", [new BridgeRouteArgs { Destination = "10.8.0.0/16" }]);
        var inputs = new BridgeArgs { Name = "br0" };

        Assert.False(RecordDiff.Compare(old, inputs, inputs).HasChanges);
        Assert.True(BridgeAddressing.Changes(inputs, inputs, [], [], Br).IsEmpty);
    }

    [Fact]
    public void An_address_or_gateway_changed_by_hand_is_drift()
    {
        var inputs = new BridgeArgs { Name = "br0", Addresses = ["192.168.0.90/24"], Gateway = "192.168.0.1" };
        var refreshed = Observed(["192.168.0.90/24", "192.168.7.7/24"], "192.168.0.254");

        var diff = RecordDiff.Compare(refreshed, inputs, inputs);

        Assert.Equal(DiffKind.Delete, diff.Detailed["addresses[1]"]);
        Assert.Equal(DiffKind.Update, diff.Detailed["gateway"]);
    }

    private static LinkAddress Held(string ip, byte length) => new(Br, IPAddress.Parse(ip), length, AddressScope.Universe, null) { Flags = AddressFlags.Permanent };

    [Fact]
    public void A_change_adds_first_swaps_the_default_route_then_removes()
    {
        var before = new BridgeArgs { Name = "br0", Addresses = ["192.168.0.90/24"], Gateway = "192.168.0.1", Routes = [new() { Destination = "10.8.0.0/16", Via = "192.168.0.2" }] };
        var wanted = new BridgeArgs { Name = "br0", Addresses = ["192.168.1.90/24"], Gateway = "192.168.1.1", Routes = [] };
        Route[] routes =
        [
            new(IPAddress.Any, 0, IPAddress.Parse("192.168.0.1"), Br),
            new(IPAddress.Parse("192.168.0.0"), 24, null, Br) { Protocol = RouteProtocol.Kernel },
            new(IPAddress.Parse("10.8.0.0"), 16, IPAddress.Parse("192.168.0.2"), Br),
        ];

        var changes = BridgeAddressing.Changes(wanted, before, [Held("192.168.0.90", 24), Held("fe80::1", 64)], routes, Br);

        Assert.Equal("192.168.1.90/24", Assert.Single(changes.AddAddresses).ToString());
        var (added, replace) = Assert.Single(changes.AddRoutes);
        Assert.True(replace); // one step: no moment without a default route
        Assert.Equal("default via 192.168.1.1", added.ToString());
        Assert.Equal(["default via 192.168.0.1", "10.8.0.0/16 via 192.168.0.2"], changes.DeleteRoutes.Select(r => r.ToString()));
        Assert.Equal("192.168.0.90/24", Assert.Single(changes.DeleteAddresses).ToString());
    }

    [Fact]
    public void A_route_to_the_same_destination_and_metric_through_a_new_next_hop_is_swapped_in_one_request()
    {
        var before = new BridgeArgs { Name = "br0", Addresses = ["192.168.0.90/24"], Routes = [new() { Destination = "10.8.0.0/16", Via = "192.168.0.2", Metric = 50 }] };
        var wanted = new BridgeArgs { Name = "br0", Addresses = ["192.168.1.90/24"], Routes = [new() { Destination = "10.8.0.0/16", Via = "192.168.1.2", Metric = 50 }] };
        Route[] routes = [new(IPAddress.Parse("10.8.0.0"), 16, IPAddress.Parse("192.168.0.2"), Br) { Metric = 50 }];

        var changes = BridgeAddressing.Changes(wanted, before, [Held("192.168.0.90", 24)], routes, Br);

        // Added beside the old one, the kernel would refuse it (EEXIST: one route per destination and metric).
        var (added, replace) = Assert.Single(changes.AddRoutes);
        Assert.True(replace);
        Assert.Equal("10.8.0.0/16 via 192.168.1.2 metric 50", added.ToString());
        Assert.Empty(changes.DeleteRoutes);
        Assert.Equal("192.168.0.90/24", Assert.Single(changes.DeleteAddresses).ToString());
    }

    [Fact]
    public void Addresses_and_routes_no_longer_declared_are_removed_as_ports_are_released()
    {
        var before = new BridgeArgs { Name = "br0", Addresses = ["192.168.0.90/24"], Gateway = "192.168.0.1" };
        var wanted = new BridgeArgs { Name = "br0" };

        var changes = BridgeAddressing.Changes(wanted, before, [Held("192.168.0.90", 24)], [new(IPAddress.Any, 0, IPAddress.Parse("192.168.0.1"), Br)], Br);

        Assert.Empty(changes.AddAddresses);
        Assert.Single(changes.DeleteAddresses);
        Assert.Equal("default via 192.168.0.1", Assert.Single(changes.DeleteRoutes).ToString());
    }

    [Fact]
    public void A_host_already_as_declared_gets_no_request()
    {
        var wanted = new BridgeArgs { Name = "br0", Addresses = ["192.168.0.90/24"], Gateway = "192.168.0.1", Routes = [new() { Destination = "10.8.0.0/16", Via = "192.168.0.2", Metric = 0 }] };
        Route[] routes =
        [
            new(IPAddress.Any, 0, IPAddress.Parse("192.168.0.1"), Br) { Protocol = RouteProtocol.Boot },
            new(IPAddress.Parse("10.8.0.0"), 16, IPAddress.Parse("192.168.0.2"), Br),
        ];

        Assert.True(BridgeAddressing.Changes(wanted, wanted, [Held("192.168.0.90", 24)], routes, Br).IsEmpty);
    }

    [Fact]
    public async Task An_address_held_by_another_link_fails_Check_naming_that_link()
    {
        var links = new Mock<ILinkApi>();
        links.Setup(l => l.GetByNameAsync("br0", It.IsAny<CancellationToken>())).ReturnsAsync((Link?)null);
        links.Setup(l => l.ListAllAddressesAsync(It.IsAny<CancellationToken>())).ReturnsAsync([new LinkAddress(3, IPAddress.Parse("192.168.0.90"), 24, AddressScope.Universe, "eth0")]);
        links.Setup(l => l.ListAsync(It.IsAny<CancellationToken>())).ReturnsAsync([new Link(3, "eth0", null, 1500, null, OperationalState.Up, LinkFlags.Up, null, null, null)]);
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(links.Object);
        using var host = new ProviderHost(new CapturingLog(), _ => connections.Object);
        IResource bridge = new BridgeResource(host);

        var check = await bridge.CheckAsync(new Resources.CheckRequest("urn:pulumi:s::p::kvm:index:Bridge::br0", "br0", ObjectValue.Empty,
            NetworkHarness.Obj("""{"name": "br0", "addresses": ["fd00::1/64", "192.168.0.90/24"]}""")), default);

        var failure = Assert.Single(check.Failures);
        Assert.Equal("addresses[1]", failure.Property);
        Assert.Contains("already held by eth0 (192.168.0.90/24)", failure.Reason, StringComparison.Ordinal);
        links.Verify(l => l.AddAddressAsync(It.IsAny<int>(), It.IsAny<IPAddress>(), It.IsAny<byte>(), It.IsAny<CancellationToken>()), Times.Never);
    }
}

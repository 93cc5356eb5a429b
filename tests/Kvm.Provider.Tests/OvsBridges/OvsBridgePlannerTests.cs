using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Values;
using LogSeverity = Pulumirpc.LogSeverity;
using static Kvm.Provider.Tests.OvsBridges.OvsFixtures;

namespace Kvm.Provider.Tests.OvsBridges;

/// <summary>Check's rules on ports, and what the preview says about traffic.</summary>
public class OvsBridgePlannerTests
{
    private static readonly OvsBridgePlanner Planner = new();

    private static Dictionary<string, string> Failures(string json) =>
        Planner.Validate(new CheckContext<OvsBridgeArgs>("urn", "b", Bind(json), null, new DeclaredResources(), default))
            .ToDictionary(f => f.Property, f => f.Reason);

    private static string Ports(string ports) => $$"""{"name": "ovsbr0", "ports": [{{ports}}]}""";

    [Theory]
    [InlineData("""{"name": "p", "tag": 10, "trunks": [20]}""", "ports[0].trunks", "port p has an access tag (10) and trunks")]
    [InlineData("""{"name": "p", "vlanMode": "access", "trunks": [20], "tag": 3}""", "ports[0].trunks", "port p has an access tag (3) and trunks")]
    [InlineData("""{"name": "p", "vlanMode": "trunk", "tag": 10}""", "ports[0].tag", "port p is a trunk, which carries tagged VLANs only")]
    [InlineData("""{"name": "p", "vlanMode": "access"}""", "ports[0].tag", "port p is an access port: give it its VLAN in tag")]
    [InlineData("""{"name": "p", "vlanMode": "native-untagged", "trunks": [1]}""", "ports[0].tag", "port p is native-untagged: give its native VLAN in tag")]
    [InlineData("""{"name": "p", "trunks": [5, 5]}""", "ports[0].trunks", "lists a VLAN twice (5)")]
    [InlineData("""{"name": "b", "bond": {"members": ["eth1"]}}""", "ports[0].bond.members", "a bond needs at least two members; with one, make eth1 a plain port")]
    [InlineData("""{"name": "b", "type": "internal", "bond": {"members": ["eth1", "eth2"]}}""", "ports[0].type", "a bond's members are existing interfaces")]
    [InlineData("""{"name": "b", "bond": {"members": ["eth1", "eth2"], "bondMode": "balance-tcp"}}""", "ports[0].bond.lacp", "balance-tcp needs LACP")]
    [InlineData("""{"name": "x", "type": "patch"}""", "ports[0].peer", "port x is a patch port: name the patch port at the other end in peer")]
    [InlineData("""{"name": "x", "peer": "y"}""", "ports[0].peer", "only a patch port has a peer")]
    [InlineData("""{"name": "ovsbr0"}""", "ports[0].name", "\"ovsbr0\" is the bridge's own internal port")]
    [InlineData("""{"name": "a/b"}""", "ports[0].name", "\"a/b\" is not a valid interface name")]
    public void Contradictory_port_settings_name_the_property(string port, string path, string reason)
    {
        var failures = Failures(Ports(port));
        Assert.True(failures.ContainsKey(path), $"no failure at {path}: {string.Join("; ", failures)}");
        Assert.StartsWith(reason, failures[path]);
    }

    [Fact]
    public void Names_are_one_namespace_across_ports_and_bond_members()
    {
        var failures = Failures(Ports("""{"name": "eth1"}, {"name": "bond0", "bond": {"members": ["eth1", "eth2"]}}, {"name": "eth2"}"""));
        Assert.StartsWith("\"eth1\" is already a port, a member or the bridge itself", failures["ports[1].bond.members[0]"]);
        Assert.StartsWith("\"eth2\" is listed twice", failures["ports[2].name"]);
    }

    [Fact]
    public void A_sound_program_passes()
    {
        Assert.Empty(Failures(Declared));
        Assert.Empty(Failures(Ports("""{"name": "bond0", "bond": {"members": ["eth1", "eth2"], "bondMode": "balance-tcp", "lacp": "active"}, "vlanMode": "native-tagged", "tag": 1, "trunks": [1, 2]}""")));
    }

    [Fact]
    public void Stp_and_rstp_together_and_an_empty_key_are_refused()
    {
        var failures = Failures("""{"name": "ovsbr0", "stpEnable": true, "rstpEnable": true, "externalIds": {"": "1", "a": "2"}}""");
        Assert.StartsWith("a bridge runs STP or RSTP, not both", failures["rstpEnable"]);
        Assert.Equal("has an empty key: every entry needs a key (e.g. \"stp-priority\")", failures["externalIds"]);
    }

    [Fact]
    public void A_value_that_is_not_a_string_is_refused_at_its_key()
    {
        var bound = PropertyBinder.Bind<OvsBridgeArgs>(Kvm.Provider.Tests.Networks.NetworkHarness.Obj("""{"name": "ovsbr0", "otherConfig": {"stp-priority": 100, "mac-aging-time": "60"}}"""));
        Assert.Equal(new CheckFailure("otherConfig[\"stp-priority\"]", "expected a string, got a number (100)"), Assert.Single(bound.Failures));
    }

    private static Announcement[] Announce(string news)
    {
        var host = HostTables();
        var (old, _) = OvsBridgeMapping.Observe(host, host.Bridge("ovsbr0")!, null, Args(Declared), importing: false);
        var oldInputs = Args(Declared);
        var bound = Bind(news);
        var diff = RecordDiff.Compare(old, bound.Value, oldInputs, bound.UnknownPaths, deleteBeforeReplace: true);
        var plan = Planner.Plan(new DiffContext<OvsBridgeArgs, OvsBridgeState>("ovsbr0", "urn", bound, old, oldInputs, diff));
        return [.. Planner.Announce(new AnnounceContext<OvsBridgeArgs, OvsBridgeState>("ovsbr0", "urn", plan, bound.Value, old, oldInputs, []))];
    }

    [Fact]
    public void A_new_datapath_warns_that_every_port_guests_included_pauses()
    {
        var line = Assert.Single(Announce(Declared.Replace("\"netdev\"", "\"system\"")));
        Assert.Equal(LogSeverity.Warning, line.Severity);
        Assert.Equal("kvm:live datapathType: the datapath of ovsbr0 is rebuilt: every port's traffic, guests' included (vnet0) stops for a moment", line.Message);
    }

    [Fact]
    public void A_port_s_vlans_changed_warns_and_says_the_guest_is_untouched_while_external_ids_are_quiet()
    {
        var lines = Announce(Declared.Replace("\"tag\": 10}", "\"tag\": 11}").Replace("\"mtu\": 1500,", "\"mtu\": 1500, \"externalIds\": {\"a\": \"b\"},"));
        Assert.Equal(
        [
            "kvm:live ports: acc changes VLAN or bond settings: frames of VLANs no longer carried are dropped, and a bond renegotiates; guests' ports (vnet0) are not touched",
            "kvm:live externalIds: applied to the running bridge in one OVSDB transaction; no port's traffic is interrupted",
        ], lines.Select(l => l.Message).OrderByDescending(m => m.StartsWith("kvm:live ports", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_rename_replaces_and_names_the_guests_that_lose_their_ports()
    {
        var line = Assert.Single(Announce(Declared.Replace("\"name\": \"ovsbr0\"", "\"name\": \"ovsbr9\"")));
        Assert.True(line.OfReplacement);
        Assert.Equal("kvm:replace name: the Open vSwitch bridge ovsbr0 is deleted and ovsbr9 made; guests' ports on it are lost (vnet0): libvirt does not put them back until each guest restarts", line.Message);
    }

    [Fact]
    public void A_trunk_that_only_gains_vlans_interrupts_nothing()
    {
        var line = Assert.Single(Announce(Declared.Replace("\"trunks\": [20, 10]", "\"trunks\": [20, 10, 30]")));
        Assert.Equal(LogSeverity.Info, line.Severity);
        Assert.Equal("kvm:live ports: applied to the running bridge in one OVSDB transaction; no port's traffic is interrupted", line.Message);
    }

    [Theory]
    [InlineData("""{"name": "ovsbr0", "addresses": ["192.168.0.90/24"], "gateway": "10.0.0.1"}""", "gateway", "10.0.0.1 is outside every subnet of the b")]
    [InlineData("""{"name": "ovsbr0", "addresses": ["192.168.0.90/24"], "gateway": "192.168.0.1", "up": false}""", "up", "a bridge that carries routes")]
    [InlineData("""{"name": "ovsbr0", "addresses": ["192.168.0.90"]}""", "addresses[0]", "")]
    [InlineData("""{"name": "ovsbr0", "routes": [{"destination": "10.8.0.1/16"}]}""", "routes[0].destination", "10.8.0.1/16 has host bits set")]
    public void The_internal_port_s_addresses_follow_a_linux_bridge_s_rules(string json, string path, string reason)
    {
        var failures = Failures(json);
        Assert.True(failures.ContainsKey(path), $"no failure at {path}: {string.Join("; ", failures)}");
        Assert.StartsWith(reason, failures[path]);
    }

    [Fact]
    public void Addresses_gateways_and_routes_are_written_as_the_kernel_reads_them_back()
    {
        var normalized = Planner.NormalizeInputs(Kvm.Provider.Tests.Networks.NetworkHarness.Obj(
            """{"name": "ovsbr0", "addresses": ["FD00:0::1/64"], "gateway6": "FD00::FFFF", "routes": [{"destination": "fd00:8:0::/48", "metric": 1024}]}"""));
        var a = PropertyBinder.Bind<OvsBridgeArgs>(normalized).Value;
        Assert.Equal(["fd00::1/64"], a.Addresses!);
        Assert.Equal("fd00::ffff", a.Gateway6);
        Assert.Equal("fd00:8::/48", a.Routes![0].Destination);
        Assert.Null(a.Routes[0].Metric);   // the IPv6 default metric reads back as unset
    }

    [Fact]
    public void The_host_s_side_is_announced_as_netlink_on_the_internal_port_and_going_down_warns()
    {
        var lines = Announce(Declared.Replace("\"mtu\": 1500,", "\"mtu\": 1500, \"addresses\": [\"192.168.0.90/24\"], \"gateway\": \"192.168.0.1\","));
        var line = Assert.Single(lines);
        Assert.Equal(LogSeverity.Info, line.Severity);
        Assert.Equal("kvm:live addresses, gateway: set on the internal port ovsbr0 (the host's interface on the bridge) by netlink, after the database; new addresses and routes come before old ones go, and no port's traffic is interrupted", line.Message);

        var down = Assert.Single(Announce(Declared.Replace("\"mtu\": 1500,", "\"mtu\": 1500, \"up\": false,")));
        Assert.Equal(LogSeverity.Warning, down.Severity);
        Assert.Equal("kvm:live up: the internal port ovsbr0 goes down: the host's own traffic through the bridge stops (the ports' and guests' traffic does not)", down.Message);
    }

    [Fact]
    public void A_new_datapath_with_addresses_says_this_update_puts_them_back()
    {
        var lines = Announce(Declared.Replace("\"netdev\"", "\"system\"").Replace("\"mtu\": 1500,", "\"mtu\": 1500, \"addresses\": [\"192.168.0.90/24\"],"));
        Assert.Contains(lines, l => l.Message.EndsWith("stops for a moment; the internal port ovsbr0 is made again, and this update puts its addresses and routes back", StringComparison.Ordinal));
    }

    [Fact]
    public void Consent_flags_change_nothing_on_the_host_and_are_not_announced()
    {
        Assert.Empty(Announce(Declared.Replace("\"mtu\": 1500,", "\"mtu\": 1500, \"forceDestroy\": true, \"takeOverManagedLinks\": true,")));
    }

    [Fact]
    public void The_shared_host_addressing_inputs_have_the_same_names_on_both_bridges()
    {
        Assert.Equal(
            [IHostAddressing.AddressesPath, IHostAddressing.GatewayPath, IHostAddressing.Gateway6Path, IHostAddressing.RoutesPath, IHostAddressing.UpPath],
            new[] { OvsBridgeArgs.Paths.Addresses, OvsBridgeArgs.Paths.Gateway, OvsBridgeArgs.Paths.Gateway6, OvsBridgeArgs.Paths.Routes, OvsBridgeArgs.Paths.Up });
        Assert.Equal(
            [IHostAddressing.AddressesPath, IHostAddressing.GatewayPath, IHostAddressing.Gateway6Path, IHostAddressing.RoutesPath, IHostAddressing.UpPath],
            new[] { BridgeArgs.Paths.Addresses, BridgeArgs.Paths.Gateway, BridgeArgs.Paths.Gateway6, BridgeArgs.Paths.Routes, BridgeArgs.Paths.Up });
    }

    [Theory]
    [InlineData("""{"name": "eth1", "addresses": ["10.0.0.1/24"]}""", "ports[0].addresses", "port eth1 is not an internal port: only an internal port (and the bridge itself) is an interface of the host")]
    [InlineData("""{"name": "m", "type": "internal", "tag": 10, "addresses": ["10.10.0.1/24"], "gateway": "10.20.0.1"}""", "ports[0].gateway", "10.20.0.1 is outside every subnet of the b")]
    [InlineData("""{"name": "m", "type": "internal", "addresses": ["10.10.0.1/24"], "gateway": "10.10.0.254", "up": false}""", "ports[0].up", "a bridge that carries routes")]
    [InlineData("""{"name": "m", "type": "internal", "addresses": ["127.0.0.2/8"]}""", "ports[0].addresses[0]", "127.0.0.2 is a loopback address")]
    [InlineData("""{"name": "eth1", "macAddress": "52:54:00:aa:00:01"}""", "ports[0].macAddress", "port eth1 is not an internal port: Open vSwitch sets the MAC of its own (internal) interfaces only")]
    [InlineData("""{"name": "m", "type": "internal", "macAddress": "01:00:5e:00:00:01"}""", "ports[0].macAddress", "01:00:5e:00:00:01 is a multicast address")]
    public void An_internal_port_s_addresses_follow_the_same_rules_under_its_path(string port, string path, string reason)
    {
        var failures = Failures(Ports(port));
        Assert.True(failures.ContainsKey(path), $"no failure at {path}: {string.Join("; ", failures)}");
        Assert.StartsWith(reason, failures[path]);
    }

    [Fact]
    public void An_address_belongs_to_one_link_and_a_family_has_one_default_route()
    {
        var failures = Failures("""
            {"name": "ovsbr0", "addresses": ["192.168.0.90/24"], "gateway": "192.168.0.1",
             "ports": [{"name": "m", "type": "internal", "tag": 10, "addresses": ["192.168.0.90/24", "10.10.0.1/24"], "gateway": "10.10.0.254"}]}
            """);
        Assert.Equal("192.168.0.90 is also declared at addresses[0]: an address belongs to one link of the bridge (the kernel would answer for it on both)", failures["ports[0].addresses[0]"]);
        Assert.StartsWith("the IPv4 default route is already declared at gateway: declare one per family", failures["ports[0].gateway"]);
        Assert.Equal(2, failures.Count);
    }

    [Fact]
    public void An_internal_port_s_addresses_are_normalized_too()
    {
        var normalized = Planner.NormalizeInputs(Kvm.Provider.Tests.Networks.NetworkHarness.Obj(
            """{"name": "ovsbr0", "ports": [{"name": "m", "type": "internal", "addresses": ["FD00::1/64"]}]}"""));
        Assert.Equal(["fd00::1/64"], PropertyBinder.Bind<OvsBridgeArgs>(normalized).Value.Ports![0].Addresses!);
    }

    [Fact]
    public void An_internal_port_s_new_address_is_announced_as_netlink_and_its_going_down_warns()
    {
        var line = Assert.Single(Announce(Declared.Replace("{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10}", "{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10, \"addresses\": [\"10.10.0.1/24\"]}")));
        Assert.Equal(LogSeverity.Info, line.Severity);
        Assert.Equal("kvm:live ports[1].addresses: set on the internal ports' links by netlink, after the database; new addresses and routes come before old ones go, and no port's traffic is interrupted", line.Message);

        var down = Assert.Single(Announce(Declared.Replace("{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10}", "{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10, \"up\": false}")));
        Assert.Equal(LogSeverity.Warning, down.Severity);
        Assert.Equal("kvm:live ports[1].up: the internal port acc goes down: the host's own traffic through it stops", down.Message);
    }

    [Fact]
    public void A_new_mac_alone_says_peers_re_learn_it_not_that_vlans_drop()
    {
        var line = Assert.Single(Announce(Declared.Replace("{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10}", "{\"name\": \"acc\", \"type\": \"internal\", \"tag\": 10, \"macAddress\": \"52:54:00:AA:00:02\"}")));
        Assert.Equal("kvm:live ports: acc gets a new MAC: peers reach the host there again once their ARP and neighbour caches learn it; guests' ports (vnet0) are not touched", line.Message);
    }
}

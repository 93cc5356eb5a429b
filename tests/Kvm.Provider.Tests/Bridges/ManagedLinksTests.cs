using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;

namespace Kvm.Provider.Tests.Bridges;

/// <summary>
/// Which links the host's own network manager configures, told from its files under a temporary root (issue 17: a
/// bridge must not fight NetworkManager, systemd-networkd or ifupdown), and the Check refusal a user sees.
/// </summary>
public sealed class ManagedLinksTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"kvm-hostroot-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private void Write(string hostPath, string text)
    {
        var path = Path.Combine(_root, hostPath.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
    }

    private LinkOwner? Find(string name, int? ifindex = null) => new LinkOwners(_root).Find(name, ifindex);

    [Fact]
    public void Open_vSwitch_s_ifupdown_stanzas_name_the_bridge_its_ports_and_bond_members()
    {
        // As Debian's openvswitch-switch documents them (README.Debian): the bridge names its ports, a bond its members.
        Write("/etc/network/interfaces", """
            allow-ovs ovsbr0
            iface ovsbr0 inet static
                address 192.168.0.2/24
                ovs_type OVSBridge
                ovs_ports eth9 bond0
            iface bond0 inet manual
                ovs_bridge ovsbr0
                ovs_type OVSBond
                ovs_bonds eth10 eth11
            """);
        Assert.Equal("\"allow-ovs ovsbr0\"", Find("ovsbr0")!.Evidence);
        Assert.Equal("\"ovs_ports eth9 bond0\"", Find("eth9")!.Evidence);
        Assert.Equal("\"ovs_bonds eth10 eth11\"", Find("eth11")!.Evidence);
        Assert.Null(Find("eth12"));
    }

    [Fact]
    public void Ifupdown_stanzas_in_the_file_and_what_it_sources_name_their_links()
    {
        Write("/etc/network/interfaces", """
            # The loopback network interface
            auto lo
            iface lo inet loopback
            source /etc/network/interfaces.d/*
            source-directory interfaces.more
            iface br0 inet static
                address 192.168.0.2/24
                bridge-ports eno2 \
                    eno3
            iface eth5:1 inet static
                address 10.0.0.1/24
            """);
        Write("/etc/network/interfaces.d/uplink", "allow-hotplug eno1\niface eno1 inet dhcp\n");
        Write("/etc/network/interfaces.more/wifi", "auto wlan0\n");
        Write("/etc/network/interfaces.more/old.bak", "auto eth7\n");

        Assert.Equal(new LinkOwner("ifupdown", "/etc/network/interfaces.d/uplink", "\"allow-hotplug eno1\"",
            "remove its stanza from /etc/network/interfaces.d/uplink (and `ifdown eno1` first)"), Find("eno1"));
        Assert.Equal("\"bridge-ports eno2 eno3\"", Find("eno3")!.Evidence);
        Assert.Equal("\"iface br0 inet static\"", Find("br0")!.Evidence);
        Assert.Equal("\"iface eth5:1 inet static\"", Find("eth5")!.Evidence);
        Assert.Equal("/etc/network/interfaces.more/wifi", Find("wlan0")!.File);
        // run-parts names only: a backup file is not read, as ifupdown does not read it
        Assert.Null(Find("eth7"));
        Assert.Null(Find("eth9"));
        Assert.Null(Find("eno"));
    }

    [Fact]
    public void Networkd_state_of_a_running_daemon_wins_over_its_files()
    {
        Write("/etc/systemd/network/10-uplink.network", "[Match]\nName=eno1 eno8\n\n[Network]\nDHCP=yes\n");
        Write("/run/systemd/netif/links/7", "# This is private data. Do not parse.\nADMIN_STATE=configured\nOPER_STATE=routable\nNETWORK_FILE=/etc/systemd/network/10-uplink.network\n");
        Write("/run/systemd/netif/links/8", "# This is private data. Do not parse.\nADMIN_STATE=unmanaged\nOPER_STATE=off\n");

        var owner = Find("eno1", 7)!;
        Assert.Equal(("systemd-networkd", "/run/systemd/netif/links/7", "ADMIN_STATE=configured, NETWORK_FILE=/etc/systemd/network/10-uplink.network"),
            (owner.Manager, owner.File, owner.Evidence));
        Assert.Null(Find("eno8", 8));
        // no state for the link (networkd not running, or the link not there yet): the .network files say
        Assert.Equal(("/etc/systemd/network/10-uplink.network", "[Match] Name=eno1 eno8"), (Find("eno8", 9)!.File, Find("eno8", 9)!.Evidence));
    }

    [Theory]
    [InlineData("Name=enp*", "enp3s0", true)]
    [InlineData("Name=enp*", "eno1", false)]
    [InlineData("Name=!enp* lo", "eno1", true)]
    [InlineData("Name=!enp* lo", "enp3s0", false)]
    [InlineData("Name=eth[0-3]", "eth2", true)]
    [InlineData("Name=eth[!0-3]", "eth2", false)]
    [InlineData("MACAddress=52:54:00:12:34:56", "eth0", false)]
    [InlineData("Name=eth0\n[Link]\nUnmanaged=yes", "eth0", false)]
    public void Networkd_files_match_by_their_name_globs(string match, string link, bool managed)
    {
        Write("/run/systemd/network/50-x.network", $"[Match]\n{match}\n");
        Assert.Equal(managed, Find(link) is { Manager: "systemd-networkd" });
    }

    [Fact]
    public void NetworkManager_device_state_wins_over_its_connection_profiles()
    {
        Write("/etc/NetworkManager/system-connections/lan.nmconnection", "[connection]\nid=lan\ntype=ethernet\ninterface-name=eth3\n\n[ipv4]\nmethod=auto\n");
        Write("/run/NetworkManager/devices/5", "[device]\nmanaged=true\nperm-hw-addr-fake=\nconnection-uuid=1b2c\n");
        Write("/run/NetworkManager/devices/6", "[device]\nmanaged=false\n");

        Assert.Equal(new LinkOwner("NetworkManager", "/run/NetworkManager/devices/5", "[device] managed=true",
            "`nmcli device set eth1 managed no` (and remove its connection profiles)"), Find("eth1", 5));
        Assert.Null(Find("eth3", 6));
        Assert.Equal(new LinkOwner("NetworkManager", "/etc/NetworkManager/system-connections/lan.nmconnection", "[connection] interface-name=eth3",
            "delete that connection (`nmcli connection delete ...`) and `nmcli device set eth3 managed no`"), Find("eth3"));
    }

    [Fact]
    public void A_root_without_any_manager_manages_nothing() => Assert.Null(Find("eth0", 2));

    private (ProviderHost Host, IResource Bridge) Lab(string? hostRoot)
    {
        var links = new Mock<ILinkApi>();
        links.Setup(l => l.GetByNameAsync("br0", It.IsAny<CancellationToken>())).ReturnsAsync((Link?)null);
        links.Setup(l => l.GetByNameAsync("eno1", It.IsAny<CancellationToken>())).ReturnsAsync(new Link(7, "eno1", null, 1500, null, OperationalState.Up, LinkFlags.Up, null, null, null));
        links.Setup(l => l.GetByNameAsync("eno2", It.IsAny<CancellationToken>())).ReturnsAsync(new Link(9, "eno2", null, 1500, null, OperationalState.Up, LinkFlags.Up, null, null, null));
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(links.Object);
        var host = new ProviderHost(new Diagnostics.EngineLog(alsoToStderr: false, verbosity: 0), _ => connections.Object);
        host.Configure(new ProviderConfig { HostRoot = hostRoot });
        return (host, new BridgeResource(host));
    }

    private static Task<CheckResult> CheckAsync(IResource bridge, string inputs) =>
        bridge.CheckAsync(new Resources.CheckRequest("urn:pulumi:s::p::kvm:index:Bridge::br0", "br0", ObjectValue.Empty, NetworkHarness.Obj(inputs)), default);

    [Fact]
    public async Task Check_refuses_a_port_another_manager_configures_naming_the_property_the_manager_and_the_file()
    {
        Write("/etc/network/interfaces", "auto eno1\niface eno1 inet dhcp\n");
        var (host, bridge) = Lab(_root);
        using var _ = host;

        var check = await CheckAsync(bridge, """{"name": "br0", "ports": ["eno2", "eno1"]}""");
        var failure = Assert.Single(check.Failures);
        Assert.Equal("ports[1]", failure.Property);
        Assert.Equal("eno1 is managed by ifupdown (/etc/network/interfaces: \"auto eno1\"): ifupdown would reconfigure it behind the provider's back. " +
            "Hand it over (remove its stanza from /etc/network/interfaces (and `ifdown eno1` first)), or set takeOverManagedLinks: true to take it anyway", failure.Reason);

        Assert.Empty((await CheckAsync(bridge, """{"name": "br0", "ports": ["eno2", "eno1"], "takeOverManagedLinks": true}""")).Failures);
    }

    [Fact]
    public async Task Check_refuses_a_bridge_name_a_manager_would_make_itself()
    {
        Write("/etc/systemd/network/br0.network", "[Match]\nName=br0\n[Network]\nAddress=10.0.0.1/24\n");
        var (host, bridge) = Lab(_root);
        using var _ = host;
        var failure = Assert.Single((await CheckAsync(bridge, """{"name": "br0"}""")).Failures);
        Assert.Equal("name", failure.Property);
        Assert.StartsWith("br0 is managed by systemd-networkd (/etc/systemd/network/br0.network: [Match] Name=br0)", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_named_namespace_nothing_is_looked_at_unless_a_root_is_given()
    {
        // The host's managers act in its main namespace: eth0 of another namespace is not their eth0.
        Assert.Null(new ProviderConfig { Netns = "lab-1" }.EffectiveHostRoot);
        Assert.Equal("/", new ProviderConfig().EffectiveHostRoot);
        Assert.Equal("/srv/ct1", new ProviderConfig { Netns = "lab-1", HostRoot = "/srv/ct1" }.EffectiveHostRoot);
    }
}

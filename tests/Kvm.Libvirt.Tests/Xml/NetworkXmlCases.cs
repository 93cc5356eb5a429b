namespace Kvm.Libvirt.Tests.Xml;

/// <summary>Network documents in libvirt's canonical output form, so a round trip must reproduce them exactly.</summary>
internal static class NetworkXmlCases
{
    /// <summary>Every modelled element, plus unmodelled ones: metadata, dns forwarder/txt, tftp, lease, route, bandwidth, id, localOnly, nat ipv6.</summary>
    public const string Full = """
        <network>
          <name>lab</name>
          <uuid>1b4e28ba-2fa1-11d2-883f-0016d3cca427</uuid>
          <future-setting level="1" />
          <metadata>
            <app:owner xmlns:app="http://example.org/app">team-net</app:owner>
          </metadata>
          <forward mode="nat" dev="eth0">
            <nat ipv6="yes">
              <address start="203.0.113.10" end="203.0.113.20" />
              <port start="1024" end="65535" />
            </nat>
            <interface dev="eth0" />
          </forward>
          <bridge name="labbr0" stp="off" delay="2" macTableManager="libvirt" />
          <mtu size="9000" />
          <mac address="52:54:00:0a:0b:0c" />
          <domain name="lab.example" localOnly="yes" />
          <dns>
            <forwarder addr="8.8.8.8" />
            <txt name="example" value="example value" />
            <host ip="10.10.0.50">
              <hostname>db</hostname>
              <hostname>db.lab.example</hostname>
            </host>
            <host ip="10.10.0.51">
              <hostname>cache</hostname>
            </host>
          </dns>
          <ip address="10.10.0.1" netmask="255.255.255.0">
            <tftp root="/srv/tftp" />
            <dhcp>
              <range start="10.10.0.100" end="10.10.0.199">
                <lease expiry="1" unit="hours" />
              </range>
              <range start="10.10.0.200" end="10.10.0.210" />
              <host mac="52:54:00:00:00:01" name="vm1" ip="10.10.0.11" />
              <host mac="52:54:00:00:00:02" ip="10.10.0.12" />
            </dhcp>
          </ip>
          <ip family="ipv6" address="2001:db8:ca2:2::1" prefix="64">
            <dhcp>
              <range start="2001:db8:ca2:2::100" end="2001:db8:ca2:2::1ff" />
              <host id="0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63" name="vm6" ip="2001:db8:ca2:2::61" />
            </dhcp>
          </ip>
          <route address="192.168.222.0" prefix="24" gateway="10.10.0.2" />
          <portgroup name="engineering" default="yes">
            <vlan>
              <tag id="42" />
            </vlan>
          </portgroup>
          <portgroup name="ops">
            <virtualport type="openvswitch">
              <parameters interfaceid="09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" profileid="ops-profile" />
            </virtualport>
            <bandwidth>
              <inbound average="1000" />
            </bandwidth>
          </portgroup>
        </network>
        """;

    public static readonly NetworkDefinition FullModel = new()
    {
        Name = "lab",
        Uuid = Guid.Parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        Forward = new NetworkForward
        {
            Mode = NetworkForwardMode.Nat,
            Dev = "eth0",
            Nat = new NetworkNat
            {
                Ipv6 = true,
                Address = new NatAddressRange("203.0.113.10", "203.0.113.20"),
                Port = new NatPortRange(1024, 65535),
            },
            Interfaces = ["eth0"],
        },
        Bridge = new NetworkBridge { Name = "labbr0", Stp = false, Delay = 2, MacTableManager = "libvirt" },
        Mtu = 9000,
        MacAddress = "52:54:00:0a:0b:0c",
        DomainName = "lab.example",
        DomainLocalOnly = true,
        Metadata = """<metadata><app:owner xmlns:app="http://example.org/app">team-net</app:owner></metadata>""",
        Routes = [new NetworkRoute { Address = "192.168.222.0", Prefix = 24, Gateway = "10.10.0.2" }],
        Dns = new NetworkDns
        {
            Forwarders = [new DnsForwarder("8.8.8.8", null)],
            Txts = [new DnsTxt("example", "example value")],
            Hosts =
            [
                new DnsHost("10.10.0.50", ["db", "db.lab.example"]),
                new DnsHost("10.10.0.51", ["cache"]),
            ],
        },
        Ips =
        [
            new NetworkIp
            {
                Address = "10.10.0.1",
                Netmask = "255.255.255.0",
                TftpRoot = "/srv/tftp",
                Dhcp = new NetworkDhcp
                {
                    Ranges = [new DhcpRange("10.10.0.100", "10.10.0.199") { Lease = new DhcpLease(1, "hours") }, new DhcpRange("10.10.0.200", "10.10.0.210")],
                    Hosts =
                    [
                        new DhcpHost { Mac = "52:54:00:00:00:01", Name = "vm1", Ip = "10.10.0.11" },
                        new DhcpHost { Mac = "52:54:00:00:00:02", Ip = "10.10.0.12" },
                    ],
                },
            },
            new NetworkIp
            {
                Family = IpFamily.Ipv6,
                Address = "2001:db8:ca2:2::1",
                Prefix = 64,
                Dhcp = new NetworkDhcp
                {
                    Ranges = [new DhcpRange("2001:db8:ca2:2::100", "2001:db8:ca2:2::1ff")],
                    Hosts = [new DhcpHost { Id = "0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63", Name = "vm6", Ip = "2001:db8:ca2:2::61" }],
                },
            },
        ],
        PortGroups =
        [
            new NetworkPortGroup { Name = "engineering", IsDefault = true, Vlan = new Vlan { Tags = [new VlanTag(42)] } },
            new NetworkPortGroup
            {
                Name = "ops",
                VirtualPort = new VirtualPort { Type = VirtualPort.OpenVSwitch, InterfaceId = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f", ProfileId = "ops-profile" },
                Bandwidth = new Bandwidth { Inbound = new BandwidthLimit { Average = 1000 } },
            },
        ],
    };

    public const string Isolated = """
        <network>
          <name>isolated</name>
          <bridge name="isobr0" />
          <ip address="192.168.100.1" prefix="24" />
        </network>
        """;

    /// <summary>Bridge mode onto an Open vSwitch bridge, with a trunk VLAN on the network and portgroups.</summary>
    public const string OvsBridge = """
        <network>
          <name>ovs</name>
          <forward mode="bridge" />
          <bridge name="ovsbr0" />
          <vlan trunk="yes">
            <tag id="10" nativeMode="untagged" />
            <tag id="20" />
            <tag id="30" />
          </vlan>
          <virtualport type="openvswitch" />
          <portgroup name="web">
            <vlan>
              <tag id="20" />
            </vlan>
          </portgroup>
        </network>
        """;

    public const string MacvtapPool = """
        <network>
          <name>direct</name>
          <forward mode="bridge">
            <interface dev="eth1" />
            <interface dev="eth2" />
            <interface dev="eth3" />
          </forward>
        </network>
        """;

    /// <summary>A forward element without mode is NAT to libvirt; it stays without mode.</summary>
    public const string ImplicitNat = """
        <network>
          <name>implicit</name>
          <forward />
          <ip address="10.20.0.1" netmask="255.255.255.0" />
        </network>
        """;

    public const string Route = """
        <network>
          <name>routed</name>
          <forward mode="route" dev="eth0" />
          <bridge name="rtbr0" stp="on" delay="0" />
          <ip address="10.30.0.1" prefix="24" />
        </network>
        """;

    public const string Open = """
        <network>
          <name>open</name>
          <forward mode="open" />
          <bridge name="openbr0" />
          <ip address="10.40.0.1" prefix="24" />
        </network>
        """;

    public static TheoryData<string, string> All => new()
    {
        { nameof(Full), Full },
        { nameof(Isolated), Isolated },
        { nameof(OvsBridge), OvsBridge },
        { nameof(MacvtapPool), MacvtapPool },
        { nameof(ImplicitNat), ImplicitNat },
        { nameof(Route), Route },
        { nameof(Open), Open },
    };
}

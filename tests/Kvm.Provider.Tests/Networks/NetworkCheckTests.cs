using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Networks;

/// <summary>Check: bad input is refused with the property and the reason, before libvirt is called (the host here throws on any use).</summary>
public class NetworkCheckTests
{
    private const string Nat = """{"name": "n", "forward": {"mode": "nat"}, "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.100", "end": "10.10.0.200"}]}}]}""";

    public static TheoryData<string, string, string> BadInputs => new()
    {
        // the brief's list
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.1.100", "end": "10.10.1.200"}]}}]}""", "ips[0].dhcp.ranges[0].start", "outside the subnet 10.10.0.0/24" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.100", "end": "10.10.9.9"}]}}]}""", "ips[0].dhcp.ranges[0].end", "outside the subnet" },
        { """{"name": "n", "ips": [{"family": "ipv6", "address": "10.10.0.1", "prefix": 24}]}""", "ips[0].family", "is ipv6, but the address 10.10.0.1 is ipv4" },
        { """{"name": "n", "ips": [{"family": "ipv4", "address": "fd00::1", "prefix": 64}]}""", "ips[0].family", "is ipv4, but the address fd00::1 is ipv6" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "ip": "fd00::5"}]}}]}""", "ips[0].dhcp.hosts[0].ip", "is ipv6, but the lease belongs to the ipv4 subnet" },
        { """{"name": "n", "forward": {"mode": "nat"}, "vlan": {"tags": [{"id": 10}]}}""", "vlan", "this network is nat, whose Linux bridge cannot tag" },
        { """{"name": "n", "forward": {"mode": "nat"}, "portGroups": [{"name": "pg", "vlan": {"tags": [{"id": 10}]}}]}""", "portGroups[0].vlan", "libvirt tags VLANs only on an Open vSwitch bridge" },
        { $$"""{"name": "{{new string('n', 300)}}"}""", "name", "is 300 characters long; at most 200" },
        { """{"name": "net<1>"}""", "name", "XML-special" },
        { """{"name": "a&b"}""", "name", "XML-special" },
        { """{"name": "it's"}""", "name", "XML-special" },
        { """{"name": "n", "portGroups": [{"name": "pg\"x"}]}""", "portGroups[0].name", "XML-special" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "name": "<script>", "ip": "10.10.0.5"}]}}]}""", "ips[0].dhcp.hosts[0].name", "XML-special" },
        { """{"name": "n", "dns": {"hosts": [{"ip": "10.10.0.5", "hostnames": ["a&b"]}]}}""", "dns.hosts[0].hostnames[0]", "XML-special" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br<0>"}}""", "bridge.name", "XML-special" },
        // names and ids
        { """{"name": "my net"}""", "name", "contains ' '" },
        { """{"name": "a/b"}""", "name", "contains '/'" },
        { """{"name": "-n"}""", "name", "must not start with '-'" },
        { """{"name": ""}""", "name", "must not be empty" },
        { """{"forward": {"mode": "nat"}}""", "name", "missing required property" },
        { """{"name": "n", "uuid": "not-a-uuid"}""", "uuid", "is not a UUID" },
        { """{"name": "n", "macAddress": "01:00:5e:00:00:01"}""", "macAddress", "multicast" },
        { """{"name": "n", "mtu": 50}""", "mtu", "between 68 and 65535" },
        { """{"name": "n", "domainName": "-bad-.example"}""", "domainName", "not a valid host name" },
        // forward modes and what they take
        { """{"name": "n", "forward": {"mode": "bridge", "interfaces": ["eth0"]}, "bridge": {"name": "br0"}}""", "bridge.name", "not both" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0", "stp": false}}""", "bridge.stp", "only on the bridges it makes" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "ips": [{"address": "10.10.0.1", "prefix": 24}]}""", "ips", "only for nat, route, open and isolated networks" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "macAddress": "52:54:00:00:00:01"}""", "macAddress", "only for nat, route, open and isolated" },
        { """{"name": "n", "forward": {"mode": "vepa"}}""", "forward.interfaces", "needs its macvtap pool" },
        { """{"name": "n", "forward": {"mode": "passthrough", "pciAddresses": ["0000:11:10.1"]}}""", "forward.pciAddresses", "for hostdev networks; libvirt refuses it in passthrough mode" },
        { """{"name": "n", "forward": {"mode": "hostdev", "pciAddresses": ["0000:11:10"]}}""", "forward.pciAddresses[0]", "is not a PCI address" },
        { """{"name": "n", "forward": {"mode": "hostdev", "pf": "eth2", "pciAddresses": ["0000:11:10.1"]}}""", "forward.pciAddresses", "one of them, not several" },
        { """{"name": "n", "forward": {"mode": "passthrough", "interfaces": ["eth1"], "managed": true}}""", "forward.managed", "for hostdev networks" },
        { """{"name": "n", "forward": {"mode": "nat", "pf": "eth2"}, "ips": [{"address": "10.10.0.1", "prefix": 24}]}""", "forward.pf", "not nat" },
        { """{"name": "n", "forward": {"mode": "private", "interfaces": ["eth1"]}, "bandwidth": {"inbound": {"average": 10}}}""", "bandwidth", "needs a bridge to shape on" },
        { """{"name": "n", "bandwidth": {"outbound": {"average": 10, "floor": 5}}}""", "bandwidth.outbound.floor", "on inbound traffic only" },
        { """{"name": "n", "bandwidth": {"inbound": {"average": 10, "peak": 5}}}""", "bandwidth.inbound.peak", "below the average" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24}], "routes": [{"address": "192.168.222.0", "prefix": 24, "gateway": "10.20.0.1"}]}""", "routes[0].gateway", "not on any of the network's subnets (10.10.0.0/24)" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24}], "routes": [{"address": "192.168.222.0", "netmask": "255.0.255.0", "gateway": "10.10.0.9"}]}""", "routes[0].netmask", "not a contiguous" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24}], "routes": [{"address": "fd00:1::", "prefix": 64, "gateway": "10.10.0.9"}]}""", "routes[0].gateway", "but the route is ipv6" },
        { """{"name": "n", "metadataXml": "<metadata><a>1</a></metadata>"}""", "metadataXml", "needs a namespace of its own" },
        { """{"name": "n", "metadataXml": "<meta/>"}""", "metadataXml", "must be one <metadata> element" },
        { """{"name": "n", "title": "one\ntwo"}""", "title", "one line" },
        { """{"name": "n", "forward": {"mode": "hostdev", "pf": "eth2"}, "portGroups": [{"name": "a", "bandwidth": {"inbound": {"average": 10}}}]}""", "portGroups[0].bandwidth", "not hostdev" },
        { """{"name": "n", "metadataXml": "<metadata>"}""", "metadataXml", "not well-formed" },
        { """{"name": "n", "forward": {"mode": "vepa", "interfaces": ["eth0"]}, "bridge": {"name": "br0"}}""", "bridge.name", "has no bridge" },
        { """{"name": "n", "forward": {"mode": "isolated", "dev": "eth0"}}""", "forward.dev", "leave dev unset" },
        { """{"name": "n", "forward": {"mode": "nat", "interfaces": ["eth0", "eth1"]}}""", "forward.interfaces", "at most one interface" },
        { """{"name": "n", "forward": {"mode": "route", "nat": {"portStart": 1024, "portEnd": 2048}}}""", "forward.nat", "for nat networks, not route" },
        { """{"name": "n", "forward": {"mode": "nat", "nat": {"portStart": 3000, "portEnd": 2048}}}""", "forward.nat.portEnd", "below portStart" },
        { """{"name": "n", "forward": {"mode": "nat", "nat": {"addressStart": "192.0.2.9", "addressEnd": "192.0.2.1"}}}""", "forward.nat.addressEnd", "comes before" },
        { """{"name": "n", "forward": {"mode": "fancy"}}""", "forward.mode", "must be one of" },
        { """{"name": "n", "forward": {"mode": "nat", "dev": "this-is-too-long0"}}""", "forward.dev", "at most 15" },
        // addresses and DHCP
        { """{"name": "n", "ips": [{"address": "224.0.0.1"}]}""", "ips[0].prefix", "no natural prefix" },
        { """{"name": "n", "ips": [{"address": "192.168.7.1", "dhcp": {"ranges": [{"start": "192.168.8.10", "end": "192.168.8.20"}]}}]}""", "ips[0].dhcp.ranges[0].start", "outside the subnet 192.168.7.0/24" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "netmask": "255.255.255.0"}]}""", "ips[0].netmask", "not both" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "netmask": "255.0.255.0"}]}""", "ips[0].netmask", "not a contiguous" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 33}]}""", "ips[0].prefix", "0-32" },
        { """{"name": "n", "ips": [{"address": "010.10.0.1", "prefix": 24}]}""", "ips[0].address", "is not an IPv4 or IPv6 address" },
        { """{"name": "n", "ips": [{"address": "fd00::1%eth0", "prefix": 64}]}""", "ips[0].address", "is not an IPv4 or IPv6 address" },
        { """{"name": "n", "ips": [{"address": "fd00::1", "netmask": "255.255.255.0"}]}""", "ips[0].netmask", "takes a prefix" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.200", "end": "10.10.0.100"}]}}]}""", "ips[0].dhcp.ranges[0].end", "comes before" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.0", "end": "10.10.0.100"}]}}]}""", "ips[0].dhcp.ranges[0].start", "network address" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.100", "end": "10.10.0.255"}]}}]}""", "ips[0].dhcp.ranges[0].end", "broadcast address" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.100", "end": "10.10.0.150"}, {"start": "10.10.0.140", "end": "10.10.0.160"}]}}]}""", "ips[0].dhcp.ranges[1]", "overlaps" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.1", "end": "10.10.0.9"}]}}]}""", "ips[0].dhcp.ranges[0]", "holds the host's own address" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "ip": "10.10.0.5"}, {"mac": "52:54:00:00:00:01", "ip": "10.10.0.6"}]}}]}""", "ips[0].dhcp.hosts[1].mac", "already has a lease" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "ip": "10.10.0.5"}, {"mac": "52:54:00:00:00:02", "ip": "10.10.0.5"}]}}]}""", "ips[0].dhcp.hosts[1].ip", "already leased" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "ip": "10.10.0.1"}]}}]}""", "ips[0].dhcp.hosts[0].ip", "the host's own address" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"ip": "10.10.0.5"}]}}]}""", "ips[0].dhcp.hosts[0]", "needs a mac" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "5254.0000.0001", "ip": "10.10.0.5"}]}}]}""", "ips[0].dhcp.hosts[0].mac", "not a MAC address" },
        { """{"name": "n", "ips": [{"address": "fd00::1", "prefix": 64, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "name": "h", "ip": "fd00::5"}]}}]}""", "ips[0].dhcp.hosts[0].mac", "matched by name" },
        { """{"name": "n", "ips": [{"address": "fd00::1", "prefix": 64, "dhcp": {"hosts": [{"ip": "fd00::5"}]}}]}""", "ips[0].dhcp.hosts[0]", "needs a client id or a name" },
        { """{"name": "n", "ips": [{"address": "fd00::1", "prefix": 64, "dhcp": {"hosts": [{"id": "0:3:zz", "ip": "fd00::5"}]}}]}""", "ips[0].dhcp.hosts[0].id", "not a DHCPv6 client id" },
        { """{"name": "n", "ips": [{"address": "fd00::1", "prefix": 64, "dhcp": {"hosts": [{"id": "0:3:0:1", "ip": "fd00::5"}, {"id": "0:3:0:1", "ip": "fd00::6"}]}}]}""", "ips[0].dhcp.hosts[1].id", "already has a lease" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"id": "0:3:0:1", "name": "h", "ip": "10.10.0.5"}]}}]}""", "ips[0].dhcp.hosts[0].id", "IPv4 leases are matched by mac or name" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.100", "end": "10.10.0.200", "lease": {"expiry": 90, "unit": "seconds"}}]}}]}""", "ips[0].dhcp.ranges[0].lease.expiry", "shortest lease, two minutes" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "ip": "10.10.0.5", "lease": {"expiry": 1}}]}}]}""", "ips[0].dhcp.hosts[0].lease.expiry", "1 minutes is shorter" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.100", "end": "10.10.0.200", "lease": {"expiry": 1, "unit": "days"}}]}}]}""", "ips[0].dhcp.ranges[0].lease.unit", "must be one of" },
        { """{"name": "n", "ips": [{"address": "fd00::1", "prefix": 64, "tftpRoot": "/srv/tftp"}]}""", "ips[0].tftpRoot", "for IPv4 addresses" },
        { """{"name": "n", "ips": [{"address": "fd00::1", "prefix": 64, "dhcp": {"bootp": {"file": "pxe.efi"}}}]}""", "ips[0].dhcp.bootp", "for IPv4 addresses" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"bootp": {"file": "pxelinux.0", "server": "tftp.example"}}}]}""", "ips[0].dhcp.bootp.server", "is not an IPv4 or IPv6 address" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.10.0.100", "end": "10.10.0.200"}]}}, {"address": "10.20.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.20.0.100", "end": "10.20.0.200"}]}}]}""", "ips[1].dhcp", "one ipv4 address per network" },
        { """{"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24}, {"address": "10.10.0.1", "prefix": 16}]}""", "ips[1].address", "is also ips[0]" },
        { """{"name": "n", "dns": {"hosts": [{"ip": "10.10.0.5", "hostnames": []}]}}""", "dns.hosts[0].hostnames", "at least one name" },
        { """{"name": "n", "dns": {"hosts": [{"ip": "10.10.0.5", "hostnames": ["a"]}, {"ip": "10.10.0.5", "hostnames": ["b"]}]}}""", "dns.hosts[1].ip", "already has a record" },
        { """{"name": "n", "dns": {"enable": false, "forwarders": [{"address": "192.0.2.53"}]}}""", "dns.enable", "has no forwarders or records" },
        { """{"name": "n", "dns": {"forwarders": [{}]}}""", "dns.forwarders[0]", "needs an address, a domain, or both" },
        { """{"name": "n", "dns": {"forwarders": [{"address": "dns.example"}]}}""", "dns.forwarders[0].address", "is not an IPv4 or IPv6 address" },
        { """{"name": "n", "dns": {"txts": [{"name": "a b", "value": "x"}]}}""", "dns.txts[0].name", "spaces or commas" },
        { """{"name": "n", "dns": {"txts": [{"name": "a"}]}}""", "dns.txts[0].value", "missing required property" },
        { """{"name": "n", "dns": {"srvs": [{"service": "ld.ap", "protocol": "tcp"}]}}""", "dns.srvs[0].service", "letters, digits and _-+/* only" },
        { """{"name": "n", "dns": {"srvs": [{"service": "ldap", "protocol": "t_cp"}]}}""", "dns.srvs[0].protocol", "letters, digits and -+/ only" },
        { """{"name": "n", "dns": {"srvs": [{"service": "ldap", "protocol": "tcp", "port": 389}]}}""", "dns.srvs[0].port", "needs its target" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "dns": {"srvs": [{"service": "ldap", "protocol": "tcp"}]}}""", "dns.srvs", "only for nat, route, open and isolated" },
        // VLANs and virtual ports
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "vlan": {"tags": [{"id": 10}]}}""", "vlan", "this network is bridge" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "virtualPort": {"type": "openvswitch"}, "vlan": {"tags": [{"id": 4095}]}}""", "vlan.tags[0].id", "between 1 and 4094" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "virtualPort": {"type": "openvswitch"}, "vlan": {"tags": [{"id": 0}]}}""", "vlan.tags[0].id", "between 1 and 4094" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "virtualPort": {"type": "openvswitch"}, "vlan": {"trunk": false, "tags": [{"id": 10}, {"id": 20}]}}""", "vlan.trunk", "cannot be false" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "virtualPort": {"type": "openvswitch"}, "vlan": {"tags": [{"id": 10}, {"id": 10}]}}""", "vlan.tags[1].id", "listed twice" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "virtualPort": {"type": "openvswitch"}, "vlan": {"tags": [{"id": 10, "nativeMode": "untagged"}]}}""", "vlan.tags[0].nativeMode", "for trunks" },
        { """{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "virtualPort": {"type": "openvswitch", "interfaceId": "x"}}""", "virtualPort.interfaceId", "not a UUID" },
        { """{"name": "n", "portGroups": [{"name": "a", "isDefault": true}, {"name": "b", "isDefault": true}]}""", "portGroups[1].isDefault", "already the default" },
        { """{"name": "n", "portGroups": [{"name": "a"}, {"name": "a"}]}""", "portGroups[1].name", "is also portGroups[0]" },
        { """{"name": "n", "colour": "blue"}""", "colour", "unknown property" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_refused_with_its_property_and_reason_before_libvirt_is_called(string json, string property, string reason)
    {
        using var h = NetworkHarness.Untouchable();
        var result = await h.CheckAsync(json);
        var failure = Assert.Single(result.Failures, f => f.Property == property);
        Assert.Contains(reason, failure.Reason);
    }

    public static TheoryData<string> GoodInputs => new()
    {
        Nat,
        """{"name": "iso"}""",
        """{"name": "lan.example-1_a+b:c@d", "forward": {"mode": "isolated"}, "bridge": {"stp": false, "delay": 0}, "mtu": 9000, "domainName": "lab.example", "ips": [{"family": "ipv4", "address": "192.168.50.1", "netmask": "255.255.255.0", "dhcp": {"ranges": [{"start": "192.168.50.10", "end": "192.168.50.20"}, {"start": "192.168.50.30", "end": "192.168.50.40"}], "hosts": [{"mac": "52:54:00:AA:00:01", "name": "g1", "ip": "192.168.50.5"}, {"name": "g2", "ip": "192.168.50.6"}]}}, {"address": "fd00:50::1", "prefix": 64, "dhcp": {"hosts": [{"name": "g1", "ip": "fd00:50::5"}]}}], "dns": {"hosts": [{"ip": "192.168.50.5", "hostnames": ["g1", "g1.lab.example"]}]}, "portGroups": [{"name": "a", "isDefault": true}, {"name": "b", "isDefault": false}], "autostart": false, "active": false}""",
        """{"name": "br", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}}""",
        // What libvirtd defines, though unusual: the subnet's own network address as the host's, a lease outside
        // the subnet, an 802.1Qbh portgroup on a bridge network.
        """{"name": "netaddr", "ips": [{"address": "10.10.0.0", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:00:00:01", "ip": "10.20.0.5"}]}}]}""",
        """{"name": "bcast", "ips": [{"address": "10.10.0.255", "prefix": 24}]}""",
        """{"name": "qbh", "forward": {"mode": "bridge"}, "bridge": {"name": "br0"}, "portGroups": [{"name": "p", "virtualPort": {"type": "802.1Qbh"}}]}""",
        // libvirt defines a bridge-mode network without a bridge: its guests name one.
        """{"name": "ovs-any", "forward": {"mode": "bridge"}, "virtualPort": {"type": "openvswitch"}}""",
        """{"name": "vfs", "forward": {"mode": "hostdev", "managed": true, "driver": "vfio", "pf": "eth2"}, "vlan": {"tags": [{"id": 7}]}}""",
        """{"name": "pt", "forward": {"mode": "passthrough", "pf": "eth0"}, "vlan": {"tags": [{"id": 7}]}}""",
        """{"name": "routed", "forward": {"mode": "route"}, "ips": [{"address": "192.168.122.1", "netmask": "255.255.255.0"}, {"address": "2001:db8:ac10:fd01::1", "prefix": 64}], "routes": [{"address": "192.168.222.0", "netmask": "255.255.255.0", "gateway": "192.168.122.10"}, {"family": "ipv6", "address": "2001:db8:ac10:fc00::", "prefix": 64, "gateway": "2001:db8:ac10:fd01::1:24"}]}""",
        """{"name": "shaped", "forward": {"mode": "nat", "nat": {"ipv6": true}}, "portIsolated": true, "bandwidth": {"inbound": {"average": 1000, "peak": 2000, "burst": 1024}, "outbound": {"average": 2000}}, "ips": [{"address": "192.168.120.1", "prefix": 24}], "metadataXml": "<metadata>\n  <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n</metadata>"}""",
        """{"name": "macvtap", "forward": {"mode": "bridge", "interfaces": ["eth0", "eth1"]}}""",
        """{"name": "ovs", "forward": {"mode": "bridge"}, "bridge": {"name": "ovsbr0"}, "virtualPort": {"type": "openvswitch"}, "vlan": {"tags": [{"id": 42}]}, "portGroups": [{"name": "trunk", "vlan": {"trunk": true, "tags": [{"id": 10, "nativeMode": "untagged"}, {"id": 20}]}}, {"name": "v30", "vlan": {"tags": [{"id": 30}]}}]}""",
        """{"name": "hd", "forward": {"mode": "hostdev"}, "vlan": {"tags": [{"id": 7}]}}""",
        """{"name": "nat", "forward": {"mode": "nat", "dev": "eth0", "interfaces": ["eth0"], "nat": {"addressStart": "192.0.2.1", "addressEnd": "192.0.2.9", "portStart": 1024, "portEnd": 65535}}, "ips": [{"address": "10.1.0.1", "prefix": 30}]}""",
        """{"name": "p2p", "ips": [{"address": "10.1.0.0", "prefix": 31}]}""",
        // No prefix or netmask: libvirt takes the natural one (10.x /8, 172.16.x /16, 192.168.x /24, IPv6 /64).
        """{"name": "classful", "ips": [{"address": "10.10.0.1", "dhcp": {"ranges": [{"start": "10.200.0.10", "end": "10.200.0.20"}]}}, {"address": "fd00:9::1", "dhcp": {"ranges": [{"start": "fd00:9::10", "end": "fd00:9::20"}]}}]}""",
        """{"name": "classb", "ips": [{"address": "172.16.5.1", "dhcp": {"hosts": [{"name": "g", "ip": "172.16.200.9"}]}}]}""",
        """{"name": "3e3fce45-4f53-4fa7-bb32-11f34168b82b", "uuid": "3E3FCE45-4F53-4FA7-BB32-11F34168B82B"}""",
        // DNS and network boot as libvirt's own test networks have them.
        """{"name": "dns", "forward": {"mode": "nat"}, "dns": {"enable": true, "forwardPlainNames": false, "forwarders": [{"address": "8.8.8.8"}, {"domain": "example.com", "address": "192.168.1.1"}, {"domain": "www.example.com"}], "txts": [{"name": "example", "value": "example value"}], "srvs": [{"service": "name", "protocol": "tcp"}, {"service": "name", "protocol": "tcp", "domain": "test-domain-name", "target": ".", "port": 1024, "priority": 10, "weight": 10}]}}""",
        """{"name": "nodns", "forward": {"mode": "route"}, "dns": {"enable": false}, "ips": [{"address": "192.168.122.1", "prefix": 24}]}""",
        """{"name": "boot", "ips": [{"address": "192.168.122.1", "prefix": 24, "tftpRoot": "/var/lib/tftproot", "dhcp": {"ranges": [{"start": "192.168.122.2", "end": "192.168.122.254", "lease": {"expiry": 0}}], "hosts": [{"mac": "00:16:3e:77:e2:ed", "ip": "192.168.122.10", "lease": {"expiry": 120, "unit": "seconds"}}], "bootp": {"file": "pxeboot.img", "server": "10.20.30.40"}}}]}""",
        """{"name": "dhcp6", "ips": [{"address": "2001:db8:ac10:fd01::1", "prefix": 64, "dhcp": {"hosts": [{"id": "0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63", "ip": "2001:db8:ac10:fd01::1:20"}, {"name": "paul", "ip": "2001:db8:ac10:fd01::1:21"}]}}]}""",
    };

    [Theory]
    [MemberData(nameof(GoodInputs))]
    public async Task Good_input_passes(string json)
    {
        using var h = NetworkHarness.Untouchable();
        await h.CheckedAsync(json);
    }

    [Fact]
    public async Task Unknown_values_in_preview_skip_the_rules_that_need_them()
    {
        using var h = NetworkHarness.Untouchable();
        const string unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        await h.CheckedAsync($$$"""{"name": "n", "forward": {"mode": "bridge"}, "bridge": {"name": "{{{unknown}}}"}}""");
        await h.CheckedAsync($$$"""{"name": "n", "forward": "{{{unknown}}}", "vlan": {"tags": [{"id": 10}]}}""");
        await h.CheckedAsync($$$"""{"name": "n", "ips": [{"address": "{{{unknown}}}", "prefix": 24, "dhcp": {"ranges": [{"start": "10.0.0.2", "end": "10.0.0.9"}]}}]}""");
        await h.CheckedAsync($$$"""{"name": "n", "ips": [{"address": "10.0.0.1", "prefix": "{{{unknown}}}"}]}""");
    }

    [Fact]
    public async Task Inputs_are_normalised_to_what_libvirt_reports()
    {
        using var h = NetworkHarness.Untouchable();
        var inputs = await h.CheckedAsync("""
            {"name": "n", "uuid": "3E3FCE45-4F53-4FA7-BB32-11F34168B82B", "macAddress": "52:54:00:AB:CD:EF",
             "ips": [{"address": "fd00:0:0::1", "prefix": 64, "dhcp": {"ranges": [{"start": "FD00::10", "end": "fd00:0::20"}]}},
                     {"address": "10.0.0.1", "prefix": 24, "dhcp": {"hosts": [{"mac": "52:54:00:AA:00:01", "ip": "10.0.0.5"}]}}],
             "dns": {"hosts": [{"ip": "FD00::5", "hostnames": ["a"]}]}}
            """);
        string S(string path) => ((StringValue)PropertyPath.Get(inputs, PropertyPath.Parse(path).AsSpan())!).Value;
        Assert.Equal("3e3fce45-4f53-4fa7-bb32-11f34168b82b", S("uuid"));
        Assert.Equal("52:54:00:ab:cd:ef", S("macAddress"));
        Assert.Equal("fd00::1", S("ips[0].address"));
        Assert.Equal("fd00::10", S("ips[0].dhcp.ranges[0].start"));
        Assert.Equal("fd00::20", S("ips[0].dhcp.ranges[0].end"));
        Assert.Equal("52:54:00:aa:00:01", S("ips[1].dhcp.hosts[0].mac"));
        Assert.Equal("fd00::5", S("dns.hosts[0].ip"));
        Assert.Equal(PropertyValue.True, inputs["autostart"]);
        Assert.Equal(PropertyValue.True, inputs["active"]);
    }

    [Fact]
    public async Task Portgroups_and_vlans_are_spelled_one_way_since_list_items_compare_whole()
    {
        using var h = NetworkHarness.Untouchable();
        var inputs = await h.CheckedAsync("""
            {"name": "ovs", "forward": {"mode": "bridge"}, "bridge": {"name": "ovsbr0"}, "virtualPort": {"type": "openvswitch", "interfaceId": "3E3FCE45-4F53-4FA7-BB32-11F34168B82B"},
             "vlan": {"tags": [{"id": 5}, {"id": 6}]},
             "portGroups": [{"name": "a", "isDefault": false, "vlan": {"tags": [{"id": 1}, {"id": 2}]}}, {"name": "b", "isDefault": true, "vlan": {"trunk": false, "tags": [{"id": 3}]}}]}
            """);
        PropertyValue? At(string path) => PropertyPath.Get(inputs, PropertyPath.Parse(path).AsSpan());
        Assert.Null(At("portGroups[0].isDefault"));
        Assert.Equal(PropertyValue.True, At("portGroups[1].isDefault"));
        Assert.Equal(PropertyValue.True, At("portGroups[0].vlan.trunk"));
        Assert.Null(At("portGroups[1].vlan.trunk"));
        Assert.Equal(PropertyValue.True, At("vlan.trunk"));
        Assert.Equal(PropertyValue.Of("3e3fce45-4f53-4fa7-bb32-11f34168b82b"), At("virtualPort.interfaceId"));
    }
}

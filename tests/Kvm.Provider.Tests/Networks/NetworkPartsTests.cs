using Kvm.Libvirt;
using Kvm.Provider.Resources.Networks;

namespace Kvm.Provider.Tests.Networks;

/// <summary>Addresses, guest discovery and the XML mapping, each on its own.</summary>
public class NetworkPartsTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("fd00:0:0::1", "fd00::1")]
    [InlineData("FD00::A", "fd00::a")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("::ffff:10.0.0.1", "::ffff:10.0.0.1")]
    public void Addresses_print_the_way_libvirt_prints_them(string text, string canonical)
    {
        Assert.True(IpAddr.TryParse(text, out var a));
        Assert.Equal(canonical, a.ToString());
    }

    [Theory]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.1")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.1 ")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[fd00::1]")]
    [InlineData("fd00:::1")]
    [InlineData("")]
    public void Malformed_addresses_are_refused(string text) => Assert.False(IpAddr.TryParse(text, out _));

    [Fact]
    public void Subnets_know_their_members_and_reserved_addresses()
    {
        IpAddr A(string s) => IpAddr.TryParse(s, out var a) ? a : throw new FormatException(s);
        var net = IpSubnet.Of(A("192.168.7.1"), 24);
        Assert.Equal("192.168.7.0/24", net.ToString());
        Assert.True(net.Contains(A("192.168.7.200")));
        Assert.False(net.Contains(A("192.168.8.1")));
        Assert.False(net.Contains(A("fd00::1")));
        Assert.True(net.IsReserved(A("192.168.7.0")));
        Assert.True(net.IsReserved(A("192.168.7.255")));
        Assert.False(net.IsReserved(A("192.168.7.254")));
        Assert.False(IpSubnet.Of(A("10.0.0.0"), 31).IsReserved(A("10.0.0.0")));
        var v6 = IpSubnet.Of(A("fd00:1::1"), 64);
        Assert.True(v6.Contains(A("fd00:1::ffff:1")));
        Assert.False(v6.Contains(A("fd00:2::1")));
        Assert.True(v6.IsReserved(A("fd00:1::")));
        Assert.Equal(24, IpSubnet.PrefixOfNetmask("255.255.255.0"));
        Assert.Equal(0, IpSubnet.PrefixOfNetmask("0.0.0.0"));
        Assert.Equal(32, IpSubnet.PrefixOfNetmask("255.255.255.255"));
        Assert.Null(IpSubnet.PrefixOfNetmask("255.0.255.0"));
    }

    [Fact]
    public void Attached_guests_are_the_nics_on_the_network_or_on_its_bridge()
    {
        const string xml = """
            <domain type='qemu'><name>g</name><devices>
              <interface type='network'><mac address='52:54:00:00:00:01'/><source network='lan' bridge='virbr3'/><target dev='vnet0'/></interface>
              <interface type='network'><mac address='52:54:00:00:00:02'/><source network='other'/><target dev='vnet1'/></interface>
              <interface type='bridge'><mac address='52:54:00:00:00:03'/><source bridge='virbr3'/><target dev='vnet2'/></interface>
              <interface type='bridge'><mac address='52:54:00:00:00:04'/><source bridge='br0'/><target dev='vnet3'/></interface>
              <interface type='direct'><mac address='52:54:00:00:00:05'/><source dev='virbr3' mode='bridge'/><target dev='macvtap0'/></interface>
            </devices></domain>
            """;
        var nics = AttachedGuests.NicsOn("g", xml, "lan", "virbr3").ToList();
        Assert.Equal([new GuestNic("g", "vnet0", "52:54:00:00:00:01"), new GuestNic("g", "vnet2", "52:54:00:00:00:03")], nics);
        Assert.Empty(AttachedGuests.NicsOn("g", "<not xml", "lan", "virbr3"));
        Assert.Equal("none attached", AttachedGuests.Describe([]));
        Assert.Equal("a, b", AttachedGuests.Describe([new("b", null, null), new("a", null, null), new("b", null, null)]));
    }

    [Fact]
    public void A_built_definition_reads_back_as_the_same_inputs()
    {
        var bound = Values.PropertyBinder.Bind<LibvirtNetworkArgs>(NetworkHarness.Obj("""
            {"name": "lan", "uuid": "3e3fce45-4f53-4fa7-bb32-11f34168b82b",
             "forward": {"mode": "nat", "dev": "eth0", "interfaces": ["eth0"], "nat": {"addressStart": "192.0.2.1", "addressEnd": "192.0.2.9", "portStart": 1024, "portEnd": 2048, "ipv6": true}},
             "title": "Lab LAN", "description": "The lab's own network.\nTwo lines.", "domainLocalOnly": true,
             "portIsolated": true, "bandwidth": {"inbound": {"average": 1000, "peak": 2000, "burst": 1024, "floor": 100}, "outbound": {"average": 2000}},
             "routes": [{"address": "192.168.222.0", "prefix": 24, "gateway": "10.5.0.10", "metric": 5}, {"family": "ipv6", "address": "2001:db8:fc00::", "prefix": 64, "gateway": "fd00:5::24"}],
             "metadataXml": "<metadata><app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo></metadata>",
             "bridge": {"name": "virbr7", "stp": false, "delay": 2}, "mtu": 9000, "macAddress": "52:54:00:0a:0b:0c", "domainName": "lab.example",
             "ips": [{"family": "ipv4", "address": "10.5.0.1", "prefix": 24, "tftpRoot": "/srv/tftp", "localPtr": true,
                      "dhcp": {"ranges": [{"start": "10.5.0.100", "end": "10.5.0.200", "lease": {"expiry": 2, "unit": "hours"}}],
                               "hosts": [{"mac": "52:54:00:aa:00:01", "name": "g1", "ip": "10.5.0.11", "lease": {"expiry": 0}}],
                               "bootp": {"file": "pxelinux.0", "server": "10.5.0.2"}}},
                     {"family": "ipv6", "address": "fd00:5::1", "prefix": 64,
                      "dhcp": {"ranges": [], "hosts": [{"id": "0:3:0:1:0:16:3e:11:22:33", "ip": "fd00:5::20"}]}}],
             "dns": {"enable": true, "forwardPlainNames": false,
                     "forwarders": [{"address": "192.0.2.53"}, {"domain": "corp.example", "address": "192.0.2.54"}, {"domain": "local.example"}],
                     "txts": [{"name": "info", "value": "lab network"}],
                     "srvs": [{"service": "ldap", "protocol": "tcp", "domain": "lab.example", "target": "g1.lab.example", "port": 389, "priority": 10, "weight": 5}],
                     "hosts": [{"ip": "10.5.0.11", "hostnames": ["g1", "g1.lab.example"]}]},
             "portGroups": [{"name": "a", "isDefault": true, "trustGuestRxFilters": true, "bandwidth": {"inbound": {"average": 500}}}],
             "autostart": true, "active": true}
            """));
        Assert.True(bound.Ok);
        var xml = NetworkXml.Format(NetworkMapping.Build(bound.Value));
        var back = NetworkMapping.ToArgs(NetworkXml.Parse(xml), autostart: true, active: true);
        var written = Values.Writer.Write(back, inputsOnly: true);
        Assert.Equal(Values.Writer.Write(bound.Value, inputsOnly: true).Display(), written.Display());
    }

    [Fact]
    public void An_sr_iov_pool_reads_back_as_the_same_inputs_with_libvirts_pci_spelling()
    {
        var bound = Values.PropertyBinder.Bind<LibvirtNetworkArgs>(NetworkHarness.Obj("""
            {"name": "vfs", "forward": {"mode": "hostdev", "managed": true, "driver": "vfio", "pciAddresses": ["0000:03:00.1", "0000:03:10.7"]}}
            """));
        Assert.True(bound.Ok);
        var xml = NetworkXml.Format(NetworkMapping.Build(bound.Value));
        Assert.Contains("<address type=\"pci\" domain=\"0x0000\" bus=\"0x03\" slot=\"0x10\" function=\"0x7\" />", xml);
        var back = NetworkMapping.ToArgs(NetworkXml.Parse(xml), autostart: true, active: true);
        Assert.Equal(["0000:03:00.1", "0000:03:10.7"], back.Forward!.PciAddresses!);
        Assert.Equal((true, "vfio"), (back.Forward.Managed, back.Forward.Driver));
    }
}

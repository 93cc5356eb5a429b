using Kvm.Libvirt;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Networks;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Networks;

/// <summary>The classification of changes and the virNetworkUpdate delta of the live class.</summary>
public class NetworkChangesTests
{
    [Theory]
    [InlineData("name", ChangeClass.Replace)]
    [InlineData("uuid", ChangeClass.Replace)]
    [InlineData("autostart", ChangeClass.Live)]
    [InlineData("active", ChangeClass.Live)]
    [InlineData("ips[0].dhcp.hosts[3]", ChangeClass.Live)]
    [InlineData("ips[1].dhcp.hosts[0].ip", ChangeClass.Live)]
    [InlineData("ips[0].dhcp.hosts", ChangeClass.Live)]
    [InlineData("ips[0].dhcp.ranges[0]", ChangeClass.Live)]
    [InlineData("dns.hosts[2]", ChangeClass.Live)]
    [InlineData("dns.txts[0]", ChangeClass.Live)]
    [InlineData("dns.srvs", ChangeClass.Live)]
    [InlineData("ips[0].dhcp.ranges[0].lease.expiry", ChangeClass.Live)]
    [InlineData("ips[0].dhcp.hosts[1].lease", ChangeClass.Live)]
    [InlineData("dns", ChangeClass.Restart)]
    [InlineData("dns.forwarders[0].address", ChangeClass.Restart)]
    [InlineData("dns.enable", ChangeClass.Restart)]
    [InlineData("dns.forwardPlainNames", ChangeClass.Restart)]
    [InlineData("ips[0].dhcp.bootp.file", ChangeClass.Restart)]
    [InlineData("ips[0].tftpRoot", ChangeClass.Restart)]
    [InlineData("portGroups[1].vlan.tags[0].id", ChangeClass.Live)]
    [InlineData("portGroups", ChangeClass.Live)]
    [InlineData("ips[0].dhcp", ChangeClass.Restart)]
    [InlineData("ips[0]", ChangeClass.Restart)]
    [InlineData("ips[0].address", ChangeClass.Restart)]
    [InlineData("ips[0].prefix", ChangeClass.Restart)]
    [InlineData("ips", ChangeClass.Restart)]
    [InlineData("forward.mode", ChangeClass.Restart)]
    [InlineData("forward.nat.portStart", ChangeClass.Restart)]
    [InlineData("bridge.stp", ChangeClass.Restart)]
    [InlineData("mtu", ChangeClass.Restart)]
    [InlineData("macAddress", ChangeClass.Restart)]
    [InlineData("domainName", ChangeClass.Restart)]
    [InlineData("vlan.tags[0].id", ChangeClass.Restart)]
    [InlineData("virtualPort.type", ChangeClass.Restart)]
    // The class comes in as object: ChangeClass is internal to the plugin, and a theory method is public.
    public void Every_path_has_a_class(string path, object expected) => Assert.Equal((ChangeClass)expected, NetworkChanges.Classify(path));

    private const string Xml = """
        <network>
          <name>lan</name>
          <uuid>3e3fce45-4f53-4fa7-bb32-11f34168b82b</uuid>
          <forward mode='nat'/>
          <bridge name='virbr7' stp='on' delay='0'/>
          <mac address='52:54:00:0a:0b:0c'/>
          <dns>
            <host ip='10.5.0.5'><hostname>a</hostname></host>
          </dns>
          <ip address='10.5.0.1' prefix='24'>
            <dhcp>
              <range start='10.5.0.100' end='10.5.0.200'/>
              <host mac='52:54:00:AA:00:01' name='g1' ip='10.5.0.11'/>
              <host mac='52:54:00:aa:00:02' name='g2' ip='10.5.0.12'/>
            </dhcp>
          </ip>
          <portgroup name='a' default='yes'/>
          <portgroup name='b'/>
        </network>
        """;

    private static NetworkDefinition Actual => NetworkXml.Parse(Xml);

    private static LibvirtNetworkArgs Program(string hosts, string? ranges = null, string? dns = null, string? groups = null)
    {
        var dhcp = "{\"hosts\": [" + hosts + "]" + (ranges is null ? "" : ", \"ranges\": [" + ranges + "]") + "}";
        var json = "{\"name\": \"lan\", \"forward\": {\"mode\": \"nat\"}, \"ips\": [{\"address\": \"10.5.0.1\", \"prefix\": 24, \"dhcp\": " + dhcp + "}]"
            + (dns is null ? "" : ", \"dns\": {\"hosts\": [" + dns + "]}")
            + (groups is null ? "" : ", \"portGroups\": [" + groups + "]")
            + "}";
        return Bind(json);
    }

    private static LibvirtNetworkArgs Bind(string json)
    {
        var bound = PropertyBinder.Bind<LibvirtNetworkArgs>(NetworkHarness.Obj(json));
        Assert.True(bound.Ok, string.Join("; ", bound.Failures));
        return bound.Value;
    }

    private const string G1 = """{"mac": "52:54:00:aa:00:01", "name": "g1", "ip": "10.5.0.11"}""";
    private const string G2 = """{"mac": "52:54:00:aa:00:02", "name": "g2", "ip": "10.5.0.12"}""";

    private static string[] Ops(LibvirtNetworkArgs program, LibvirtNetworkArgs? old = null) =>
        [.. NetworkChanges.LiveUpdates(Actual, program, old).Select(o => $"{o.Command} {o.Section} {o.ParentIndex} {o.Xml.Replace('"', '\'')}")];

    [Fact]
    public void The_same_entries_in_another_order_or_spelling_change_nothing()
    {
        Assert.Empty(Ops(Program($"{G2}, {G1}")));
    }

    [Fact]
    public void Adding_a_dhcp_host_is_one_add_and_nothing_else()
    {
        var op = Assert.Single(Ops(Program($$"""{{G1}}, {{G2}}, {"mac": "52:54:00:aa:00:03", "ip": "10.5.0.13"}""")));
        Assert.Equal("AddLast IpDhcpHost 0 <host mac='52:54:00:aa:00:03' ip='10.5.0.13' />", op);
    }

    [Fact]
    public void Removing_a_dhcp_host_deletes_exactly_the_element_libvirt_holds()
    {
        var op = Assert.Single(Ops(Program(G2)));
        Assert.Equal("Delete IpDhcpHost 0 <host mac='52:54:00:AA:00:01' name='g1' ip='10.5.0.11' />", op);
    }

    [Fact]
    public void Changing_a_dhcp_host_address_modifies_it_in_place()
    {
        var op = Assert.Single(Ops(Program($$"""{"mac": "52:54:00:aa:00:01", "name": "g1", "ip": "10.5.0.21"}, {{G2}}""")));
        Assert.Equal("Modify IpDhcpHost 0 <host mac='52:54:00:AA:00:01' name='g1' ip='10.5.0.21' />", op);
    }

    [Fact]
    public void Swapping_two_addresses_never_modifies_into_an_address_another_entry_still_holds()
    {
        // libvirt modifies the first entry with the same mac, ip or name: g1 cannot take g2's address in place.
        var ops = Ops(Program("""{"mac": "52:54:00:aa:00:01", "name": "g1", "ip": "10.5.0.12"}, {"mac": "52:54:00:aa:00:02", "name": "g2", "ip": "10.5.0.11"}"""));
        Assert.Equal(
        [
            "Delete IpDhcpHost 0 <host mac='52:54:00:AA:00:01' name='g1' ip='10.5.0.11' />",
            "Modify IpDhcpHost 0 <host mac='52:54:00:aa:00:02' name='g2' ip='10.5.0.11' />",
            "AddLast IpDhcpHost 0 <host mac='52:54:00:AA:00:01' name='g1' ip='10.5.0.12' />",
        ], ops);
    }

    [Fact]
    public void Ranges_and_dns_hosts_cannot_be_modified_so_they_are_replaced()
    {
        var ops = Ops(Program($"{G1}, {G2}", ranges: """{"start": "10.5.0.100", "end": "10.5.0.150"}""",
            dns: """{"ip": "10.5.0.5", "hostnames": ["a", "b"]}"""));
        Assert.Equal(
        [
            "Delete IpDhcpRange 0 <range start='10.5.0.100' end='10.5.0.200' />",
            "AddLast IpDhcpRange 0 <range start='10.5.0.100' end='10.5.0.150' />",
            "Delete DnsHost -1 <host ip='10.5.0.5'>\n  <hostname>a</hostname>\n</host>",
            "AddLast DnsHost -1 <host ip='10.5.0.5'>\n  <hostname>a</hostname>\n  <hostname>b</hostname>\n</host>",
        ], ops.Select(o => o.Replace("\r", "")));
    }

    [Fact]
    public void Moving_the_default_portgroup_clears_the_old_default_first()
    {
        var ops = Ops(Program($"{G1}, {G2}", groups: """{"name": "a"}, {"name": "b", "isDefault": true}, {"name": "c"}"""));
        Assert.Equal(
        [
            "Modify PortGroup -1 <portgroup name='a' />",
            "AddLast PortGroup -1 <portgroup name='c' />",
            "Modify PortGroup -1 <portgroup name='b' default='yes' />",
        ], ops);
    }

    [Fact]
    public void Collections_the_program_does_not_set_are_left_alone_unless_it_used_to_set_them()
    {
        // dns and portGroups unset: not managed
        Assert.Empty(Ops(Program($"{G1}, {G2}")));
        // the program stopped setting portGroups and dns: they are emptied
        var old = Program($"{G1}, {G2}", dns: """{"ip": "10.5.0.5", "hostnames": ["a"]}""", groups: """{"name": "a", "isDefault": true}, {"name": "b"}""");
        Assert.Equal(
        [
            "Delete DnsHost -1 <host ip='10.5.0.5'>\n  <hostname>a</hostname>\n</host>",
            "Delete PortGroup -1 <portgroup name='a' default='yes' />",
            "Delete PortGroup -1 <portgroup name='b' />",
        ], Ops(Program($"{G1}, {G2}"), old).Select(o => o.Replace("\r", "")));
    }

    [Fact]
    public void Program_sets_follows_object_keys_and_stops_at_lists()
    {
        var news = PropertyBinder.Bind<LibvirtNetworkArgs>(NetworkHarness.Obj("""{"name": "n", "ips": [{"address": "10.0.0.1", "prefix": 24, "dhcp": {"hosts": []}}]}"""));
        Assert.True(NetworkChanges.ProgramSets(news, "ips[0].dhcp.hosts[3]"));
        Assert.True(NetworkChanges.ProgramSets(news, "ips[4].dhcp.hosts[0]"));
        Assert.False(NetworkChanges.ProgramSets(news, "dns.hosts[0]"));
        Assert.False(NetworkChanges.ProgramSets(news, "forward.nat"));
        Assert.True(NetworkChanges.ProgramSets(news, "name"));
    }
}

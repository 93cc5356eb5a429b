using System.Xml.Linq;

namespace Kvm.Libvirt.Tests.Xml;

public class NetworkXmlTests
{
    [Theory]
    [MemberData(nameof(NetworkXmlCases.All), MemberType = typeof(NetworkXmlCases))]
    public void Round_trip_keeps_model_and_document(string name, string xml)
    {
        var parsed = NetworkXml.Parse(xml);
        var written = NetworkXml.Format(parsed);
        var reparsed = NetworkXml.Parse(written);

        Assert.Equal(parsed, reparsed);
        XmlAssert.Equivalent(xml, written);
        Assert.NotNull(name);
    }

    [Fact]
    public void Parses_every_modelled_field()
    {
        Assert.Equal(NetworkXmlCases.FullModel, NetworkXml.Parse(NetworkXmlCases.Full));
    }

    [Fact]
    public void Built_model_writes_a_document_that_parses_back_to_it()
    {
        var written = NetworkXml.Format(NetworkXmlCases.FullModel);

        Assert.Equal(NetworkXmlCases.FullModel, NetworkXml.Parse(written));
        Assert.DoesNotContain("future-setting", written);
    }

    [Fact]
    public void The_bridges_mac_table_manager_and_firewall_zone_are_read_and_written()
    {
        var parsed = NetworkXml.Parse("<network><name>n</name><bridge name='virbr9' macTableManager='libvirt' zone='trusted'/></network>");
        Assert.Equal(("libvirt", "trusted"), (parsed.Bridge!.MacTableManager, parsed.Bridge.Zone));

        var built = NetworkXml.Parse(NetworkXml.Format(new NetworkDefinition { Name = "n", Bridge = new NetworkBridge { MacTableManager = "kernel", Zone = "libvirt" } }));
        Assert.Equal(("kernel", "libvirt"), (built.Bridge!.MacTableManager, built.Bridge.Zone));
    }

    [Fact]
    public void The_networks_ipv6_and_trust_switches_are_read_and_written()
    {
        var parsed = NetworkXml.Parse("<network ipv6='yes' trustGuestRxFilters='no'><name>n</name></network>");
        Assert.Equal((true, false), (parsed.Ipv6, parsed.TrustGuestRxFilters));

        var root = System.Xml.Linq.XElement.Parse(NetworkXml.Format(parsed with { Ipv6 = null, TrustGuestRxFilters = true }));
        Assert.Equal((null, "yes"), ((string?)root.Attribute("ipv6"), (string?)root.Attribute("trustGuestRxFilters")));
    }

    [Fact]
    public void Isolated_network_has_no_forward()
    {
        var network = NetworkXml.Parse(NetworkXmlCases.Isolated);

        Assert.Null(network.Forward);
        Assert.Equal(24, network.Ips.Single().Prefix);
        Assert.Null(network.Ips.Single().Family);
    }

    [Fact]
    public void Vlan_trunk_tags_and_native_modes()
    {
        var network = NetworkXml.Parse(NetworkXmlCases.OvsBridge);

        Assert.Equal(NetworkForwardMode.Bridge, network.Forward!.Mode);
        Assert.Equal(
            new Vlan { Trunk = true, Tags = [new VlanTag(10, VlanNativeMode.Untagged), new VlanTag(20), new VlanTag(30)] },
            network.Vlan);
        Assert.Equal(new VirtualPort { Type = "openvswitch" }, network.VirtualPort);
        Assert.Equal([new VlanTag(20)], network.PortGroups.Single().Vlan!.Tags);
    }

    [Fact]
    public void Implicit_nat_reads_as_nat_and_stays_implicit()
    {
        var network = NetworkXml.Parse(NetworkXmlCases.ImplicitNat);

        Assert.Equal(NetworkForwardMode.Nat, network.Forward!.Mode);
        Assert.Null(NetworkXml.ToElement(network).Element("forward")!.Attribute("mode"));

        var routed = network with { Forward = network.Forward with { Mode = NetworkForwardMode.Route } };
        Assert.Equal("route", NetworkXml.ToElement(routed).Element("forward")!.Attribute("mode")!.Value);
    }

    [Fact]
    public void Edits_change_only_what_they_name()
    {
        var network = NetworkXml.Parse(NetworkXmlCases.Full);
        var ipv4 = network.Ips[0];
        var edited = network with
        {
            Mtu = 1500,
            Bridge = network.Bridge! with { Stp = true },
            Ips =
            [
                ipv4 with
                {
                    Dhcp = ipv4.Dhcp! with
                    {
                        Hosts = [ipv4.Dhcp.Hosts[1], new DhcpHost { Mac = "52:54:00:00:00:03", Name = "vm3", Ip = "10.10.0.13" }],
                    },
                },
                network.Ips[1],
            ],
            PortGroups = [network.PortGroups[1]],
        };

        var root = NetworkXml.ToElement(edited);

        Assert.Equal("1500", root.Element("mtu")!.Attribute("size")!.Value);
        var bridge = root.Element("bridge")!;
        Assert.Equal("on", bridge.Attribute("stp")!.Value);
        Assert.Equal("libvirt", bridge.Attribute("macTableManager")!.Value);
        var dhcp = root.Elements("ip").First().Element("dhcp")!;
        Assert.Equal(["52:54:00:00:00:02", "52:54:00:00:00:03"], dhcp.Elements("host").Select(h => h.Attribute("mac")!.Value));
        // The first range's unmodelled lease and the ip's tftp are still there.
        Assert.NotNull(dhcp.Element("range")!.Element("lease"));
        Assert.NotNull(root.Elements("ip").First().Element("tftp"));
        Assert.Equal(["ops"], root.Elements("portgroup").Select(p => p.Attribute("name")!.Value));
        Assert.NotNull(root.Element("portgroup")!.Element("bandwidth"));
        Assert.Equal("ops-profile", root.Element("portgroup")!.Element("virtualport")!.Element("parameters")!.Attribute("profileid")!.Value);
        Assert.NotNull(root.Element("metadata"));
        Assert.NotNull(root.Element("route"));
        Assert.NotNull(root.Element("dns")!.Element("forwarder"));
        Assert.Equal(edited, NetworkXml.Parse(root.ToString()));
    }

    [Fact]
    public void Clearing_optional_fields_removes_their_elements_and_keeps_the_rest()
    {
        var network = NetworkXml.Parse(NetworkXmlCases.Full) with
        {
            Forward = null,
            Mtu = null,
            MacAddress = null,
            DomainName = null,
            Dns = null,
            PortGroups = [],
        };

        var root = NetworkXml.ToElement(network);

        Assert.Null(root.Element("forward"));
        Assert.Null(root.Element("mtu"));
        Assert.Null(root.Element("mac"));
        Assert.Null(root.Element("dns"));
        Assert.Empty(root.Elements("portgroup"));
        // The domain element also carried localOnly; clearing the name leaves that unmodelled attribute alone.
        Assert.Equal("yes", root.Element("domain")!.Attribute("localOnly")!.Value);
        Assert.NotNull(root.Element("metadata"));
        Assert.Equal(2, root.Elements("ip").Count());
    }

    [Fact]
    public void Parsing_does_not_touch_the_source_document()
    {
        var source = XElement.Parse(NetworkXmlCases.Full);
        var before = source.ToString();

        NetworkXml.ToElement(NetworkXml.Parse(source) with { Mtu = 1400, Ips = [] });

        Assert.Equal(before, source.ToString());
    }

    [Fact]
    public void Models_compare_by_value_not_by_origin()
    {
        var a = NetworkXml.Parse(NetworkXmlCases.Full);
        var b = NetworkXml.Parse(NetworkXmlCases.Full.Replace("level=\"1\"", "level=\"2\"", StringComparison.Ordinal));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a with { Ips = [a.Ips[0]] });
    }

    [Theory]
    [InlineData("<domain/>", "expected a <network>")]
    [InlineData("<network/>", "no <name>")]
    [InlineData("<network><name>x</name><forward mode='teleport'/></network>", "unknown value 'teleport'")]
    [InlineData("<network><name>x</name><mtu size='big'/></network>", "not an integer")]
    [InlineData("<network><name>x</name><bridge stp='maybe'/></network>", "expected on or off")]
    public void Malformed_documents_say_what_is_wrong(string xml, string message)
    {
        var e = Assert.Throws<FormatException>(() => NetworkXml.Parse(xml));
        Assert.Contains(message, e.Message);
    }
}

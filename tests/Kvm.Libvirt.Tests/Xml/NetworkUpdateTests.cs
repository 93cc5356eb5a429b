namespace Kvm.Libvirt.Tests.Xml;

public class NetworkUpdateTests
{
    [Fact]
    public void Dhcp_host_snippet()
    {
        var update = NetworkUpdate.ForDhcpHost(NetworkUpdateCommand.AddLast,
            new DhcpHost { Mac = "52:54:00:00:00:09", Name = "vm9", Ip = "10.10.0.19" });

        Assert.Equal(NetworkUpdateCommand.AddLast, update.Command);
        Assert.Equal(NetworkUpdateSection.IpDhcpHost, update.Section);
        Assert.Equal(-1, update.ParentIndex);
        XmlAssert.Equivalent("<host mac='52:54:00:00:00:09' name='vm9' ip='10.10.0.19'/>", update.Xml);
    }

    [Fact]
    public void Parsed_dhcp_host_keeps_unmodelled_attributes_in_its_snippet()
    {
        var host = NetworkXml.Parse(NetworkXmlCases.Full).Ips[1].Dhcp!.Hosts[0];

        var update = NetworkUpdate.ForDhcpHost(NetworkUpdateCommand.Delete, host, ipIndex: 1);

        Assert.Equal(1, update.ParentIndex);
        XmlAssert.Equivalent("<host id='0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63' name='vm6' ip='2001:db8:ca2:2::61'/>", update.Xml);
    }

    [Fact]
    public void Dns_host_snippet()
    {
        var update = NetworkUpdate.ForDnsHost(NetworkUpdateCommand.Modify, new DnsHost("10.0.0.5", ["a", "a.example"]));

        Assert.Equal(NetworkUpdateSection.DnsHost, update.Section);
        Assert.Equal(NetworkUpdateCommand.Modify, update.Command);
        XmlAssert.Equivalent("<host ip='10.0.0.5'><hostname>a</hostname><hostname>a.example</hostname></host>", update.Xml);
    }

    [Fact]
    public void Portgroup_snippet()
    {
        var update = NetworkUpdate.ForPortGroup(NetworkUpdateCommand.AddFirst, new NetworkPortGroup
        {
            Name = "blue",
            IsDefault = true,
            Vlan = new Vlan { Trunk = true, Tags = [new VlanTag(10, VlanNativeMode.Untagged), new VlanTag(11)] },
        });

        Assert.Equal(NetworkUpdateSection.PortGroup, update.Section);
        XmlAssert.Equivalent(
            "<portgroup name='blue' default='yes'><vlan trunk='yes'><tag id='10' nativeMode='untagged'/><tag id='11'/></vlan></portgroup>",
            update.Xml);
    }

    [Fact]
    public void Dhcp_range_snippet()
    {
        var update = NetworkUpdate.ForDhcpRange(NetworkUpdateCommand.Delete, new DhcpRange("10.0.0.10", "10.0.0.20"), 0);

        Assert.Equal(NetworkUpdateSection.IpDhcpRange, update.Section);
        XmlAssert.Equivalent("<range start='10.0.0.10' end='10.0.0.20'/>", update.Xml);
    }

    [Fact]
    public void Extension_passes_the_update_through_to_the_network()
    {
        var network = new Moq.Mock<ILibvirtNetwork>(Moq.MockBehavior.Strict);
        var update = NetworkUpdate.ForDnsHost(NetworkUpdateCommand.AddLast, new DnsHost("10.0.0.5", ["a"]));
        network.Setup(n => n.Update(NetworkUpdateCommand.AddLast, NetworkUpdateSection.DnsHost, -1, update.Xml,
            NetworkUpdateFlags.Live | NetworkUpdateFlags.Config));

        network.Object.Update(update, NetworkUpdateFlags.Live | NetworkUpdateFlags.Config);

        network.VerifyAll();
    }
}

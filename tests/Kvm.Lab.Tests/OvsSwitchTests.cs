using System.Text.RegularExpressions;
using Kvm.Lab;

namespace Kvm.Lab.Tests;

[Collection(LabCollection.Name)]
public sealed class OvsSwitchTests
{
    [Fact]
    public void Bridge_on_the_userspace_datapath_appears_in_the_namespace()
    {
        using var ovs = OvsSwitch.Start();
        ovs.AddBridge("ovsbr0");
        Assert.Equal("netdev", ovs.Vsctl("get", "bridge", "ovsbr0", "datapath_type").Trim().Trim('"'));
        Assert.Contains("ovsbr0", ovs.Vsctl("list-br"));
        Assert.NotNull(ovs.Namespace.Link("ovsbr0"));
        Assert.False(Directory.Exists("/run/openvswitch") && File.Exists("/run/openvswitch/db.sock"),
            "the host must have no Open vSwitch socket of ours");
    }

    [Fact]
    public void A_restarted_vswitchd_makes_a_forgotten_internal_port_again_down_and_without_addresses()
    {
        using var ovs = OvsSwitch.Start();
        ovs.AddBridge("ovsbr0");
        ovs.Namespace.Ip("link", "set", "ovsbr0", "up");
        ovs.Namespace.Ip("addr", "add", "192.168.90.1/24", "dev", "ovsbr0");
        var before = Poll.ReadPid(ovs.VswitchdPidFile)!.Value;
        var ifindex = ovs.Namespace.Link("ovsbr0")!.Value.GetProperty("ifindex").GetInt32();

        ovs.RestartVswitchd("ovsbr0");

        Assert.False(Poll.Alive(before));
        var after = Poll.ReadPid(ovs.VswitchdPidFile)!.Value;
        Assert.NotEqual(before, after);
        Assert.True(Poll.Alive(after));
        Poll.Until(() => ovs.Namespace.Link("ovsbr0") is not null, TimeSpan.FromSeconds(30), "ovs-vswitchd to make ovsbr0 again", () => Poll.Tail(ovs.LogPath));
        var link = ovs.Namespace.Link("ovsbr0")!.Value;
        Assert.NotEqual(ifindex, link.GetProperty("ifindex").GetInt32());
        Assert.DoesNotContain("UP", link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Empty(ovs.Namespace.Addresses("ovsbr0"));
        Assert.Contains("ovsbr0", ovs.Vsctl("list-br"));   // the database kept it
    }

    [Fact]
    public void Libvirt_guest_with_openvswitch_virtualport_and_vlan_gets_the_tag_on_its_port()
    {
        using var ns = LabNamespace.CreateLab();
        using var ovs = OvsSwitch.Start(ns);
        using var lv = PrivateLibvirtd.Start(ns);
        ovs.AddBridge("ovsbr0");
        lv.VirshXml("create", LabDomains.Tiny("tagged", """
            <interface type='bridge'>
              <source bridge='ovsbr0'/>
              <virtualport type='openvswitch'/>
              <vlan><tag id='10'/></vlan>
              <model type='virtio'/>
              <rom enabled='no'/>
            </interface>
            """));
        var port = lv.Virsh("domiflist", "tagged").Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith("vnet", port);
        var list = ovs.Vsctl("list", "port", port);
        Assert.Matches(new Regex(@"^tag\s*:\s*10$", RegexOptions.Multiline), list);
        Assert.Equal("10", ovs.Vsctl("get", "port", port, "tag").Trim());

        lv.Virsh("destroy", "tagged");
        Poll.Until(() => !ovs.Vsctl("list-ports", "ovsbr0").Contains(port, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "libvirt to remove the port");
    }
}

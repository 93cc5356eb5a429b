using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// An OvsBridge on a remote host, through the plugin on a workstation: the agent opens the host's own
/// ovsdb-server socket (/run/openvswitch/db.sock there), as it opens the host's netlink and libvirt.
/// </summary>
public sealed class RemoteOvsBridgeTests
{
    private const string OvsBridge = OvsBridgeLifecycleTests.OvsBridge;

    [Fact]
    public async Task Preview_up_drift_import_destroy_on_the_host_s_open_vswitch_and_nothing_on_the_workstation()
    {
        using var lab = RemoteLab.Create(1, ovs: true);
        var h1 = lab.Hosts[0];
        var ovs = h1.Ovs!;
        h1.Namespace.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        var workstationBefore = RemoteStacks.NetworkingOf(lab.Workstation);

        // No ovsdbSocket: the host's default, which in the lab is the host's private /run/openvswitch/db.sock.
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        var sw = Res(OvsBridge, "sw", """{"name": "ovs-remote", "datapathType": "netdev", "ports": [{"name": "eth1", "vlanMode": "trunk", "trunks": [10, 20]}, {"name": "mgmt", "type": "internal", "tag": 10}]}""");
        Assert.Equal(StepOp.Create, (await stack.PreviewAsync(sw)).EnsureOk()["sw"].Op);
        Assert.Equal("", ovs.Vsctl("list-br").Trim());

        (await stack.UpAsync(sw)).EnsureOk();
        Assert.Equal("[10, 20]", ovs.Vsctl("get", "port", "eth1", "trunks").Trim());
        Assert.Equal("10", ovs.Vsctl("get", "port", "mgmt", "tag").Trim());
        Assert.Equal("ovs-remote\n", lab.Ssh(h1, "ovs-vsctl", "list-br").StdOut);   // what the host's user sees over ssh
        Assert.All((await stack.UpAsync(sw)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        lab.Ssh(h1, "ovs-vsctl", "set", "port", "mgmt", "tag=11");
        Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["sw"].Op);
        Assert.Equal(11, (int)stack["sw"].Output("ports[1].tag")!.NumberValue);
        (await stack.UpAsync(sw)).EnsureOk();
        Assert.Equal("10", ovs.Vsctl("get", "port", "mgmt", "tag").Trim());

        stack.Forget("sw");
        var imported = await stack.ImportAsync(OvsBridge, "sw", "ovs-remote");
        Assert.True(imported.Ok, imported["sw"].Error);
        Assert.All((await stack.PreviewAsync(sw)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        (await stack.DestroyAsync()).EnsureOk();
        Assert.Equal("", ovs.Vsctl("list-br").Trim());
        Assert.Equal(workstationBefore, RemoteStacks.NetworkingOf(lab.Workstation));
    }
}

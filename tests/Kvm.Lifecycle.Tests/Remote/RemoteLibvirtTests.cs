using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// LibvirtNetwork and Domain on remote hosts, each with its own private libvirtd: the plugin on the
/// workstation reaches them only over ssh, and one program manages two hosts with two providers.
/// </summary>
public sealed class RemoteLibvirtTests(ITestOutputHelper output)
{
    private const string Bridge = "kvm:index:Bridge", Network = "kvm:index:LibvirtNetwork", Domain = "kvm:index:Domain";

    private static string IsolatedNetwork(string name, string hosts = "") =>
        $$$"""{"name": "{{{name}}}", "bridge": {"stp": false}, "ips": [{"address": "10.88.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.88.0.100", "end": "10.88.0.200"}], "hosts": [{{{hosts}}}]}}]}""";

    /// <summary>A diskless TCG guest idling in its firmware; <paramref name="more"/> adds properties.</summary>
    private static string Guest(string name, string nic, string more = "") =>
        $$"""{"name": "{{name}}", "type": "qemu", "memoryMib": 128, "vcpus": 1, "machine": "q35", "shutdownTimeoutSeconds": 0, "interfaces": [{{nic}}]{{more}}}""";

    private static string BridgeNic(string bridge, string more = "") => $$"""{"type": "bridge", "bridge": "{{bridge}}", "model": "virtio", "bootRom": false{{more}}}""";

    [Fact]
    public async Task Network_and_guest_on_a_remote_host_live_changes_drift_import_destroy()
    {
        using var lab = RemoteLab.Create(1, libvirt: true);
        var h1 = lab.Hosts[0];
        var lv = h1.Libvirtd!;
        var workstationBefore = RemoteStacks.NetworkingOf(lab.Workstation);
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        try
        {
            var br = Res(Bridge, "br", """{"name": "br-g", "stp": false}""");
            var net = Res(Network, "net", IsolatedNetwork("iso"));
            var guest = Res(Domain, "g", Guest("g1", BridgeNic("${br.name}")));
            (await stack.UpAsync(br, net, guest)).EnsureOk();
            Assert.Contains("iso", lv.Virsh("net-list", "--name"));
            Assert.Equal("running", lv.Virsh("domstate", "g1").Trim());
            var tap = stack["g"].Output("interfaces[0].targetDevice")!.StringValue;
            Assert.Equal("br-g", h1.Namespace.Link(tap)!.Value.GetProperty("master").GetString());
            var domainId = lv.Virsh("domid", "g1").Trim();

            // Live changes on the host: a static DHCP lease (no network restart) and the NIC's link state (no guest restart).
            var dnsmasq = lv.Mounts.Check("cat", "/run/libvirt/network/iso.pid").Trim();
            net = Res(Network, "net", IsolatedNetwork("iso", """{"mac": "52:54:00:88:00:01", "name": "web", "ip": "10.88.0.11"}"""));
            guest = Res(Domain, "g", Guest("g1", BridgeNic("${br.name}", """, "linkState": "down" """)));
            // The preview's classification comes from the host, through the engine log, as a local one's does.
            (await stack.PreviewAsync(br, net, guest)).EnsureOk();
            Assert.Contains(stack.Engine.Logs, l => l.Message == "kvm:live ips[0].dhcp.hosts[0]: applied to the running network without a restart");
            Assert.Contains(stack.Engine.Logs, l => l.Message == "kvm:live interfaces[0].linkState: applied to the running guest");
            (await stack.UpAsync(br, net, guest)).EnsureOk();
            Assert.Contains("52:54:00:88:00:01", lv.Virsh("net-dumpxml", "iso"));
            Assert.Equal(dnsmasq, lv.Mounts.Check("cat", "/run/libvirt/network/iso.pid").Trim());
            Assert.Equal(domainId, lv.Virsh("domid", "g1").Trim());
            Assert.Contains("down", lv.Virsh("domif-getlink", "g1", tap));

            // Drift made with virsh on the host, found by refresh.
            lv.Virsh("domif-setlink", "g1", tap, "up");
            Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["g"].Op);
            Assert.Equal(["interfaces"], (await stack.PreviewAsync(br, net, guest)).EnsureOk()["g"].Diff!.Diffs);

            // A guest defined by hand on the host is imported with an empty diff.
            lv.VirshXml("define", LabDomains.Tiny("hand", "<interface type='bridge'><source bridge='br-g'/><model type='virtio'/><rom enabled='no'/></interface>"));
            var imported = await stack.ImportAsync(Domain, "hand", "hand");
            Assert.True(imported.Ok, imported["hand"].Error);

            (await stack.DestroyAsync()).EnsureOk();
            Assert.Equal("", lv.Virsh("list", "--all", "--name").Trim());
            Assert.DoesNotContain("iso", lv.Virsh("net-list", "--all", "--name"));
            Assert.Null(h1.Namespace.Link("br-g"));
            Assert.Equal(workstationBefore, RemoteStacks.NetworkingOf(lab.Workstation));
        }
        finally
        {
            output.WriteLine(stack.Provider.Stderr);
        }
    }

    [Fact]
    public async Task A_guest_vlan_on_a_linux_bridge_installs_the_qemu_hook_on_the_host_not_the_workstation()
    {
        using var lab = RemoteLab.Create(1, libvirt: true);
        var h1 = lab.Hosts[0];
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        var br = Res(Bridge, "br", """{"name": "br-v", "stp": false}""");
        // This kernel has no bridge VLAN filtering, so the guest cannot start on its VLAN (the kernel VM shows
        // the working case); the hook is installed before the start all the same, on the host.
        var run = await stack.UpAsync(br, Res(Domain, "g", Guest("v1", BridgeNic("${br.name}", """, "vlan": {"tags": [10]}"""))));
        output.WriteLine(run["g"].Error);
        Assert.StartsWith("on h1: ", run["g"].Error);
        Assert.True(File.Exists(h1.Mounts.HostPath("/etc/libvirt/hooks/qemu.d/pulumi-kvm-guest-vlans")));
        Assert.Equal(File.ReadAllBytes(RepoPaths.ProviderBinary), File.ReadAllBytes(h1.Mounts.HostPath("/etc/libvirt/hooks/pulumi-kvm/pulumi-resource-kvm")));
        Assert.False(File.Exists(lab.Workstation.Mounts.HostPath("/etc/libvirt/hooks/qemu.d/pulumi-kvm-guest-vlans")));
    }

    [Fact]
    public async Task Two_hosts_in_one_program_each_resource_lives_on_its_own_host()
    {
        using var lab = RemoteLab.Create(2, libvirt: true, ports: [22, 2222]);
        var (h1, h2) = (lab.Hosts[0], lab.Hosts[1]);
        var workstationBefore = RemoteStacks.NetworkingOf(lab.Workstation);
        // Two explicit providers, as a program with `new Kvm.Provider("h1", ...)` and `new Kvm.Provider("h2", ...)`:
        // one by its ~/.ssh/config alias, one by destination (user@address:port).
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        await stack.AddProviderAsync("h2", RemoteStacks.Config(h2.Destination), placement: RemoteStacks.Workstation(lab));
        try
        {
            ResourceDecl[] program =
            [
                Res(Bridge, "br1", """{"name": "br0", "mtu": 1400}"""),
                Res(Bridge, "br2", """{"name": "br0", "mtu": 1300}""") with { Provider = "h2" },
                Res(Network, "net1", IsolatedNetwork("lab")),
                Res(Network, "net2", IsolatedNetwork("lab")) with { Provider = "h2" },
                Res(Domain, "g2", Guest("g2", BridgeNic("${br2.name}"))) with { Provider = "h2" },
            ];
            (await stack.UpAsync(program)).EnsureOk();
            Assert.Equal(1400, h1.Namespace.Link("br0")!.Value.GetProperty("mtu").GetInt32());
            Assert.Equal(1300, h2.Namespace.Link("br0")!.Value.GetProperty("mtu").GetInt32());
            Assert.Null(lab.Workstation.Link("br0"));
            Assert.Contains("lab", h1.Libvirtd!.Virsh("net-list", "--name"));
            Assert.Contains("lab", h2.Libvirtd!.Virsh("net-list", "--name"));
            Assert.Equal("", h1.Libvirtd.Virsh("list", "--all", "--name").Trim());
            Assert.Equal("running", h2.Libvirtd.Virsh("domstate", "g2").Trim());
            // Each plugin process keeps one session to its host, whatever the number of operations.
            Assert.Single(RemoteStacks.Processes(h1.Namespace, ".pulumi-kvm/bin/pulumi-resource-kvm-"));
            Assert.Single(RemoteStacks.Processes(h2.Namespace, ".pulumi-kvm/bin/pulumi-resource-kvm-"));

            // Drift on one host shows on that host's resource only.
            h2.Namespace.Ip("link", "set", "br0", "mtu", "1280");
            var refresh = await stack.RefreshAsync();
            Assert.Equal(StepOp.Same, refresh["br1"].Op);
            Assert.Equal(StepOp.Refresh, refresh["br2"].Op);

            (await stack.DestroyAsync()).EnsureOk();
            Assert.Null(h1.Namespace.Link("br0"));
            Assert.Null(h2.Namespace.Link("br0"));
            Assert.Equal("", h2.Libvirtd.Virsh("list", "--all", "--name").Trim());
            Assert.Equal(workstationBefore, RemoteStacks.NetworkingOf(lab.Workstation));
        }
        finally
        {
            foreach (var (name, p) in stack.Providers) output.WriteLine($"--- {name}\n{p.Stderr}");
        }
    }
}

using System.Text.Json;
using Kvm.Lab;
using Xunit.Abstractions;

namespace Kvm.Lab.Tests;

[Collection(LabCollection.Name)]
public sealed class PrivateLibvirtdTests(ITestOutputHelper output)
{
    [Fact]
    public void Starts_in_its_namespace_with_private_state_and_leaves_the_host_alone()
    {
        var hostEtc = Snapshot("/etc/libvirt");
        var hostRunExists = Directory.Exists("/run/libvirt");
        var defaultLinks = Leftovers.DefaultLinks();
        int libvirtdPid;
        string nsName;
        using (var lv = PrivateLibvirtd.Start())
        {
            output.WriteLine($"libvirtd answered after {lv.StartupTime.TotalSeconds:0.00} s");
            nsName = lv.Namespace.Name;
            Assert.StartsWith($"qemu:///system?socket={lv.Mounts.StateDir}/", lv.Uri);
            Assert.True(File.Exists(lv.SocketPath));
            Assert.Contains("QEMU", lv.Virsh("version"));

            libvirtdPid = Poll.ReadPid(Path.Combine(lv.Mounts.StateDir, "run/libvirt/libvirtd.pid")) ?? 0;
            Assert.True(Poll.Alive(libvirtdPid));
            Assert.Equal(Leftovers.NetNsOf(lv.Namespace), Leftovers.NetNs(libvirtdPid));

            // Its /etc/libvirt, hooks folder included, is the private copy.
            Assert.Equal(Path.Combine(lv.Mounts.StateDir, "etc/libvirt/hooks"), lv.HooksDir);
            Assert.True(Directory.Exists(lv.HooksDir));
            Assert.Contains("user = \"root\"", File.ReadAllText(Path.Combine(lv.Mounts.StateDir, "etc/libvirt/qemu.conf")));
        }
        Assert.False(Poll.Alive(libvirtdPid));
        Assert.DoesNotContain(nsName, Shell.Check("ip", "netns", "list"));
        Assert.Equal(hostEtc, Snapshot("/etc/libvirt"));
        Assert.Equal(hostRunExists, Directory.Exists("/run/libvirt"));
        Assert.Equal(defaultLinks, Leftovers.DefaultLinks());
    }

    [Fact]
    public void Isolated_network_with_dhcp_runs_its_dnsmasq_in_the_namespace_and_gives_a_lease()
    {
        using var lv = PrivateLibvirtd.Start();
        var ns = lv.Namespace;
        lv.VirshXml("net-define", """
            <network>
              <name>iso</name>
              <bridge name='kvl-iso0' stp='off' delay='0'/>
              <ip address='198.51.100.1' prefix='24'>
                <dhcp><range start='198.51.100.10' end='198.51.100.20'/></dhcp>
              </ip>
            </network>
            """);
        lv.Virsh("net-start", "iso");
        Assert.Contains("yes", lv.Virsh("net-info", "iso").Split('\n').Single(l => l.StartsWith("Active:", StringComparison.Ordinal)));
        Assert.NotNull(ns.Link("kvl-iso0"));

        var dnsmasq = Poll.ReadPid(lv.Mounts.HostPath("/run/libvirt/network/iso.pid"));
        Assert.NotNull(dnsmasq);
        Assert.Contains("dnsmasq", File.ReadAllText($"/proc/{dnsmasq}/cmdline"));
        Assert.Equal(Leftovers.NetNsOf(ns), Leftovers.NetNs(dnsmasq.Value));

        // A client on the network (a veth whose peer is a port of the bridge) gets a lease.
        ns.Ip("link", "add", "kvl-c", "type", "veth", "peer", "name", "kvl-cb");
        ns.Ip("link", "set", "kvl-cb", "master", "kvl-iso0", "up");
        ns.Ip("link", "set", "kvl-c", "up");
        var dhcp = ns.Exec("busybox", "udhcpc", "-i", "kvl-c", "-n", "-q", "-f", "-t", "30", "-T", "1", "-s", "/bin/true");
        output.WriteLine(dhcp.StdErr + dhcp.StdOut);
        Assert.Equal(0, dhcp.ExitCode);
        Assert.Matches(@"lease of 198\.51\.100\.(1\d|20) obtained", dhcp.StdErr + dhcp.StdOut);
    }

    [Fact]
    public void Bridge_mode_network_on_a_bridge_of_the_namespace_starts()
    {
        using var lv = PrivateLibvirtd.Start();
        lv.Namespace.Ip("link", "add", "kvl-br0", "type", "bridge");
        lv.Namespace.Ip("link", "set", "kvl-br0", "up");
        lv.VirshXml("net-define", "<network><name>host-bridge</name><forward mode='bridge'/><bridge name='kvl-br0'/></network>");
        lv.Virsh("net-start", "host-bridge");
        Assert.Equal("host-bridge", lv.Virsh("net-list", "--name").Trim());
    }

    [Fact]
    public void Tiny_guest_starts_and_its_tap_joins_the_namespace_bridge_until_destroyed()
    {
        using var lv = PrivateLibvirtd.Start();
        var ns = lv.Namespace;
        ns.Ip("link", "add", "kvl-br0", "type", "bridge");
        ns.Ip("link", "set", "kvl-br0", "up");
        lv.VirshXml("create", LabDomains.Tiny("tiny",
            "<interface type='bridge'><source bridge='kvl-br0'/><model type='virtio'/><rom enabled='no'/></interface>"));

        Assert.Equal("tiny", lv.Virsh("list", "--name").Trim());
        var tap = lv.Virsh("domiflist", "tiny").Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith("vnet", tap);
        var link = ns.Link(tap);
        Assert.NotNull(link);
        Assert.Equal("kvl-br0", link.Value.GetProperty("master").GetString());

        var qemu = Poll.ReadPid(lv.Mounts.HostPath("/run/libvirt/qemu/tiny.pid"));
        Assert.NotNull(qemu);
        Assert.Equal(Leftovers.NetNsOf(ns), Leftovers.NetNs(qemu.Value));

        lv.Virsh("destroy", "tiny");
        Poll.Until(() => !Poll.Alive(qemu.Value), TimeSpan.FromSeconds(60), "qemu to end");
        Assert.Null(ns.Link(tap));
    }

    [Fact]
    public void A_hook_installed_in_the_private_hooks_folder_runs_after_a_restart()
    {
        using var lv = PrivateLibvirtd.Start();
        lv.Namespace.Ip("link", "add", "kvl-br0", "type", "bridge");
        // The hook runs inside the lab mount namespace: /var/log/libvirt is private there too.
        var hook = Path.Combine(lv.HooksDir, "qemu");
        File.WriteAllText(hook, "#!/bin/sh\necho \"$1 $2 $3\" >> /var/log/libvirt/kvmlab-hook.log\n");
        Shell.Check("chmod", "755", hook);
        lv.Restart();

        lv.VirshXml("create", LabDomains.Tiny("hooked",
            "<interface type='bridge'><source bridge='kvl-br0'/><model type='virtio'/><rom enabled='no'/></interface>"));
        var log = lv.Mounts.HostPath("/var/log/libvirt/kvmlab-hook.log");
        Assert.Contains("hooked prepare begin", File.ReadAllText(log));
        lv.Virsh("destroy", "hooked");
        Poll.Until(() => File.ReadAllText(log).Contains("hooked release end", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the release hook");
    }

    [Fact]
    public void Two_daemons_in_a_row_reuse_the_capability_cache()
    {
        // Not a timed assertion: both must simply work; the times are reported.
        using (var first = PrivateLibvirtd.Start())
            output.WriteLine($"first start: {first.StartupTime.TotalSeconds:0.00} s");
        var caps = Directory.GetFiles(Path.Combine(LabPaths.Cache, "libvirt-qemu-capabilities"), "*.xml");
        Assert.NotEmpty(caps);
        using var second = PrivateLibvirtd.Start();
        output.WriteLine($"second start: {second.StartupTime.TotalSeconds:0.00} s");
        Assert.Contains("x86_64", second.Virsh("domcapabilities", "--virttype", "qemu", "--arch", "x86_64"));
    }

    [Fact]
    public void A_failing_test_body_still_removes_namespace_and_daemons()
    {
        string? ns = null;
        int pid = 0;
        var ex = Assert.Throws<InvalidOperationException>(() =>
        {
            using var lv = PrivateLibvirtd.Start();
            ns = lv.Namespace.Name;
            pid = Poll.ReadPid(lv.Mounts.HostPath("/run/libvirt/libvirtd.pid")) ?? 0;
            lv.Virsh("net-start", "no-such-network");
        });
        output.WriteLine(ex.Message);
        Assert.NotNull(ns);
        Assert.DoesNotContain(ns, Shell.Check("ip", "netns", "list"));
        Assert.False(Poll.Alive(pid));
    }

    private static string Snapshot(string dir) =>
        !Directory.Exists(dir) ? "(none)" : string.Join("\n",
            Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => $"{f} {(File.Exists(f) ? new FileInfo(f).Length : -1)} {File.GetLastWriteTimeUtc(f):O}"));
}

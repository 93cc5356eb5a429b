using Kvm.Lab;

namespace Kvm.Lab.Tests;

[Collection(LabCollection.Name)]
public sealed class LabCleanupTests
{
    [Fact]
    public void Disposing_the_namespace_ends_libvirtd_ovs_and_guests_started_in_it()
    {
        List<int> pids;
        string name;
        using (var ns = LabNamespace.CreateLab())
        {
            name = ns.Name;
            var ovs = OvsSwitch.Start(ns);
            var lv = PrivateLibvirtd.Start(ns);
            ns.Ip("link", "add", "kvl-br0", "type", "bridge");
            lv.VirshXml("create", LabDomains.Tiny("left", "<interface type='bridge'><source bridge='kvl-br0'/><model type='virtio'/><rom enabled='no'/></interface>"));
            pids = Shell.Check("ip", "netns", "pids", ns.Name).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.True(pids.Count >= 6, $"holder, virtlogd, libvirtd, qemu, ovsdb-server, ovs-vswitchd: {string.Join(' ', pids)}");
            // ovs and lv are deliberately not disposed: the namespace must end what runs in it.
            GC.KeepAlive(ovs);
        }
        Assert.All(pids, p => Assert.False(Poll.Alive(p), $"pid {p} still runs"));
        Assert.DoesNotContain(name, Shell.Check("ip", "netns", "list"));
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), name)));
    }

    [Fact]
    public void Fixtures_in_a_shared_namespace_stop_their_daemons_and_a_second_pair_starts_clean()
    {
        using var ns = LabNamespace.CreateLab();
        int libvirtd, vswitchd;
        using (var ovs = OvsSwitch.Start(ns))
        using (var lv = PrivateLibvirtd.Start(ns))
        {
            ovs.AddBridge("ovsbr0");
            lv.VirshXml("net-define", "<network><name>first</name><bridge name='kvl-first'/></network>");
            libvirtd = Poll.ReadPid(lv.Mounts.HostPath("/run/libvirt/libvirtd.pid")) ?? 0;
            vswitchd = Poll.ReadPid(ovs.Mounts.HostPath("/run/openvswitch/ovs-vswitchd.pid")) ?? 0;
        }
        Assert.False(Poll.Alive(libvirtd));
        Assert.False(Poll.Alive(vswitchd));
        Assert.Contains(ns.Name, Shell.Check("ip", "netns", "list"));

        using var ovs2 = OvsSwitch.Start(ns);
        using var lv2 = PrivateLibvirtd.Start(ns);
        Assert.Equal("", ovs2.Vsctl("list-br").Trim());
        Assert.Equal("", lv2.Virsh("net-list", "--all", "--name").Trim());
    }

    [Fact]
    public void The_sweep_removes_what_a_dead_owner_left_and_nothing_else()
    {
        // A pid that has certainly ended: a finished child of ours.
        int dead;
        using (var p = System.Diagnostics.Process.Start("true")!)
        {
            p.WaitForExit();
            dead = p.Id;
        }
        Assert.False(Directory.Exists($"/proc/{dead}"));
        var staleNs = $"{LabSetup.Prefix}-{dead}-deadbeef";
        var staleDir = Path.Combine(Path.GetTempPath(), staleNs);
        using var live = LabNamespace.CreateLab();
        try
        {
            Shell.Check("ip", "netns", "add", staleNs);
            // A process left running inside, as a crashed run would leave a daemon.
            var pid = int.Parse(Shell.Check("ip", "netns", "exec", staleNs, "sh", "-c", "sleep 600 </dev/null >/dev/null 2>&1 & echo $!").Trim(),
                System.Globalization.CultureInfo.InvariantCulture);
            Directory.CreateDirectory(Path.Combine(staleDir, "run"));

            Shell.Run("sh", LabPaths.Script("lab-sweep.sh")).EnsureSuccess("lab-sweep.sh");

            var list = Shell.Check("ip", "netns", "list");
            Assert.DoesNotContain(staleNs, list);
            Assert.Contains(live.Name, list);
            Assert.False(Poll.Alive(pid));
            Assert.False(Directory.Exists(staleDir));
        }
        finally
        {
            Shell.Run("ip", "netns", "delete", staleNs);
            Shell.Run("rm", "-rf", staleDir);
        }
    }
}

using System.Text;
using System.Text.Json;
using Kvm.Lab;
using Xunit.Abstractions;

namespace Kvm.Lab.Tests;

[Collection(LabCollection.Name)]
public sealed class KernelVmTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void Bridge_vlan_filtering_works_inside_and_bridge_json_reports_it()
    {
        var r = KernelVm.Run("""
            set -e
            ip link add br0 type bridge vlan_filtering 1
            ip link add d0 type dummy
            ip link set d0 master br0
            ip link add link d0 name d0.20 type vlan id 20
            bridge vlan add dev d0 vid 10 pvid untagged
            bridge vlan add dev d0 vid 20-22
            bridge vlan add dev br0 vid 10 self
            bridge -j vlan show
            """, Timeout);
        output.WriteLine($"VM run took {r.Elapsed.TotalSeconds:0.0} s");
        Assert.True(r.ExitCode == 0, r.Output);

        var ports = JsonDocument.Parse(r.Output.Trim()).RootElement;
        var d0 = ports.EnumerateArray().Single(p => p.GetProperty("ifname").GetString() == "d0").GetProperty("vlans");
        var v10 = d0.EnumerateArray().Single(v => v.GetProperty("vlan").GetInt32() == 10);
        var flags = v10.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Contains("PVID", flags);
        Assert.Contains("Egress Untagged", flags);
        // The range 20-22 is reported vid by vid (tagged: no flags).
        Assert.Equal([20, 21, 22], d0.EnumerateArray().Select(v => v.GetProperty("vlan").GetInt32()).Where(v => v >= 20).ToArray());
        var br0 = ports.EnumerateArray().Single(p => p.GetProperty("ifname").GetString() == "br0").GetProperty("vlans");
        Assert.Contains(br0.EnumerateArray(), v => v.GetProperty("vlan").GetInt32() == 10);
    }

    [Fact]
    public void Host_binaries_run_inside_and_exit_codes_and_both_streams_come_back()
    {
        var r = KernelVm.Run("""
            /bin/true || exit 90
            busybox true || exit 91                  # statically linked
            ip -V                                    # dynamically linked, from the host root
            echo to-stdout
            echo to-stderr >&2
            echo written > ./result.txt && cat ./result.txt   # the job folder is writable
            if touch /usr/kvmlab-must-fail 2>/dev/null; then exit 92; fi   # the host root is not
            ip -o link show | cut -d: -f2 | tr -d ' '
            echo "hardware-nics: $(ls -d /sys/class/net/*/device 2>/dev/null | wc -l)"
            exit 7
            """, Timeout);
        output.WriteLine(r.Output);
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("iproute2", r.Output);
        Assert.Contains("to-stdout", r.Output);
        Assert.Contains("to-stderr", r.Output);
        Assert.Contains("written", r.Output);
        // No network device besides loopback (and no hardware NIC at all): the VM is never connected to the host.
        Assert.Equal("lo", r.Output.Split('\n').SkipWhile(l => l != "written").Skip(1).First().Trim());
        Assert.Contains("hardware-nics: 0", r.Output);
        Assert.DoesNotContain("reboot: Power down", r.Output);
        Assert.False(File.Exists("/usr/kvmlab-must-fail"));
    }

    [Fact]
    public void The_dotnet_host_of_this_machine_runs_inside()
    {
        // The native dotnet host (no JIT) runs at a usable speed; managed code would be 40-50x slower.
        var dotnet = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "../../../dotnet"));
        Assert.True(File.Exists(dotnet), dotnet);
        var r = KernelVm.Run($"'{dotnet}' --list-runtimes", Timeout);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("Microsoft.NETCore.App", r.Output);
    }

    [Fact]
    public void A_long_script_is_not_limited_by_the_kernel_command_line()
    {
        var sb = new StringBuilder("n=0\n");
        for (var i = 0; i < 3000; i++) sb.Append("n=$((n + 1)) # padding padding padding padding\n");
        sb.Append("echo \"count=$n\"\n");
        var r = KernelVm.Run(sb.ToString(), Timeout);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("count=3000", r.Output.Trim());
    }

    [Fact]
    public void Modules_for_vlan_bond_and_openvswitch_are_loaded()
    {
        var r = KernelVm.Run("""
            ip link add bond0 type bond mode active-backup
            ip link add d1 type dummy
            ip link add vx0 type vxlan id 42 dstport 4789 local 127.0.0.1
            cut -d' ' -f1 /proc/modules | sort
            """, Timeout);
        Assert.True(r.ExitCode == 0, r.Output);
        foreach (var m in new[] { "8021q", "bonding", "bridge", "dummy", "veth", "openvswitch", "vxlan", "macvlan" })
            Assert.Contains(m, r.Output.Split('\n'));
    }
}

using System.Text.Json.Nodes;
using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// Issue 17, as it says it is checked: the kernel VM booted three times over one folder that survives the boots (its
/// disk). Boot 1 applies two bridges, an uplink take-over, VLAN tables and a guest tap's VLANs with persistDir and the
/// systemd unit folder on it. Boot 2 runs only what the host runs at boot (the VM has no systemd: the enabled unit's
/// ExecStart, parsed from the unit file, with %f expanded as systemd does; then libvirt's start of the autostart
/// guest: its tap joins the bridge and the installed qemu hook runs with the domain's XML) and finds `ip -d link`,
/// `ip addr`, `ip route` and `bridge vlan` as boot 1 left them; a refresh shows no change; then destroy. Boot 3 finds
/// nothing left, the unit removed. The host is the VM's own network namespace, as on a real KVM host.
/// There is no libvirtd or nested guest in the VM (a TCG guest inside TCG is far too slow): a tap of a fixed name and
/// the hook run as libvirt runs it stand in for them, as in DomainScenarios.
/// </summary>
public sealed class RebootTests(ITestOutputHelper output) : IDisposable
{
    private const string Share = "/run/kvmlab";

    private readonly string _disk = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"kvmlab-disk-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        if (Directory.Exists(_disk)) Shell.Run("rm", "-rf", "--one-file-system", _disk);
    }

    /// <summary>The "hardware" every boot starts with: the NICs the kernel makes (fixed MACs), up, no addresses.</summary>
    private const string Hardware = """
        set -u
        ip link set lo up
        for n in 0 1 2; do ip link add eth$n address 52:54:00:77:00:1$n type dummy; ip link set eth$n up; done
        """;

    /// <summary>libvirt starting the autostart guest g1: its tap (fixed MAC) joins br1, then the qemu hook runs with its XML.</summary>
    private const string GuestStart = $"""
        ip tuntap add vnet0 mode tap
        ip link set vnet0 address fe:54:00:77:00:20
        ip link set vnet0 master br1
        ip link set vnet0 up
        {Share}/hooks/qemu.d/pulumi-kvm-guest-vlans g1 start begin - < {Share}/g1.xml; echo "hook=$?"
        """;

    private static string Dump(string name) => $"""
        mkdir -p {name}
        ip -d -j link > {name}/link.json; ip -j addr > {name}/addr.json; ip -4 -j route > {name}/route4.json; ip -6 -j route > {name}/route6.json
        bridge -j vlan show > {name}/vlan.json
        ip -d link > {name}/link.txt; ip addr > {name}/addr.txt; ip route > {name}/route.txt; bridge vlan show > {name}/vlan.txt
        """;

    /// <summary>What systemd would run at boot: each enabled instance's ExecStart, %f being the instance's unescaped path.</summary>
    private const string BootUnits = $$"""
        for link in {{Share}}/units/multi-user.target.wants/pulumi-kvm-restore@*.service; do
            [ -e "$link" ] || continue
            instance=${link##*/}; escaped=${instance#pulumi-kvm-restore@}; escaped=${escaped%.service}
            folder=$(systemd-escape --unescape --path "$escaped")
            command=$(sed -n 's/^ExecStart=//p' "$link" | sed "s|%f|$folder|g")
            echo "EXECSTART $command"
            $command; echo "restore=$?"
        done
        """;

    /// <summary>The guest's persistent definition (libvirt keeps it across reboots), with the VLANs the Domain resource records in its metadata.</summary>
    private const string GuestXml = """
        <domain type='qemu'>
          <name>g1</name>
          <uuid>6f1c3a52-8d0e-4b7a-9c55-2f7e1d0a9b31</uuid>
          <metadata>
            <kvmvlan:guest-vlans xmlns:kvmvlan="https://pulumi-resource-kvm/xmlns/guest-vlans/1">
              <kvmvlan:interface mac="52:54:00:77:00:20" nativeTag="10"><kvmvlan:tag id="10"/><kvmvlan:tag id="30"/></kvmvlan:interface>
            </kvmvlan:guest-vlans>
          </metadata>
          <devices>
            <interface type='bridge'><mac address='52:54:00:77:00:20'/><source bridge='br1'/><target dev='vnet0'/></interface>
          </devices>
        </domain>
        """;

    private KernelVmResult Boot(string name, string script)
    {
        var result = KernelVm.Run(script, TimeSpan.FromMinutes(10), sharedFolder: _disk);
        output.WriteLine($"===== {name} (exit {result.ExitCode}, {result.Elapsed.TotalSeconds:0} s)\n{result.Output}");
        Assert.True(result.ExitCode == 0, $"{name}: exit {result.ExitCode}\n{result.Output}\n{result.Console}");
        return result;
    }

    private string Snapshot(string boot) => string.Join("\n---\n",
        new[] { "link", "addr", "route4", "route6", "vlan" }.Select(f => NetworkSnapshot.Lines(File.ReadAllText(Path.Combine(_disk, boot, f + ".json")))));

    [Fact]
    public void Two_bridges_an_uplink_takeover_vlan_tables_and_a_guest_taps_vlans_come_back_at_boot_and_go_with_destroy()
    {
        File.WriteAllText(Path.Combine(_disk, "g1.xml"), GuestXml);

        // Boot 1: the host as the installer left it (address and default route on eth0), then `pulumi up`.
        var boot1 = Boot("boot 1", $"""
            {Hardware}
            ip addr add 192.168.77.90/24 dev eth0
            ip route add default via 192.168.77.1 dev eth0
            mkdir -p units hostroot
            {RepoPaths.VmTestsRunner} --reboot apply {Share} || exit 1
            {RepoPaths.ProviderBinary} qemu-hook --install {Share}/hooks
            {GuestStart}
            {RepoPaths.VmTestsRunner} --reboot refresh {Share} || exit 1
            {Dump("boot1")}
            """);
        Assert.Contains("KVMREBOOT apply ok", boot1.Output, StringComparison.Ordinal);
        Assert.Contains("hook=0", boot1.Output, StringComparison.Ordinal);
        // the refresh after the guest started records its tap on br1 (guestTaps, and br1 is now up with a carrier), as a user's next refresh would
        Assert.Contains("KVMREBOOT refresh guests Refresh [guestTaps", boot1.Output, StringComparison.Ordinal);
        var instance = Assert.Single(Directory.GetFileSystemEntries(Path.Combine(_disk, "units", "multi-user.target.wants")));
        Assert.Equal("pulumi-kvm-restore@run-kvmlab-persist.service", Path.GetFileName(instance));
        var verify = Shell.Run("systemd-analyze", ["verify", "--man=no", instance], stdin: null, timeout: TimeSpan.FromMinutes(1));
        // The unit names the VM's path (/run/kvmlab/persist/...), not this machine's: only that the binary is elsewhere may differ.
        Assert.True(verify.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).All(l => l.Contains("/run/kvmlab/persist/pulumi-resource-kvm is not executable", StringComparison.Ordinal)),
            $"systemd-analyze verify: {verify.StdErr}");
        var afterUp = Snapshot("boot1");
        Assert.Contains("\"master\":\"br0\"", afterUp, StringComparison.Ordinal);
        Assert.Contains("\"ifname\":\"vnet0\"", File.ReadAllText(Path.Combine(_disk, "boot1", "vlan.json")), StringComparison.Ordinal);
        Assert.Contains("192.168.77.1", File.ReadAllText(Path.Combine(_disk, "boot1", "route.txt")), StringComparison.Ordinal);

        // Boot 2: a fresh kernel, bare NICs; only what the host runs at boot.
        var boot2 = Boot("boot 2", $"""
            {Hardware}
            ip -br link
            {BootUnits}
            {GuestStart}
            {Dump("boot2")}
            {RepoPaths.VmTestsRunner} --reboot refresh {Share}
            {RepoPaths.VmTestsRunner} --reboot up {Share}
            {RepoPaths.VmTestsRunner} --reboot destroy {Share}
            """);
        Assert.Contains($"EXECSTART {Share}/persist/pulumi-resource-kvm restore --state {Share}/persist/desired-state.json\n", boot2.Output, StringComparison.Ordinal);
        Assert.Contains("restore=0", boot2.Output, StringComparison.Ordinal);
        Assert.Contains("hook=0", boot2.Output, StringComparison.Ordinal);
        foreach (var boot in new[] { "link", "addr", "route", "vlan" })
            output.WriteLine($"----- {boot} after boot 2\n{File.ReadAllText(Path.Combine(_disk, "boot2", boot + ".txt"))}");
        Assert.Equal(afterUp, Snapshot("boot2"));
        Assert.Equal(File.ReadAllText(Path.Combine(_disk, "boot1", "vlan.txt")), File.ReadAllText(Path.Combine(_disk, "boot2", "vlan.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(_disk, "boot1", "route.txt")), File.ReadAllText(Path.Combine(_disk, "boot2", "route.txt")));
        // A refresh shows no change, and the next up has nothing to do.
        foreach (var phase in new[] { "refresh", "up" })
        {
            var steps = boot2.Output.Split('\n').Where(l => l.StartsWith($"KVMREBOOT {phase} ", StringComparison.Ordinal)).ToList();
            Assert.Equal(6, steps.Count);
            Assert.All(steps.SkipLast(1), l => Assert.EndsWith(" Same []", l, StringComparison.Ordinal));
            Assert.Equal($"KVMREBOOT {phase} ok", steps[^1]);
        }
        Assert.Contains("KVMREBOOT destroy ok", boot2.Output, StringComparison.Ordinal);

        // After destroy: the unit, its enabling link and the binary copy are gone; the file declares nothing.
        Assert.Empty(Directory.GetFiles(Path.Combine(_disk, "units"), "*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(_disk, "persist", "pulumi-resource-kvm")));
        Assert.Empty(JsonNode.Parse(File.ReadAllText(Path.Combine(_disk, "persist", "desired-state.json")))!["namespaces"]!.AsObject());

        // Boot 3: nothing is run at boot, and nothing of the program is there.
        var boot3 = Boot("boot 3", $"""
            {Hardware}
            {BootUnits}
            {Dump("boot3")}
            """);
        Assert.DoesNotContain("EXECSTART", boot3.Output, StringComparison.Ordinal);
        var links = JsonNode.Parse(File.ReadAllText(Path.Combine(_disk, "boot3", "link.json")))!.AsArray().Select(l => (string)l!["ifname"]!).Order(StringComparer.Ordinal);
        Assert.Equal(["eth0", "eth1", "eth2", "lo"], links);
        Assert.Empty(JsonNode.Parse(File.ReadAllText(Path.Combine(_disk, "boot3", "vlan.json")) is { Length: > 0 } vlans ? vlans : "[]")!.AsArray());
        Assert.DoesNotContain("10.20.0.1", File.ReadAllText(Path.Combine(_disk, "boot3", "addr.txt")), StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The Domain through the real plugin against a private libvirtd in a throwaway namespace, with TCG guests
/// that direct-boot the lab kernel (no disk image). Each test makes and removes its own namespace and daemon.
/// </summary>
public sealed class DomainLabTests
{
    private const string Domain = DomainLifecycleTests.Domain;

    private static Task<Stack> StackFor(PrivateLibvirtd lv) =>
        Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["uri"] = lv.Uri,
            ["netns"] = lv.Namespace.Name,
            ["libvirtHooksDir"] = lv.HooksDir,
        }));

    private static string Nic(string bridge, string more = "") =>
        $$"""{"type": "bridge", "bridge": "{{bridge}}", "model": "virtio", "bootRom": false{{more}}}""";

    /// <summary>A tiny TCG guest, as a program declares it; <paramref name="more"/> adds properties.</summary>
    private static string Guest(string name, string nics, int memory = 256, string cmdline = "console=ttyS0 quiet panic=-1 kvmlab.idle", string more = "")
    {
        var boot = KernelVm.Boot;
        return $$"""
            {"name": "{{name}}", "type": "qemu", "memoryMib": {{memory}}, "vcpus": 1, "maxVcpus": 2, "machine": "q35",
             "kernel": "{{boot.Kernel}}", "initrd": "{{boot.Initrd}}", "kernelCmdline": "{{cmdline}}",
             "onPoweroff": "destroy", "onReboot": "destroy", "onCrash": "destroy", "shutdownTimeoutSeconds": 1,
             "serials": [{"type": "file", "path": "/var/log/libvirt/qemu/{{name}}-console.log"}],
             "interfaces": [{{nics}}]{{more}}}
            """;
    }

    private static PrivateLibvirtd LabWithBridge(string bridge = "br-lab")
    {
        var lv = PrivateLibvirtd.Start();
        try
        {
            lv.Namespace.Ip("link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
            lv.Namespace.Ip("link", "set", bridge, "up");
            return lv;
        }
        catch
        {
            lv.Dispose();
            throw;
        }
    }

    /// <summary>What changes when a guest restarts: the domain id, the QEMU process and its start time.</summary>
    private static (string DomainId, int Pid, string StartTicks) Identity(PrivateLibvirtd lv, string name)
    {
        var domainId = lv.Virsh("domid", name).Trim();
        var pid = int.Parse(File.ReadAllText(lv.Mounts.HostPath($"/run/libvirt/qemu/{name}.pid")).Trim());
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (domainId, pid, fields[19]);
    }

    private static IEnumerable<string> Messages(Stack stack, string prefix) =>
        stack.Engine.Logs.Select(l => l.Message).Where(m => m.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task Live_changes_never_restart_the_guest_and_restart_changes_wait_under_never()
    {
        using var lv = LabWithBridge();
        await using var stack = await StackFor(lv);
        var guest = Res(Domain, "g", Guest("g1", Nic("br-lab")));

        var up = (await stack.UpAsync(guest)).EnsureOk();
        Assert.Equal(StepOp.Create, up["g"].Op);
        Assert.Equal("running", lv.Virsh("domstate", "g1").Trim());
        var mac = stack["g"].Output("interfaces[0].macAddress")!.StringValue;
        var tap = stack["g"].Output("interfaces[0].targetDevice")!.StringValue;
        Assert.StartsWith("vnet", tap);
        Assert.Equal("br-lab", lv.Namespace.MasterOf(tap));
        Assert.Empty(stack["g"].Output("pendingRestart")!.ListValue.Values);
        Assert.All((await stack.UpAsync(guest)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        var before = Identity(lv, "g1");

        // memory within the maximum and the NIC's link state: live
        stack.Engine.ClearLogs();
        var live = Res(Domain, "g", Guest("g1", Nic("br-lab", """, "linkState": "down" """), memory: 192));
        var preview = (await stack.PreviewAsync(live)).EnsureOk();
        Assert.Equal(StepOp.Update, preview["g"].Op);
        Assert.Equal("kvm:live interfaces[0].linkState, memoryMib: applied to the running guest", Assert.Single(Messages(stack, "kvm:live")));
        Assert.Empty(Messages(stack, "kvm:restart"));
        (await stack.UpAsync(live)).EnsureOk();
        Assert.Equal(before, Identity(lv, "g1"));
        Assert.Equal(mac + " down", lv.Virsh("domif-getlink", "g1", mac).Trim());
        // The guest's balloon driver gives the memory back: the running guest follows, no restart.
        Poll.Until(() => lv.Virsh("dominfo", "g1").Contains("Used memory:    196608 KiB"), TimeSpan.FromMinutes(2), "the guest's balloon to reach 192 MiB");
        Assert.Equal(before, Identity(lv, "g1"));
        Assert.All((await stack.UpAsync(live)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // a change that needs a restart, under restartPolicy never: in the config, reported, not applied
        stack.Engine.ClearLogs();
        var restart = Res(Domain, "g", Guest("g1", Nic("br-lab", """, "linkState": "down" """), memory: 192, cmdline: "console=ttyS0 quiet panic=-1 kvmlab.idle kvmlab.x=1"));
        (await stack.PreviewAsync(restart)).EnsureOk();
        Assert.Equal("kvm:restart kernelCmdline: written to the persistent config; takes effect when g1 restarts (restartPolicy never: it is not restarted now)",
            Assert.Single(Messages(stack, "kvm:restart")));
        (await stack.UpAsync(restart)).EnsureOk();
        Assert.Equal(before, Identity(lv, "g1"));
        Assert.Contains("kvmlab.x=1", lv.Virsh("dumpxml", "--inactive", "g1"));
        Assert.DoesNotContain("kvmlab.x=1", lv.Virsh("dumpxml", "g1"));
        Assert.Equal(["kernelCmdline"], stack["g"].Output("pendingRestart")!.ListValue.Values.Select(v => v.StringValue));
        Assert.All((await stack.UpAsync(restart)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // drift made by hand on the running guest shows on refresh and is put back live
        lv.Virsh("domif-setlink", "g1", mac, "up");
        Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["g"].Op);
        var drift = (await stack.PreviewAsync(restart)).EnsureOk();
        Assert.Equal(["interfaces"], drift["g"].Diff!.Diffs);
        Assert.Equal(["interfaces[0].linkState"], drift["g"].Diff!.DetailedDiff.Keys);
        (await stack.UpAsync(restart)).EnsureOk();
        Assert.Equal(mac + " down", lv.Virsh("domif-getlink", "g1", mac).Trim());

        // a second NIC is hot-plugged
        var twoNics = Res(Domain, "g", Guest("g1", Nic("br-lab", """, "linkState": "down" """) + ", " + Nic("br-lab"), memory: 192, cmdline: "console=ttyS0 quiet panic=-1 kvmlab.idle kvmlab.x=1"));
        stack.Engine.ClearLogs();
        (await stack.PreviewAsync(twoNics)).EnsureOk();
        Assert.Equal("kvm:live interfaces[1]: applied to the running guest", Assert.Single(Messages(stack, "kvm:live")));
        (await stack.UpAsync(twoNics)).EnsureOk();
        Assert.Equal(before, Identity(lv, "g1"));
        Assert.Equal(2, lv.Virsh("domiflist", "g1").Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("br-lab")));
        var tap2 = stack["g"].Output("interfaces[1].targetDevice")!.StringValue;
        Assert.Equal("br-lab", lv.Namespace.MasterOf(tap2));

        // restartPolicy force restarts it to apply what waits
        var forced = Res(Domain, "g", Guest("g1", Nic("br-lab", """, "linkState": "down" """) + ", " + Nic("br-lab"), memory: 192,
            cmdline: "console=ttyS0 quiet panic=-1 kvmlab.idle kvmlab.x=1", more: """, "restartPolicy": "force" """));
        stack.Engine.ClearLogs();
        (await stack.PreviewAsync(forced)).EnsureOk();
        Assert.Equal("kvm:restart kernelCmdline: written to the persistent config; g1 will be powered off and started again to apply it",
            Assert.Single(Messages(stack, "kvm:restart")));
        (await stack.UpAsync(forced)).EnsureOk();
        Assert.NotEqual(before.DomainId, Identity(lv, "g1").DomainId);
        Assert.Contains("kvmlab.x=1", lv.Virsh("dumpxml", "g1"));
        Assert.Empty(stack["g"].Output("pendingRestart")!.ListValue.Values);

        // destroy: shut down (the lab guest ignores ACPI: forced after 1 s), undefined
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Equal("", lv.Virsh("list", "--all", "--name").Trim());
    }

    [Fact]
    public async Task Importing_a_guest_libvirt_defined_gives_an_empty_diff()
    {
        using var lv = LabWithBridge();
        lv.VirshXml("define", LabDomains.Tiny("handmade",
            "<interface type='bridge'><source bridge='br-lab'/><model type='virtio'/><rom enabled='no'/></interface>" +
            "<interface type='bridge'><source bridge='br-lab'/><model type='virtio'/><rom enabled='no'/><link state='down'/></interface>"));
        lv.Virsh("start", "handmade");
        var xml = lv.Virsh("dumpxml", "--inactive", "handmade");
        Assert.Contains("<address type='pci'", xml);
        Assert.Contains("<mac address='52:54:00:", xml);

        await using var stack = await StackFor(lv);
        var import = await stack.ImportAsync(Domain, "imp", "handmade");
        Assert.True(import.Ok, StepRenderer.Render(import));
        Assert.DoesNotContain("vnet", Props.ToJson(import["imp"].Inputs));
        var imported = Res(Domain, "imp", Props.ToJson(import["imp"].Inputs));
        var up = (await stack.UpAsync(imported)).EnsureOk();
        Assert.All(up.Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.Equal(xml, lv.Virsh("dumpxml", "--inactive", "handmade"));
        Assert.All((await stack.RefreshAsync()).Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.All((await stack.UpAsync(imported)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Equal("", lv.Virsh("list", "--all", "--name").Trim());
    }

    [Fact]
    public async Task A_disk_is_hot_plugged_into_the_running_guest()
    {
        using var lv = LabWithBridge();
        var image = Path.Combine(lv.Mounts.StateDir, "data.img");
        Shell.Check("qemu-img", "create", "-q", "-f", "raw", image, "16M");
        await using var stack = await StackFor(lv);
        (await stack.UpAsync(Res(Domain, "g", Guest("g5", Nic("br-lab"))))).EnsureOk();
        var before = Identity(lv, "g5");

        stack.Engine.ClearLogs();
        var withDisk = Res(Domain, "g", Guest("g5", Nic("br-lab"), more: $$""", "disks": [{"targetDev": "vdb", "file": "{{image}}", "format": "raw", "bus": "virtio"}]"""));
        (await stack.PreviewAsync(withDisk)).EnsureOk();
        Assert.Equal("kvm:live disks[0]: applied to the running guest", Assert.Single(Messages(stack, "kvm:live")));
        (await stack.UpAsync(withDisk)).EnsureOk();
        Assert.Equal(before, Identity(lv, "g5"));
        Assert.Contains(image, lv.Virsh("domblklist", "g5"));
        Assert.Contains(image, lv.Virsh("domblklist", "g5", "--inactive"));
        Assert.All((await stack.UpAsync(withDisk)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // removing it: gone from the config at once; the running guest is asked to release it
        (await stack.UpAsync(Res(Domain, "g", Guest("g5", Nic("br-lab"), more: """, "disks": []""")))).EnsureOk();
        Assert.DoesNotContain(image, lv.Virsh("domblklist", "g5", "--inactive"));
        Assert.Equal(before, Identity(lv, "g5"));
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task A_start_that_fails_keeps_the_domain_in_the_state_and_the_next_up_retries()
    {
        using var lv = LabWithBridge();
        await using var stack = await StackFor(lv);
        var broken = Res(Domain, "g", Guest("g2", Nic("br-lab")).Replace(KernelVm.Boot.Kernel, "/nonexistent/vmlinux"));
        var failed = await stack.UpAsync(broken);
        Assert.Equal(StepOp.Failed, failed["g"].Op);
        Assert.Contains("g2 was defined but did not start", failed["g"].Error);
        var saved = Assert.Single(stack.State);
        Assert.True(saved.InitErrors);
        Assert.Equal("shut off", lv.Virsh("domstate", "g2").Trim());

        var fixedUp = (await stack.UpAsync(Res(Domain, "g", Guest("g2", Nic("br-lab"))))).EnsureOk();
        Assert.Equal(StepOp.Update, fixedUp["g"].Op);
        Assert.Equal(saved.Id, stack["g"].Id);
        Assert.Equal("running", lv.Virsh("domstate", "g2").Trim());
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task Vlans_on_a_linux_bridge_without_vlan_filtering_fail_clearly_and_the_guest_never_runs_untagged()
    {
        // This machine's kernel has no bridge VLAN filtering: programming the tap fails with EOPNOTSUPP.
        // (The kernel VM scenario shows the VLANs applied and re-applied by the hook after a restart.)
        using var lv = LabWithBridge();
        await using var stack = await StackFor(lv);
        var guest = Res(Domain, "g", Guest("g3", Nic("br-lab", """, "vlan": {"tags": [10]}""")));

        var first = await stack.UpAsync(guest);
        Assert.Equal(StepOp.Failed, first["g"].Op);
        Assert.Contains("never runs on the wrong VLAN", first["g"].Error);
        Assert.Contains("VLAN 10", first["g"].Error);
        Assert.Contains("no bridge VLAN filtering", first["g"].Error);
        Assert.Contains("EOPNOTSUPP", first["g"].Error);
        Assert.Equal("shut off", lv.Virsh("domstate", "g3").Trim());
        Assert.True(Assert.Single(stack.State).InitErrors);

        // The VLANs are in the domain's metadata, and the hook is installed in the daemon's hook folder
        // with a warning that libvirtd (which had no hooks) must restart to run it.
        Assert.Contains("guest-vlans", lv.Virsh("dumpxml", "--inactive", "g3"));
        Assert.True(File.Exists(Path.Combine(lv.HooksDir, "qemu.d", "pulumi-kvm-guest-vlans")));
        Assert.True(File.Exists(Path.Combine(lv.HooksDir, "pulumi-kvm", "pulumi-resource-kvm")));
        Assert.Contains(stack.Engine.Logs, l => l.Message.Contains("installed the qemu hook") && l.Message.Contains("restart libvirtd"));

        // After libvirtd restarts, the hook itself stops the start, with the same reason.
        lv.Restart();
        var second = await stack.UpAsync(guest);
        Assert.Equal(StepOp.Failed, second["g"].Op);
        Assert.Contains("Hook script execution failed", second["g"].Error);
        Assert.Contains("guest g3 not started", second["g"].Error);
        Assert.Contains("no bridge VLAN filtering", second["g"].Error);
        Assert.Equal("shut off", lv.Virsh("domstate", "g3").Trim());

        (await stack.DestroyAsync()).EnsureOk();
        Assert.Equal("", lv.Virsh("list", "--all", "--name").Trim());
    }

    [Fact]
    public async Task Vlans_on_open_vswitch_are_libvirts_and_change_live()
    {
        using var ns = LabNamespace.CreateLab();
        using var ovs = OvsSwitch.Start(ns);
        using var lv = PrivateLibvirtd.Start(ns);
        ovs.AddBridge("ovsbr0");
        await using var stack = await StackFor(lv);
        var guest = Res(Domain, "g", Guest("g4", Nic("ovsbr0", """, "virtualPort": "openvswitch", "vlan": {"tags": [10]}""")));
        (await stack.UpAsync(guest)).EnsureOk();
        var tap = stack["g"].Output("interfaces[0].targetDevice")!.StringValue;
        Assert.Equal("10", ovs.Vsctl("get", "port", tap, "tag").Trim());
        var before = Identity(lv, "g4");

        stack.Engine.ClearLogs();
        var trunk = Res(Domain, "g", Guest("g4", Nic("ovsbr0", """, "virtualPort": "openvswitch", "vlan": {"tags": [20, 30], "nativeTag": 20}""")));
        (await stack.PreviewAsync(trunk)).EnsureOk();
        Assert.StartsWith("kvm:live interfaces[0].vlan", Assert.Single(Messages(stack, "kvm:live")));
        (await stack.UpAsync(trunk)).EnsureOk();
        Assert.Equal(before, Identity(lv, "g4"));
        Assert.Equal("[20, 30]", ovs.Vsctl("get", "port", tap, "trunks").Trim());
        Assert.Equal("native-untagged", ovs.Vsctl("get", "port", tap, "vlan_mode").Trim());
        Assert.All((await stack.UpAsync(trunk)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task A_graceful_shutdown_that_is_waited_for_shows_its_status_in_the_engine()
    {
        using var lv = LabWithBridge();
        await using var stack = await StackFor(lv);
        // The lab guest idles in its initramfs, where nothing answers the ACPI power button: it never shuts down by itself.
        var guest = Res(Domain, "g", Guest("g5", Nic("br-lab")).Replace("\"shutdownTimeoutSeconds\": 1", "\"shutdownTimeoutSeconds\": 3"));
        (await stack.UpAsync(guest)).EnsureOk();
        Assert.Equal("running", lv.Virsh("domstate", "g5").Trim());
        var urn = stack["g"].Urn;

        stack.Engine.ClearLogs();
        (await stack.DestroyAsync()).EnsureOk();
        Assert.DoesNotContain("g5", lv.Virsh("list", "--all", "--name"));

        // What `pulumi destroy` shows beside the domain while it waits: ephemeral lines, in order, then gone.
        var logs = stack.Engine.Logs.ToList();
        var statuses = logs.Where(l => l.Ephemeral).ToList();
        Assert.All(statuses, l => Assert.Equal(urn, l.Urn));
        Assert.All(statuses, l => Assert.Equal(Pulumirpc.LogSeverity.Info, l.Severity));
        var waiting = statuses.FindIndex(l => l.Message.StartsWith("waiting for g5 to shut down (ACPI power button pressed ", StringComparison.Ordinal)
            && l.Message.EndsWith("; powered off after 3 s)", StringComparison.Ordinal));
        var poweringOff = statuses.FindIndex(l => l.Message == "g5 did not shut down within 3 s: powering it off");
        Assert.True(waiting >= 0, "no status while the shutdown was waited for: " + string.Join(" | ", statuses.Select(l => l.Message)));
        Assert.True(poweringOff > waiting, "the power-off was not announced after the wait: " + string.Join(" | ", statuses.Select(l => l.Message)));
        // Status lines are not diagnostics: nothing of them is kept among the update's messages.
        Assert.DoesNotContain(logs.Where(l => !l.Ephemeral), l => l.Message.Contains("shut down", StringComparison.Ordinal));
    }
}

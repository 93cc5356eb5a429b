using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;
using static Kvm.Engine.Decl;

namespace Kvm.Demo;

/// <summary>
/// A running TCG guest (it direct-boots the lab kernel and idles; no disk) with a VLAN-tagged NIC
/// on an Open vSwitch bridge and a NIC on the network of the previous act: a live change shown as
/// an update in place, drift made with virsh, import of a domain defined by hand.
/// </summary>
public static class DomainAct
{
    public const string Domain = "kvm:index:Domain";
    // The OvsBridge of the act before, by its output: the engine orders the guest after the switch.
    private const string Trunk = "${trunk.name}";
    private const string LanMac = NetworkAct.Web1Mac;

    /// <summary>web1, as the program declares it.</summary>
    private static ResourceDecl Web1(int vlan, string lanLink)
    {
        var boot = KernelVm.Boot;
        return Res(Domain, "web", $$"""
            {"name": "web1", "type": "qemu", "memoryMib": 256, "vcpus": 1, "machine": "q35",
             "kernel": "{{boot.Kernel}}", "initrd": "{{boot.Initrd}}", "kernelCmdline": "console=ttyS0 quiet panic=-1 kvmlab.idle",
             "onPoweroff": "destroy", "onReboot": "destroy", "onCrash": "destroy", "shutdownTimeoutSeconds": 1,
             "interfaces": [
               {"type": "bridge", "bridge": "{{Trunk}}", "virtualPort": "openvswitch", "vlan": {"tags": [{{vlan}}]}, "model": "virtio", "bootRom": false},
               {"type": "network", "network": "lab-lan", "macAddress": "{{LanMac}}", "linkState": "{{lanLink}}", "model": "virtio", "bootRom": false}]}
            """);
    }

    /// <summary>Runs the act after <paramref name="earlier"/> (kept in the program); returns the program at the end.</summary>
    public static async Task<IReadOnlyList<ResourceDecl>> RunAsync(PulumiCli pulumi, PrivateLibvirtd libvirtd, OvsSwitch ovs, IReadOnlyList<ResourceDecl> earlier)
    {
        Title("Domains (libvirt API: a qemu TCG guest in the lab's private libvirtd)");
        Say("This kernel has no bridge VLAN filtering, so the guest's VLAN NIC goes on the Open vSwitch bridge of the act before " +
            "(libvirt tags its port); the kernel VM act below shows VLANs on Linux bridges.");

        ResourceDecl[] program = [.. earlier, Web1(vlan: 10, lanLink: "up")];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        var port = pulumi.Stack["web"].Output("interfaces[0].targetDevice")!.StringValue;
        var guest = new Observed(libvirtd, ovs, port);
        Host("virsh domiflist web1", libvirtd.Virsh("domiflist", "web1"));
        guest.Show();

        Say("The program moves web1's trunk NIC to VLAN 20 and takes its LAN link down: both live, the guest keeps running");
        program = [.. earlier, Web1(vlan: 20, lanLink: "down")];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        guest.Show();

        Say("The switch's ports change (VLAN 40 joins the trunk): the guest's port, which libvirt added, is left as it is");
        program = [.. program.Select(r => r.Name == "trunk" ? OvsAct.Switch("10, 20, 30, 40") : r)];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        Host("ovs-vsctl list-ports br-trunk", ovs.Vsctl("list-ports", OvsAct.Name));
        Host("the OvsBridge's guestPorts", string.Join(", ", pulumi.Stack["trunk"].Output("guestPorts")!.ListValue.Values.Select(v => v.StringValue)));
        guest.Show();

        Say("Someone brings the LAN link back up with virsh:");
        Command($"virsh domif-setlink web1 {LanMac} up");
        libvirtd.Virsh("domif-setlink", "web1", LanMac, "up");
        await pulumi.RefreshAsync();
        await pulumi.PreviewAsync(program, "the program says linkState: down");
        await pulumi.UpAsync(program);
        guest.Show();

        Say("A domain defined by hand (not started) is imported:");
        Command("virsh define legacy1.xml");
        libvirtd.VirshXml("define", LabDomains.Tiny("legacy1",
            "<interface type='network'><source network='lab-lan'/><mac address='52:54:00:77:00:05'/><model type='virtio'/><rom enabled='no'/></interface>", memoryMiB: 128));
        var imported = await pulumi.ImportAsync(Domain, "legacy-vm", "legacy1");
        Say($"generated inputs: {Props.ToJson(imported["legacy-vm"].Inputs)}");
        program = [.. program, Res(Domain, "legacy-vm", Props.ToJson(imported["legacy-vm"].Inputs))];
        await pulumi.UpAsync(program, "with the imported declaration: nothing to do");
        Host("virsh list --all", libvirtd.Virsh("list", "--all"));
        return program;
    }

    /// <summary>What the host says about web1: state and domain id (a restart changes it), its OVS port's VLAN, its LAN link.</summary>
    private sealed record Observed(PrivateLibvirtd Libvirtd, OvsSwitch Ovs, string Port)
    {
        public void Show()
        {
            var state = Libvirtd.Virsh("domstate", "web1").Trim();
            var id = Libvirtd.Virsh("domid", "web1").Trim();
            Host("web1", $"""
                virsh domstate web1: {state} (domain id {id})
                ovs-vsctl get port {Port} tag: {Ovs.Vsctl("get", "port", Port, "tag").Trim()}
                virsh domif-getlink web1 {LanMac}: {Libvirtd.Virsh("domif-getlink", "web1", LanMac).Trim()}
                """);
        }
    }
}

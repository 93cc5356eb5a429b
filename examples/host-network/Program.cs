// host-network: the guest network of one KVM host, on a Linux bridge or on Open vSwitch.
//
// switch = linux (the default):
//   uplink NIC ──trunk (VLANs 10, 20)── br-guests (Linux bridge, VLAN filtering)
//                                          ├─ libvirt network "guests" (bridge mode, portgroups web/db)
//                                          ├─ guest web: NIC in portgroup web, VLAN 10 (access)
//                                          └─ guest db:  NIC in portgroup db,  VLAN 20 (access)
//
// libvirt cannot tag guest ports on a Linux bridge ("vlan tag not supported for this connection
// type"), so each guest NIC carries its VLAN itself: the kvm provider programs it on the guest's
// tap and keeps it across guest restarts. The portgroups give the VLANs names other guests can join.
//
// switch = ovs:
//   uplink NIC ──trunk (VLANs 10, 20)── ovs-guests (Open vSwitch bridge, the uplink a trunk port)
//                                          └─ libvirt network "guests" (bridge mode, openvswitch virtual
//                                             ports; portgroup web tags VLAN 10, db VLAN 20) ─ the same guests
//
// On Open vSwitch libvirt tags each guest's port itself, so the VLAN lives in the portgroup and the
// guests only name their portgroup.
using Pulumi;
using Kvm = Pulumi.Kvm;
using Pulumi.Kvm.Inputs;

return await Deployment.RunAsync(() =>
{
    var config = new Config();
    var uplink = config.Require("uplink");
    var imageDir = config.Get("imageDir") ?? "/var/lib/libvirt/images";
    var onOvs = (config.Get("switch") ?? "linux") switch
    {
        "linux" => false,
        "ovs" => true,
        var other => throw new ArgumentException($"config switch: linux or ovs, not {other}"),
    };
    var vlans = new[] { new GuestVlan("web", 10, 2048), new GuestVlan("db", 20, 4096) };

    var (bridgeName, ready) = onOvs ? OpenVSwitch(uplink, vlans) : LinuxBridge(uplink, vlans);

    var networkArgs = new Kvm.LibvirtNetworkArgs
    {
        Name = "guests",
        Forward = new NetworkForwardArgs { Mode = "bridge" },
        // The switch's name as its output: the network waits for the switch, and follows a rename.
        Bridge = new NetworkBridgeArgs { Name = bridgeName },
        PortGroups = vlans.Select(v => PortGroup(v, onOvs)).ToList(),
        Autostart = true,
        Active = true,
    };
    if (onOvs) networkArgs.VirtualPort = new NetworkVirtualPortArgs { Type = "openvswitch" };
    var network = new Kvm.LibvirtNetwork("guests", networkArgs);

    var outputs = new Dictionary<string, object?> { ["bridge"] = bridgeName, ["network"] = network.Name };
    foreach (var v in vlans)
    {
        var nic = new DomainInterfaceArgs { Type = "network", Network = network.Name, PortGroup = v.Name, Model = "virtio" };
        // On a Linux bridge the provider tags the guest's tap; on Open vSwitch the portgroup does.
        if (!onOvs) nic.Vlan = new DomainVlanArgs { Tags = { v.Id } };
        var guest = new Kvm.Domain(v.Name, new()
        {
            Name = v.Name,
            MemoryMib = v.MemoryMib,
            Vcpus = 2,
            CpuMode = "host-passthrough",
            Disks = { new DomainDiskArgs { File = $"{imageDir}/{v.Name}.qcow2", Format = "qcow2", TargetDev = "vda", Bus = "virtio" } },
            Interfaces = { nic },
            Running = true,
            Autostart = true,
        }, new CustomResourceOptions { DependsOn = { ready } });

        // Values libvirt assigns on create; pin them in the program if a guest must keep them across a replace.
        outputs[$"{v.Name}Uuid"] = guest.Uuid;
        outputs[$"{v.Name}Mac"] = guest.Interfaces.Apply(nics => nics[0].MacAddress);
    }
    return outputs;
});

// A portgroup per VLAN; on Open vSwitch it also tags its guests' ports.
static NetworkPortGroupArgs PortGroup(GuestVlan v, bool onOvs)
{
    var group = new NetworkPortGroupArgs { Name = v.Name };
    if (onOvs) group.Vlan = new NetworkVlanArgs { Tags = { new NetworkVlanTagArgs { Id = v.Id } } };
    return group;
}

// A Linux bridge with VLAN filtering; the uplink a trunk of exactly the guests' VLANs (its VlanFilter).
static (Output<string> Name, Resource Ready) LinuxBridge(string uplink, GuestVlan[] vlans)
{
    var bridge = new Kvm.Bridge("guests", new()
    {
        Name = "br-guests",
        VlanFiltering = true,
        // A port that joins gets no VLAN until its VlanFilter says so: nothing leaks onto VLAN 1.
        DefaultPvid = 0,
        Stp = false,
        Ports = { uplink },
        Up = true,
    });

    // The uplink carries exactly the guests' VLANs, tagged; untagged frames are dropped.
    var trunk = new Kvm.VlanFilter("uplink-trunk", new()
    {
        Bridge = bridge.Name,
        Port = uplink,
        Trunk = new VlanTrunkArgs { Vids = vlans.Select(v => v.Id).ToList() },
    }, new CustomResourceOptions { DependsOn = { bridge } });
    return (bridge.Name, trunk);
}

// An Open vSwitch bridge whose uplink port is a trunk of exactly the guests' VLANs.
static (Output<string> Name, Resource Ready) OpenVSwitch(string uplink, GuestVlan[] vlans)
{
    var ovs = new Kvm.OvsBridge("guests", new()
    {
        Name = "ovs-guests",
        FailMode = "standalone",
        // other_config and external_ids are string maps: a change of one key shows as otherConfig["mac-aging-time"].
        OtherConfig = { ["mac-aging-time"] = "600" },
        ExternalIds = { ["owner"] = "pulumi" },
        Ports =
        {
            new OvsPortArgs { Name = uplink, VlanMode = "trunk", Trunks = vlans.Select(v => v.Id).ToList() },
        },
    });
    return (ovs.Name, ovs);
}

/// <summary>One guest and the VLAN it lives on.</summary>
internal sealed record GuestVlan(string Name, int Id, int MemoryMib);

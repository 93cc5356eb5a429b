// host-network: the guest network of one KVM host.
//
//   uplink NIC ──trunk (VLANs 10, 20)── br-guests (Linux bridge, VLAN filtering)
//                                          ├─ libvirt network "guests" (bridge mode, portgroups web/db)
//                                          ├─ guest web: NIC in portgroup web, VLAN 10 (access)
//                                          └─ guest db:  NIC in portgroup db,  VLAN 20 (access)
//
// libvirt cannot tag guest ports on a Linux bridge ("vlan tag not supported for this connection
// type"), so each guest NIC carries its VLAN itself: the kvm provider programs it on the guest's
// tap and keeps it across guest restarts. The portgroups give the VLANs names other guests can join.
using Pulumi;
using Kvm = Pulumi.Kvm;
using Pulumi.Kvm.Inputs;

return await Deployment.RunAsync(() =>
{
    var config = new Config();
    var uplink = config.Require("uplink");
    var imageDir = config.Get("imageDir") ?? "/var/lib/libvirt/images";
    var vlans = new[] { new GuestVlan("web", 10, 2048), new GuestVlan("db", 20, 4096) };

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

    var network = new Kvm.LibvirtNetwork("guests", new()
    {
        Name = "guests",
        Forward = new NetworkForwardArgs { Mode = "bridge" },
        Bridge = new NetworkBridgeArgs { Name = bridge.Name },
        PortGroups = vlans.Select(v => new NetworkPortGroupArgs { Name = v.Name }).ToList(),
        Autostart = true,
        Active = true,
    });

    var outputs = new Dictionary<string, object?> { ["bridge"] = bridge.Name, ["network"] = network.Name };
    foreach (var v in vlans)
    {
        var guest = new Kvm.Domain(v.Name, new()
        {
            Name = v.Name,
            MemoryMib = v.MemoryMib,
            Vcpus = 2,
            CpuMode = "host-passthrough",
            Disks = { new DomainDiskArgs { File = $"{imageDir}/{v.Name}.qcow2", Format = "qcow2", TargetDev = "vda", Bus = "virtio" } },
            Interfaces =
            {
                new DomainInterfaceArgs
                {
                    Type = "network",
                    Network = network.Name,
                    PortGroup = v.Name,
                    Model = "virtio",
                    Vlan = new DomainVlanArgs { Tags = { v.Id } },
                },
            },
            Running = true,
            Autostart = true,
        }, new CustomResourceOptions { DependsOn = { trunk } });

        // Values libvirt assigns on create; pin them in the program if a guest must keep them across a replace.
        outputs[$"{v.Name}Uuid"] = guest.Uuid;
        outputs[$"{v.Name}Mac"] = guest.Interfaces.Apply(nics => nics[0].MacAddress);
    }
    return outputs;
});

/// <summary>One guest and the VLAN it lives on.</summary>
internal sealed record GuestVlan(string Name, int Id, int MemoryMib);

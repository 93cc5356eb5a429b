using static Kvm.Lifecycle.Tests.RoundTrip.RoundTripOutcome;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>
/// Every file of libvirt's tests that does not come back identical, with its outcome; the comment is
/// why (the first difference, or the error, as the suite reports it in artifacts/roundtrip-*.md).
/// A file not listed must come back identical. Issue 14 works this list down.
/// </summary>
public static class RoundTripExpectations
{
    public static IReadOnlyDictionary<string, string> Networks { get; } = new Dictionary<string, string>
    {
        ["8021Qbh-net.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: <vlan> element specified for network 8021Qbh-net, whose type doesn't support vlan configuration
        ["openvswitch-net.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: <vlan> element specified for network openvswitch-net, whose type doesn't support vlan configuration
        ["passthrough-address-crash.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: network 'passthrough_001' has forward mode 'passthrough'  but lists a device by PCI address in the device pool. T…
        ["passthrough-pf.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: Unsupported <ip> element in network local with forward mode='passthrough'
        ["vepa-net.xml"] = Differs, // /network/virtualport[1]/parameters[1]: lost
        ["hostdev-duplicate.xml"] = DriverRefuses, // error: XML error: PCI device '0000:03:00.3' can only be listed once in network hostdev
        ["open-network-with-forward-dev.xml"] = DriverRefuses, // error: XML error: forward dev not allowed for network 'open' with forward mode='open'
        ["passthrough-duplicate.xml"] = DriverRefuses, // error: XML error: interface 'eth3' can only be listed once in network passthrough-duplicate
        ["routed-network-no-dns-extra-elements.xml"] = DriverRefuses, // error: XML error: Extra data in disabled network 'local'
    };

    public static IReadOnlyDictionary<string, string> Guests { get; } = new Dictionary<string, string>
    {
        ["net-midonet.xml"] = ImportFails, // interfaces[0].virtualPort: must be one of "openvswitch"
        ["net-virtio-network-portgroup.xml"] = ImportFails, // interfaces[0].virtualPort: must be one of "openvswitch"
        ["net-virtio-teaming-network.xml"] = ImportFails, // interfaces[1].macAddress: 00:11:22:33:44:55 is also the MAC of interfaces[0]
        ["net-bandwidth.xml"] = Differs, // /domain/devices[1]/disk[1]/address[1]: lost
        ["net-bandwidth2.xml"] = Differs, // /domain/devices[1]/disk[1]/address[1]: lost
        ["net-coalesce.xml"] = Differs, // /domain/devices[1]/disk[1]/driver[1]/@event_idx: 'on' became (none)
        ["net-hostdev-bootorder.xml"] = Differs, // /domain/devices[1]/disk[1]/boot[1]: lost
        ["net-isolated-port.xml"] = Differs, // /domain/vcpu[1]/@cpuset: '0-1' became (none)
        ["net-mtu.xml"] = Differs, // /domain/devices[1]/disk[1]/driver[1]/@event_idx: 'on' became (none)
        ["net-openvswitch.xml"] = Differs, // /domain/devices[1]/interface[1]/virtualport[1]/parameters[1]/@interfaceid: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' became 'be906e95-c7a6-4207-b493-0be0…
        ["net-virtio-rss.xml"] = Differs, // /domain/cpu[1]: lost
        ["net-user-passt.xml"] = DriverRefuses, // error: XML error: Invalid value for attribute 'type' in element 'backend': 'passt'.
    };
}

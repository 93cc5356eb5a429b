using static Kvm.Lifecycle.Tests.RoundTrip.RoundTripOutcome;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>
/// Every file of libvirt's tests that does not come back identical, with its outcome; the comment is
/// why (the first difference, or the error, as the suite reports it in artifacts/roundtrip-*.md).
/// A file not listed must come back identical. What is left are libvirt test-driver limits: files
/// the test driver itself refuses, and files it loads that libvirtd refuses at define (the suite asks
/// a real libvirtd), which no host can hold.
/// </summary>
public static class RoundTripExpectations
{
    public static IReadOnlyDictionary<string, string> Networks { get; } = new Dictionary<string, string>
    {
        ["8021Qbh-net.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: <vlan> element specified for network 8021Qbh-net, whose type doesn't support vlan configuration
        ["openvswitch-net.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: <vlan> element specified for network openvswitch-net, whose type doesn't support vlan configuration
        ["passthrough-address-crash.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: network 'passthrough_001' has forward mode 'passthrough'  but lists a device by PCI address in the device pool. T…
        ["passthrough-pf.xml"] = LibvirtdRefuses, // libvirtd: unsupported configuration: Unsupported <ip> element in network local with forward mode='passthrough'
        ["hostdev-duplicate.xml"] = DriverRefuses, // error: XML error: PCI device '0000:03:00.3' can only be listed once in network hostdev
        ["open-network-with-forward-dev.xml"] = DriverRefuses, // error: XML error: forward dev not allowed for network 'open' with forward mode='open'
        ["passthrough-duplicate.xml"] = DriverRefuses, // error: XML error: interface 'eth3' can only be listed once in network passthrough-duplicate
        ["routed-network-no-dns-extra-elements.xml"] = DriverRefuses, // error: XML error: Extra data in disabled network 'local'
    };

    public static IReadOnlyDictionary<string, string> Guests { get; } = new Dictionary<string, string>
    {
        ["net-user-passt.xml"] = DriverRefuses, // error: XML error: Invalid value for attribute 'type' in element 'backend': 'passt'.
    };
}

namespace Kvm.Libvirt.Tests.Binding;

/// <summary>
/// libvirt's in-process test driver. test:///default is one host shared by all connections of the process
/// (while any is open), so the tests open test:///&lt;testnode.xml&gt; instead: each opening loads its own
/// private copy of a host with the same canned objects.
/// </summary>
internal static class TestDriver
{
    public const string SharedUri = "test:///default";

    public static readonly string Uri = "test://" + Path.Combine(AppContext.BaseDirectory, "Binding", "testnode.xml");

    /// <summary>The network every fresh test driver has.</summary>
    public static readonly Guid DefaultNetworkUuid = Guid.Parse("dd8fe884-6c02-601e-7551-cca97df1c5df");

    /// <summary>The running domain every fresh test driver has.</summary>
    public static readonly Guid TestDomainUuid = Guid.Parse("6695eb01-f6a4-8304-79aa-97f2502e193f");

    public static LibvirtConnection Open() => LibvirtConnection.Open(Uri);

    public static string NetworkXml(string name, string bridge, string subnet = "10.77.0") => $"""
        <network>
          <name>{name}</name>
          <forward mode='nat'/>
          <bridge name='{bridge}' stp='on' delay='0'/>
          <ip address='{subnet}.1' netmask='255.255.255.0'>
            <dhcp>
              <range start='{subnet}.100' end='{subnet}.200'/>
            </dhcp>
          </ip>
        </network>
        """;

    public static string DomainXml(string name) => $"""
        <domain type='test'>
          <name>{name}</name>
          <memory unit='KiB'>1048576</memory>
          <currentMemory unit='KiB'>1048576</currentMemory>
          <vcpu placement='static' current='1'>2</vcpu>
          <os>
            <type arch='x86_64'>hvm</type>
            <boot dev='hd'/>
          </os>
          <devices>
            <disk type='file' device='disk'>
              <source file='/guest/{name}.img'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <interface type='network'>
              <mac address='52:54:00:00:00:01'/>
              <source network='default'/>
            </interface>
          </devices>
        </domain>
        """;
}

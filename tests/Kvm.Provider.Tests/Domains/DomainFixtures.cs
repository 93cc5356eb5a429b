namespace Kvm.Provider.Tests.Domains;

/// <summary>Domain XML as libvirt 9.0 (QEMU driver) reported it in the lab: what it fills in is the point.</summary>
internal static class DomainFixtures
{
    public const string Uuid = "370dcff5-80e8-4d43-99be-1c2ed053d81b";
    public const string Mac = "52:54:00:95:fa:8a";

    /// <summary>`virsh dumpxml --inactive g1` of a guest defined with one bridge NIC, no MAC, machine q35.</summary>
    public const string Persistent = """
        <domain type='qemu'>
          <name>g1</name>
          <uuid>370dcff5-80e8-4d43-99be-1c2ed053d81b</uuid>
          <memory unit='KiB'>262144</memory>
          <currentMemory unit='KiB'>262144</currentMemory>
          <vcpu placement='static' current='1'>2</vcpu>
          <os>
            <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
            <kernel>/boot/vmlinux</kernel>
            <initrd>/boot/initrd.gz</initrd>
            <cmdline>console=ttyS0 quiet</cmdline>
            <boot dev='hd'/>
          </os>
          <cpu mode='custom' match='exact' check='none'>
            <model fallback='forbid'>qemu64</model>
          </cpu>
          <clock offset='utc'/>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>destroy</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <controller type='usb' index='0' model='qemu-xhci'>
              <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
            </controller>
            <controller type='pci' index='0' model='pcie-root'/>
            <controller type='pci' index='1' model='pcie-root-port'>
              <model name='pcie-root-port'/>
              <target chassis='1' port='0x8'/>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0' multifunction='on'/>
            </controller>
            <interface type='bridge'>
              <mac address='52:54:00:95:fa:8a'/>
              <source bridge='br0'/>
              <model type='virtio'/>
              <rom enabled='no'/>
              <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
            </interface>
            <serial type='file'>
              <source path='/var/log/libvirt/qemu/g1-console.log'/>
              <target type='isa-serial' port='0'>
                <model name='isa-serial'/>
              </target>
            </serial>
            <console type='file'>
              <source path='/var/log/libvirt/qemu/g1-console.log'/>
              <target type='serial' port='0'/>
            </console>
            <memballoon model='virtio'>
              <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
            </memballoon>
          </devices>
        </domain>
        """;

    /// <summary>The same guest running (`virsh dumpxml g1`): an id, aliases, vnet1, an expanded CPU.</summary>
    public const string Live = """
        <domain type='qemu' id='2'>
          <name>g1</name>
          <uuid>370dcff5-80e8-4d43-99be-1c2ed053d81b</uuid>
          <memory unit='KiB'>262144</memory>
          <currentMemory unit='KiB'>262144</currentMemory>
          <vcpu placement='static' current='1'>2</vcpu>
          <os>
            <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
            <kernel>/boot/vmlinux</kernel>
            <initrd>/boot/initrd.gz</initrd>
            <cmdline>console=ttyS0 quiet</cmdline>
            <boot dev='hd'/>
          </os>
          <cpu mode='custom' match='exact' check='full'>
            <model fallback='forbid'>qemu64</model>
            <feature policy='require' name='hypervisor'/>
          </cpu>
          <clock offset='utc'/>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>destroy</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <interface type='bridge'>
              <mac address='52:54:00:95:fa:8a'/>
              <source bridge='br0'/>
              <target dev='vnet1'/>
              <model type='virtio'/>
              <alias name='net0'/>
              <rom enabled='no'/>
              <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
            </interface>
            <serial type='file'>
              <source path='/var/log/libvirt/qemu/g1-console.log'/>
              <target type='isa-serial' port='0'>
                <model name='isa-serial'/>
              </target>
              <alias name='serial0'/>
            </serial>
            <console type='file'>
              <source path='/var/log/libvirt/qemu/g1-console.log'/>
              <target type='serial' port='0'/>
              <alias name='serial0'/>
            </console>
          </devices>
          <seclabel type='dynamic' model='dac' relabel='yes'>
            <label>+0:+0</label>
          </seclabel>
        </domain>
        """;
}

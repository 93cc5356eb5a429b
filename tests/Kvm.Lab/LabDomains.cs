using System.Security;

namespace Kvm.Lab;

/// <summary>Domain XML for small throwaway libvirt guests in the lab.</summary>
public static class LabDomains
{
    /// <summary>
    /// A tiny TCG guest (<c>type='qemu'</c>, no disk) that direct-boots the kernel VM's kernel and
    /// initramfs with <c>kvmlab.idle</c>: it comes up and idles, so its interfaces stay. Starting
    /// it takes about a second; nothing waits for the guest to boot. Its serial console goes to
    /// /var/log/libvirt/qemu/NAME-console.log inside the lab namespace
    /// (<see cref="PrivateLibvirtd.QemuLogDir"/> on the host).
    /// </summary>
    /// <param name="name">The domain name.</param>
    /// <param name="interfacesXml">The &lt;interface&gt; elements (add <c>&lt;rom enabled='no'/&gt;</c>: no iPXE ROMs are needed).</param>
    /// <param name="memoryMiB">Guest memory.</param>
    public static string Tiny(string name, string interfacesXml, int memoryMiB = 256)
    {
        var boot = KernelVm.Boot;
        var n = SecurityElement.Escape(name);
        return $"""
            <domain type='qemu'>
              <name>{n}</name>
              <memory unit='MiB'>{memoryMiB}</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='q35'>hvm</type>
                <kernel>{SecurityElement.Escape(boot.Kernel)}</kernel>
                <initrd>{SecurityElement.Escape(boot.Initrd)}</initrd>
                <cmdline>console=ttyS0 quiet panic=-1 kvmlab.idle</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <on_reboot>destroy</on_reboot>
              <on_crash>destroy</on_crash>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                {interfacesXml}
                <serial type='file'><source path='/var/log/libvirt/qemu/{n}-console.log'/></serial>
                <console type='file'><source path='/var/log/libvirt/qemu/{n}-console.log'/></console>
              </devices>
            </domain>
            """;
    }
}

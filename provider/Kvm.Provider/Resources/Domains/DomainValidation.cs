using Kvm.Netlink;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>The Domain's rules beyond types and ranges that need no host: each failure names the property and the reason.</summary>
internal static class DomainValidation
{
    public static IEnumerable<CheckFailure> Static(Bound<DomainArgs> news)
    {
        var a = news.Value;
        var failures = new List<CheckFailure>();
        void Fail(string path, string reason) => failures.Add(new CheckFailure(path, reason));
        bool Known(string path) => !news.IsUnknown(path);

        if (a.Name is { } name && (name.Trim().Length == 0 || name.Contains('/')))
            Fail("name", $"\"{name}\" is not a usable domain name: it must not be blank or contain '/'");
        if (a.Uuid is { } uuid && !Guid.TryParse(uuid, out _))
            Fail("uuid", $"\"{uuid}\" is not a UUID (e.g. 4dea22b3-1d52-d8f3-2516-782e98ab3fa0)");
        if (a.MemoryMib is null && a.MemoryKib is null && Known("memoryMib") && Known("memoryKib"))
            Fail("memoryMib", "the guest needs its memory: set memoryMib (or memoryKib for a size that is not whole MiB)");
        if (a.MemoryMib is not null && a.MemoryKib is not null)
            Fail("memoryKib", "set memoryMib or memoryKib, not both");
        if (a.MaxMemoryMib is not null && a.MaxMemoryKib is not null)
            Fail("maxMemoryKib", "set maxMemoryMib or maxMemoryKib, not both");
        if (DomainMemory.CurrentKiB(a) is { } mem && DomainMemory.MaxKiB(a) is { } max && mem > max)
            Fail(a.MemoryKib is null ? "memoryMib" : "memoryKib", $"{DomainMemory.Show(mem)} is more than the maximum ({DomainMemory.Show(max)}): the current memory must be within the maximum");
        if (a.Vcpus is { } vcpus && a.MaxVcpus is { } maxVcpus && vcpus > maxVcpus)
            Fail("vcpus", $"{vcpus} is more than maxVcpus ({maxVcpus}): the online vCPUs must be within the maximum");
        if (a.Kernel is null && Known("kernel"))
        {
            if (a.Initrd is not null) Fail("initrd", "an initrd needs a kernel (direct kernel boot): set kernel too");
            if (a.KernelCmdline is not null) Fail("kernelCmdline", "a kernel command line needs a kernel (direct kernel boot): set kernel too");
        }
        if (a.BootDevices is { } boot && boot.Distinct().Count() != boot.Length)
            Fail("bootDevices", "lists a device twice");
        var devices = a.DevicesXml ?? [];
        for (var i = 0; i < devices.Length; i++)
            if (devices[i] is { } fragment && OtherDevices.Problem(fragment, a) is { } problem) Fail($"devicesXml[{i}]", problem);

        DeviceValidation.Check(a, Fail, Known);

        var macs = new Dictionary<string, int>(StringComparer.Ordinal);
        var taps = new HashSet<string>(StringComparer.Ordinal);
        var nics = a.Interfaces ?? [];
        for (var i = 0; i < nics.Length; i++)
        {
            var n = nics[i];
            if (n is null) continue;
            var p = $"interfaces[{i}]";
            void Only(string field, object? value, string forType)
            {
                if (value is not null) Fail($"{p}.{field}", $"only applies to interfaces of type {forType}, not {n.Type}");
            }
            switch (n.Type)
            {
                case "bridge":
                    if (n.Bridge is null && Known($"{p}.bridge")) Fail($"{p}.bridge", "an interface of type bridge needs the bridge it joins");
                    else if (n.Bridge is { } br && !LinkName.IsValid(br)) Fail($"{p}.bridge", $"\"{br}\" is not a valid interface name");
                    Only("network", n.Network, "network"); Only("portGroup", n.PortGroup, "network");
                    Only("device", n.Device, "direct"); Only("mode", n.Mode, "direct");
                    break;
                case "network":
                    if (n.Network is null && Known($"{p}.network")) Fail($"{p}.network", "an interface of type network needs the libvirt network it joins");
                    Only("bridge", n.Bridge, "bridge"); Only("device", n.Device, "direct"); Only("mode", n.Mode, "direct");
                    break;
                case "direct":
                    if (n.Device is null && Known($"{p}.device")) Fail($"{p}.device", "an interface of type direct needs the host device its macvtap sits on");
                    else if (n.Device is { } dev && !LinkName.IsValid(dev)) Fail($"{p}.device", $"\"{dev}\" is not a valid interface name");
                    Only("bridge", n.Bridge, "bridge"); Only("network", n.Network, "network"); Only("portGroup", n.PortGroup, "network");
                    if (n.Vlan is not null) Fail($"{p}.vlan", "VLANs are not supported on macvtap (type direct) interfaces; put the guest on a bridge");
                    break;
            }
            if (n.MacAddress is { } mac)
            {
                var normal = mac.Replace('-', ':');
                if (!MacAddress.TryParse(normal, out var parsed)) Fail($"{p}.macAddress", $"\"{mac}\" is not a MAC address (six hex octets, e.g. 52:54:00:12:34:56)");
                else if (parsed.IsMulticast) Fail($"{p}.macAddress", $"{mac} is a multicast address; a NIC needs a unicast MAC (the first octet even)");
                else if (parsed == default) Fail($"{p}.macAddress", "00:00:00:00:00:00 is not a usable MAC address");
                // The two NICs of a virtio failover pair (teaming) share their MAC, as libvirt intends.
                else if (macs.TryGetValue(parsed.ToString(), out var other) && !DeviceValidation.TeamingPair(nics[other], n))
                    Fail($"{p}.macAddress", $"{mac} is also the MAC of interfaces[{other}]");
                else macs[parsed.ToString()] = i;
            }
            if (n.TargetDevice is { } tap)
            {
                if (!LinkName.IsValid(tap)) Fail($"{p}.targetDevice", $"\"{tap}\" is not a valid interface name");
                else if (DomainMapping.IsGeneratedTap(tap)) Fail($"{p}.targetDevice", $"\"{tap}\": libvirt reserves names starting with vnet, macvtap and macvlan for the ones it generates; leave targetDevice unset to get one");
                else if (!taps.Add(tap)) Fail($"{p}.targetDevice", $"\"{tap}\" is given to two interfaces");
            }
            if (n.Vlan is { } vlan && Known($"{p}.vlan.tags"))
            {
                var tags = vlan.Tags ?? [];
                if (tags.Length == 0) Fail($"{p}.vlan.tags", "needs at least one VLAN id");
                if (tags.Distinct().Count() != tags.Length) Fail($"{p}.vlan.tags", "lists a VLAN twice");
                if (vlan.Trunk == false && tags.Length > 1) Fail($"{p}.vlan.trunk", "a port with several VLANs is a trunk: set trunk true or leave it unset");
                if (vlan.NativeTag is { } native)
                {
                    if (!GuestVlans.IsTrunk(vlan)) Fail($"{p}.vlan.nativeTag", "a native VLAN only applies to a trunk (several tags, or trunk: true)");
                    else if (!tags.Contains(native)) Fail($"{p}.vlan.nativeTag", $"{native} is not one of the tags ({string.Join(", ", tags)})");
                }
                else if (vlan.NativeMode is not null)
                {
                    Fail($"{p}.vlan.nativeMode", "needs nativeTag: the mode of which VLAN?");
                }
            }
        }

        var targets = new HashSet<string>(StringComparer.Ordinal);
        var disks = a.Disks ?? [];
        for (var i = 0; i < disks.Length; i++)
        {
            var d = disks[i];
            if (d is null) continue;
            var p = $"disks[{i}]";
            if (d.TargetDev is { } t && !targets.Add(t)) Fail($"{p}.targetDev", $"\"{t}\" is the target of two disks");
            if (d.File is not null && d.BlockDevice is not null) Fail($"{p}.blockDevice", "a disk is backed by a file or by a block device, not both");
            if (d.Device is null or "disk" or "lun" && d.File is null && d.BlockDevice is null && Known($"{p}.file") && Known($"{p}.blockDevice"))
                Fail($"{p}.file", "a disk needs an image file or a block device (only CD-ROM and floppy drives may be empty)");
        }

        var serials = a.Serials ?? [];
        for (var i = 0; i < serials.Length; i++)
        {
            var s = serials[i];
            if (s is null) continue;
            if (s.Type is "file" or "unix" && s.Path is null && Known($"serials[{i}].path")) Fail($"serials[{i}].path", $"a serial port of type {s.Type} needs a path on the host");
            if (s.Type == "pty" && s.Path is not null) Fail($"serials[{i}].path", "a pty's path is allocated by the host at each start; leave it unset");
        }
        return failures;
    }
}

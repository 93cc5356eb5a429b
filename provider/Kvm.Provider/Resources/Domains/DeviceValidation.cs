using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The Domain's rules for the finer device inputs (virtual ports, bandwidth, teaming, aliases, PCI
/// addresses, boot order) and the guest CPU, as libvirt states them: each failure names the property.
/// </summary>
internal static class DeviceValidation
{
    // Which parameters each virtual port type takes (libvirt's virNetDevVPortProfileParse); untyped takes any,
    // since it is merged with the network's port.
    private static readonly Dictionary<string, string[]> ParametersOf = new(StringComparer.Ordinal)
    {
        ["openvswitch"] = ["interfaceId", "profileId"],
        ["802.1Qbg"] = ["managerId", "typeId", "typeIdVersion", "instanceId"],
        ["802.1Qbh"] = ["profileId"],
        ["midonet"] = ["interfaceId"],
    };

    public static void Check(DomainArgs a, Action<string, string> fail, Func<string, bool> known)
    {
        if (a.CpuXml is { } cpu && GuestCpu.Problem(cpu, a.CpuMode) is { } cpuProblem) fail("cpuXml", cpuProblem);
        if (a.VcpuCpuset is { } cpuset && GuestCpu.CpusetProblem(cpuset) is { } cpusetProblem) fail("vcpuCpuset", cpusetProblem);

        var nics = a.Interfaces ?? [];
        var disks = a.Disks ?? [];
        var aliases = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nics.Length; i++)
        {
            if (nics[i] is not { } n) continue;
            var p = $"interfaces[{i}]";
            VirtualPort(n, p, fail);
            Bandwidth(n, p, fail);
            Vlan(n, p, fail);
            if (n.Alias is { } alias)
            {
                if (!alias.StartsWith(NicDetails.UserAliasPrefix, StringComparison.Ordinal))
                    fail($"{p}.alias", $"\"{alias}\": libvirt keeps only user aliases, which start with {NicDetails.UserAliasPrefix}");
                else if (aliases.TryGetValue(alias, out var other)) fail($"{p}.alias", $"\"{alias}\" is also the alias of interfaces[{other}]");
                else aliases[alias] = i;
            }
        }
        for (var i = 0; i < nics.Length; i++)
        {
            if (nics[i]?.Teaming is not { } t) continue;
            var p = $"interfaces[{i}].teaming.persistent";
            if (t.Type == "transient" && t.Persistent is null && known(p)) fail(p, "a transient teaming NIC names the alias of the persistent NIC it backs");
            if (t.Type == "persistent" && t.Persistent is not null) fail(p, "only a transient teaming NIC names a partner; a persistent one is named by its alias");
            if (t.Type == "transient" && t.Persistent is { } partner && aliases.TryGetValue(partner, out var j) && nics[j].Teaming?.Type != "persistent")
                fail(p, $"\"{partner}\" is interfaces[{j}], which is not a persistent teaming NIC");
        }

        var pci = new Dictionary<string, string>(StringComparer.Ordinal);
        var boot = new Dictionary<int, string>();
        void Device(string p, string? address, int? order)
        {
            if (address is not null)
            {
                if (PciAddress.Problem(address) is { } problem) fail($"{p}.pciAddress", problem);
                else if (pci.TryGetValue(PciAddress.Normalize(address), out var other)) fail($"{p}.pciAddress", $"{address} is also the address of {other}");
                else pci[PciAddress.Normalize(address)] = p;
            }
            if (order is { } o)
            {
                if (a.BootDevices is { Length: > 0 }) fail($"{p}.bootOrder", "libvirt takes a boot order per device or bootDevices, not both");
                else if (boot.TryGetValue(o, out var other)) fail($"{p}.bootOrder", $"boot order {o} is also given to {other}");
                else boot[o] = p;
            }
        }
        for (var i = 0; i < disks.Length; i++)
            if (disks[i] is { } d) Device($"disks[{i}]", d.PciAddress, d.BootOrder);
        for (var i = 0; i < nics.Length; i++)
            if (nics[i] is { } n) Device($"interfaces[{i}]", n.PciAddress, n.BootOrder);
    }

    /// <summary>
    /// Whether interfaces <paramref name="i"/> and <paramref name="j"/> are the two halves of a virtio failover
    /// pair (libvirt's teaming), which share their MAC address.
    /// </summary>
    public static bool TeamingPair(DomainInterfaceArgs x, DomainInterfaceArgs y) =>
        (x.Teaming, y.Teaming) switch
        {
            ({ Type: "persistent" }, { Type: "transient", Persistent: { } p }) => p == x.Alias,
            ({ Type: "transient", Persistent: { } p }, { Type: "persistent" }) => p == y.Alias,
            _ => false,
        };

    private static void VirtualPort(DomainInterfaceArgs n, string p, Action<string, string> fail)
    {
        // libvirt: a bridge's port is Open vSwitch or MidoNet, a macvtap's is 802.1Qbg or 802.1Qbh; a network's follows the network.
        switch (n.Type, n.VirtualPort)
        {
            case ("bridge", "802.1Qbg" or "802.1Qbh"):
                fail($"{p}.virtualPort", $"a virtual port of type {n.VirtualPort} is for macvtap (type direct) interfaces; on a bridge it is openvswitch or midonet");
                break;
            case ("direct", "openvswitch" or "midonet"):
                fail($"{p}.virtualPort", $"a macvtap (type direct) has no {n.VirtualPort} port; its virtual port is 802.1Qbg or 802.1Qbh");
                break;
        }
        if (n.VirtualPortParameters is not { } vp) return;
        var allowed = n.VirtualPort is { } type && ParametersOf.TryGetValue(type, out var names) ? names : null;
        void Param(string name, object? value)
        {
            if (value is not null && allowed is not null && !allowed.Contains(name))
                fail($"{p}.virtualPortParameters.{name}", $"does not apply to a virtual port of type {n.VirtualPort} (it takes {string.Join(", ", allowed)})");
        }
        Param("interfaceId", vp.InterfaceId);
        Param("profileId", vp.ProfileId);
        Param("managerId", vp.ManagerId);
        Param("typeId", vp.TypeId);
        Param("typeIdVersion", vp.TypeIdVersion);
        Param("instanceId", vp.InstanceId);
        if (vp.InterfaceId is { } id && !Guid.TryParse(id, out _)) fail($"{p}.virtualPortParameters.interfaceId", $"\"{id}\" is not a UUID");
        if (vp.InstanceId is { } instance && !Guid.TryParse(instance, out _)) fail($"{p}.virtualPortParameters.instanceId", $"\"{instance}\" is not a UUID");
    }

    private static void Bandwidth(DomainInterfaceArgs n, string p, Action<string, string> fail)
    {
        if (n.Bandwidth is not { } b) return;
        BandwidthRules.Validate(b, $"{p}.bandwidth", fail);
        if (b.Inbound?.Floor is not null && n.Type != "network") fail($"{p}.bandwidth.inbound.floor", "a floor needs a libvirt network (type network) with bandwidth of its own to share");
    }

    private static void Vlan(DomainInterfaceArgs n, string p, Action<string, string> fail)
    {
        // libvirt's <vlan> takes 0-4095; on a Linux bridge the provider programs the kernel's table, which takes 1-4094.
        if (n.Vlan is not { } vlan || n.Type != "bridge" || n.VirtualPort is not null) return;
        const string Range = "a Linux bridge's VLANs are 1-4094 (for Open vSwitch set virtualPort: openvswitch)";
        foreach (var tag in (vlan.Tags ?? []).Where(t => t is < 1 or > 4094).Distinct()) fail($"{p}.vlan.tags", $"VLAN {tag}: {Range}");
        if (vlan.NativeTag is { } native and (< 1 or > 4094)) fail($"{p}.vlan.nativeTag", $"VLAN {native}: {Range}");
    }
}

using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Discovery;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Resources.VlanFilters;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;

namespace Kvm.Provider.Tests.Discovery;

/// <summary>What discover lists and leaves out, over mocked netlink and an unreachable libvirt.</summary>
public sealed class HostDiscoveryTests
{
    private static Link Dev(int index, string name, string? kind, int? master = null, bool filtering = false) =>
        new(index, name, kind, 1500, null, default, default, master, kind == LinkKinds.Bridge ? new BridgeOptions { VlanFiltering = filtering } : null,
            master is null ? null : "bridge");

    private static Mock<IResource> Reads(string token, string? failing = null)
    {
        var resource = new Mock<IResource>(MockBehavior.Strict);
        resource.Setup(r => r.Token).Returns(token);
        resource.Setup(r => r.ReadAsync(It.IsAny<ReadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((ReadRequest r, CancellationToken _) => r.Id == failing
                ? throw new FormatException("interface source mode: unknown value 'server'")
                : new ReadResult(r.Id, ObjectValue.Empty, ObjectValue.Empty));
        return resource;
    }

    private static async Task<DiscoveryResult> DiscoverAsync(IReadOnlyList<Link> links, IReadOnlyList<BridgeVlanTable> tables, string? failingBridge = null)
    {
        var linkApi = new Mock<ILinkApi>();
        linkApi.Setup(l => l.ListAsync(It.IsAny<CancellationToken>())).ReturnsAsync(links);
        var vlans = new Mock<IBridgeVlanApi>();
        vlans.Setup(v => v.DumpAsync(It.IsAny<CancellationToken>())).ReturnsAsync(tables);
        var connections = new Mock<IHostConnections>();
        connections.Setup(c => c.Links).Returns(linkApi.Object);
        connections.Setup(c => c.Vlans).Returns(vlans.Object);
        // as HostConnections reports a libvirt it cannot connect to
        connections.Setup(c => c.Libvirt).Throws(ProviderException.FailedPrecondition("cannot connect to libvirt at qemu:///system: Failed to connect socket"));
        using var host = new ProviderHost(new CapturingLog(), _ => connections.Object);
        var resources = new[] { Reads(BridgeResource.TypeToken, failingBridge), Reads(VlanFilterResource.TypeToken), Reads(HostDiscovery.DomainToken) }
            .ToDictionary(r => r.Object.Token, r => r.Object);
        return await new HostDiscovery(host, resources).RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Without_libvirt_it_says_so_and_still_lists_bridges_and_vlan_tables_but_not_empty_tables_nor_guest_taps()
    {
        var result = await DiscoverAsync(
            [
                Dev(1, "lo", null), Dev(2, "brv", LinkKinds.Bridge, filtering: true), Dev(3, "vp1", LinkKinds.Veth, master: 2),
                Dev(4, "brw", LinkKinds.Bridge, filtering: true), Dev(5, "vp3", LinkKinds.Veth, master: 4), Dev(6, "vnet0", "tun", master: 2),
            ],
            [
                new(3, "vp1", 2, [new VlanEntry(10, 10, Pvid: true, Untagged: true)]),
                new(2, "brv", 2, [VlanEntry.Of(10)]),
                new(4, "brw", 4, []), // a bridge with default_pvid 0 has no entry of its own
                new(5, "vp3", 4, [VlanEntry.Of(200, 299)]),
                new(6, "vnet0", 2, [new VlanEntry(1, 1, Pvid: true, Untagged: true)]),
            ]);

        Assert.Equal(
            ["kvm:index:Bridge brv brv", "kvm:index:Bridge brw brw", "kvm:index:VlanFilter brv-brv brv/brv", "kvm:index:VlanFilter brv-vp1 brv/vp1", "kvm:index:VlanFilter brw-vp3 brw/vp3"],
            result.Resources.Select(r => $"{r.Token} {r.LogicalName} {r.Id}"));
        Assert.Contains(result.LeftOut, l => l.What == "libvirt networks and domains" && l.Reason.Contains("cannot be reached", StringComparison.Ordinal));
        Assert.Contains(new LeftOut("VLANs of brw itself", "the table is empty (no VLAN at all), which a VlanFilter cannot declare"), result.LeftOut);
        Assert.Contains(result.LeftOut, l => l.What == "VLANs of vnet0 on brv" && l.Reason.Contains("guest's tap", StringComparison.Ordinal));
        Assert.Contains(new LeftOut("lo", "loopback"), result.LeftOut);
    }

    [Fact]
    public async Task An_object_that_cannot_be_read_is_skipped_with_its_reason_and_the_others_are_still_found()
    {
        var result = await DiscoverAsync([Dev(1, "br0", LinkKinds.Bridge), Dev(2, "brbad", LinkKinds.Bridge), Dev(3, "br2", LinkKinds.Bridge)], [], failingBridge: "brbad");

        Assert.Equal(["br0", "br2"], result.Resources.Select(r => r.Id));
        Assert.Contains(new LeftOut("brbad", "cannot be read as kvm:index:Bridge: interface source mode: unknown value 'server'", Unreadable: true), result.LeftOut);
        Assert.DoesNotContain(result.LeftOut, l => l.Unreadable && l.What != "brbad");
    }
}

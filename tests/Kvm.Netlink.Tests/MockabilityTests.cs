using Moq;

namespace Kvm.Netlink.Tests;

/// <summary>The provider's controllers depend on the interfaces; these show they mock cleanly with Moq.</summary>
public sealed class MockabilityTests
{
    [Fact]
    public async Task Link_api_mocks()
    {
        var links = new Mock<ILinkApi>(MockBehavior.Strict);
        links.Setup(l => l.GetByNameAsync("br0", It.IsAny<CancellationToken>())).ReturnsAsync((Link?)null);
        links.Setup(l => l.DeleteAsync(7, It.IsAny<CancellationToken>())).ReturnsAsync(DeleteOutcome.AlreadyGone);

        Assert.Null(await links.Object.GetByNameAsync("br0"));
        Assert.Equal(DeleteOutcome.AlreadyGone, await links.Object.DeleteAsync(7));
        links.VerifyAll();
    }

    [Fact]
    public async Task Bridge_vlan_api_mocks()
    {
        var vlans = new Mock<IBridgeVlanApi>(MockBehavior.Strict);
        var delta = VlanTable.Diff([VlanEntry.Of(10)], [VlanEntry.Of(20)]);
        vlans.Setup(v => v.ApplyAsync(3, VlanTarget.BridgePort, delta, It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        await vlans.Object.ApplyAsync(3, VlanTarget.BridgePort, delta);

        vlans.VerifyAll();
    }
}

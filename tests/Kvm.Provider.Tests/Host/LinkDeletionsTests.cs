using Kvm.Netlink;
using Kvm.Provider.Host;
using Moq;

namespace Kvm.Provider.Tests.Host;

public class LinkDeletionsTests
{
    [Fact]
    public async Task Deletions_that_arrive_while_a_batch_is_in_the_kernel_go_together_next()
    {
        var links = new Mock<ILinkApi>();
        var inKernel = new TaskCompletionSource();
        var first = new TaskCompletionSource<DeleteOutcome>();
        links.Setup(l => l.DeleteManyAsync(It.Is<IReadOnlyList<int>>(x => x.Count == 1 && x[0] == 1), It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                inKernel.SetResult();
                return [await first.Task];
            });
        links.Setup(l => l.DeleteManyAsync(It.Is<IReadOnlyList<int>>(x => x.Count == 3), It.IsAny<CancellationToken>()))
            .ReturnsAsync([DeleteOutcome.Deleted, DeleteOutcome.AlreadyGone, DeleteOutcome.Deleted]);
        var deletions = new LinkDeletions(() => links.Object);

        var a = deletions.DeleteAsync(1, default);
        await inKernel.Task;
        var rest = new[] { deletions.DeleteAsync(2, default), deletions.DeleteAsync(3, default), deletions.DeleteAsync(4, default) };
        first.SetResult(DeleteOutcome.Deleted);

        Assert.Equal(DeleteOutcome.Deleted, await a);
        Assert.Equal([DeleteOutcome.Deleted, DeleteOutcome.AlreadyGone, DeleteOutcome.Deleted], await Task.WhenAll(rest));
        links.Verify(l => l.DeleteManyAsync(It.IsAny<IReadOnlyList<int>>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task A_refused_batch_is_retried_link_by_link_so_each_gets_its_own_answer()
    {
        var links = new Mock<ILinkApi>();
        var inKernel = new TaskCompletionSource();
        var gate = new TaskCompletionSource<DeleteOutcome>();
        links.Setup(l => l.DeleteManyAsync(It.Is<IReadOnlyList<int>>(x => x.Count == 1), It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                inKernel.SetResult();
                return [await gate.Task];
            });
        links.Setup(l => l.DeleteManyAsync(It.Is<IReadOnlyList<int>>(x => x.Count == 2), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NetlinkException(Errno.EOPNOTSUPP, "RTM_DELLINK"));
        links.Setup(l => l.DeleteAsync(20, It.IsAny<CancellationToken>())).ReturnsAsync(DeleteOutcome.Deleted);
        links.Setup(l => l.DeleteAsync(30, It.IsAny<CancellationToken>())).ThrowsAsync(new NetlinkException(Errno.EOPNOTSUPP, "RTM_DELLINK"));
        var deletions = new LinkDeletions(() => links.Object);

        var lead = deletions.DeleteAsync(10, default);
        await inKernel.Task;
        var ok = deletions.DeleteAsync(20, default);
        var refused = deletions.DeleteAsync(30, default);
        gate.SetResult(DeleteOutcome.Deleted);

        await lead;
        Assert.Equal(DeleteOutcome.Deleted, await ok);
        var e = await Assert.ThrowsAsync<NetlinkException>(() => refused);
        Assert.Equal(Errno.EOPNOTSUPP, e.Errno);
    }
}

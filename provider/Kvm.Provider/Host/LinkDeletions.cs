using Kvm.Netlink;

namespace Kvm.Provider.Host;

/// <summary>
/// Deleting a link makes the kernel wait for in-flight readers (an RCU grace period: tens of
/// milliseconds on a busy host), and the engine deletes many resources at once. Deletions are
/// therefore committed in groups: while one batch is in the kernel the next ones queue, and
/// go together as one batch (one wait) when it returns. A lone deletion goes at once.
/// </summary>
internal sealed class LinkDeletions(Func<ILinkApi> links)
{
    private readonly Lock _gate = new();
    private List<(int Index, TaskCompletionSource<DeleteOutcome> Done)> _queue = [];
    private bool _draining;

    public Task<DeleteOutcome> DeleteAsync(int index, CancellationToken ct)
    {
        var done = new TaskCompletionSource<DeleteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lead;
        lock (_gate)
        {
            _queue.Add((index, done));
            lead = !_draining;
            _draining = true;
        }
        if (lead) _ = Task.Run(DrainAsync, CancellationToken.None);
        // A cancelled caller stops waiting; a batch already sent cannot be called back.
        return done.Task.WaitAsync(ct);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<(int Index, TaskCompletionSource<DeleteOutcome> Done)> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _draining = false;
                    return;
                }
                batch = _queue;
                _queue = [];
            }
            try
            {
                var outcomes = await links().DeleteManyAsync([.. batch.Select(b => b.Index)], CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(outcomes[i]);
            }
            catch (Exception) when (batch.Count > 1)
            {
                // One link the kernel refuses must not fail the others: each gets its own answer.
                foreach (var (index, done) in batch)
                {
                    try { done.TrySetResult(await links().DeleteAsync(index, CancellationToken.None).ConfigureAwait(false)); }
                    catch (Exception e) { done.TrySetException(e); }
                }
            }
            catch (Exception e)
            {
                batch[0].Done.TrySetException(e);
            }
        }
    }
}

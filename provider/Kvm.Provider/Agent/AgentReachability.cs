using System.Collections.Concurrent;
using Kvm.Provider.Host;
using Kvm.Provider.Remote;
using Kvm.Provider.Remote.Wire;

namespace Kvm.Provider.Agent;

/// <summary>
/// The agent's confirmation that a change left the host reachable: a Probe frame to the plugin on the
/// workstation and its answer, over the SSH session the change could have cut. Both directions must
/// work for the answer to arrive; if it does not within the timeout, the agent (on the host, needing
/// nothing from the workstation) rolls the change back.
/// </summary>
internal sealed class AgentReachability(FrameStream frames) : IReachability
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _waiting = new();
    private long _next;

    public string Description => "the provider's SSH session to this host";

    public async Task<bool> ConfirmAsync(TimeSpan timeout, CancellationToken ct)
    {
        var id = (ulong)Interlocked.Increment(ref _next);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        try
        {
            // The write only fills the pipe to sshd; whether the network still carries it shows in the answer.
            await frames.WriteAsync(new Frame { Id = id, Probe = new Probe() }, ct).ConfigureAwait(false);
            await answer.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    /// <summary>The plugin's ProbeReply (a late one, after a rollback, finds nobody waiting).</summary>
    public void Answered(ulong id)
    {
        if (_waiting.TryRemove(id, out var answer)) answer.TrySetResult();
    }
}

using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>A change made under a <see cref="LinkCheckpoint"/>: kept once the host is confirmed reachable, else rolled back, with the words for either.</summary>
internal static class CheckpointedChange
{
    /// <summary>The preview's words for a checkpointed change of <paramref name="name"/>; <paramref name="included"/> names what the rollback puts back besides the links.</summary>
    public static string PreviewNote(ProviderHost host, string name, LinkCheckpoint checkpoint, string? included = null)
    {
        var also = included is null ? "" : $" ({included} included)";
        return host.Reachability is { } reachability
            ? $"kvm:checkpoint {name}: {checkpoint.Why}; the change is kept once {reachability.Description} confirms the host is reachable, else the host rolls it back by itself{also} after {host.ConfirmTimeout.TotalSeconds:0} s"
            : $"kvm:checkpoint {name}: {checkpoint.Why}; the change is rolled back{also} if it fails half-way (set the provider's reachabilityProbe to have it confirmed too)";
    }

    /// <summary>
    /// A change to the links carrying the default route or the management session is kept only once the host is
    /// confirmed reachable (<see cref="ProviderHost.Reachability"/>); without that, the host puts the links back by itself.
    /// </summary>
    public static async Task ConfirmOrRollBackAsync(ProviderHost host, LinkCheckpoint checkpoint, string what, CancellationToken ct)
    {
        if (host.Reachability is not { } reachability) return;
        bool confirmed;
        try
        {
            confirmed = await reachability.ConfirmAsync(host.ConfirmTimeout, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw await RolledBackAsync(host, checkpoint, $"{what} was cancelled before the host was confirmed reachable", e).ConfigureAwait(false);
        }
        if (!confirmed)
            throw await RolledBackAsync(host, checkpoint, $"after {what}, the host was not confirmed reachable through {reachability.Description} within {host.ConfirmTimeout.TotalSeconds:0} s", null).ConfigureAwait(false);
    }

    /// <summary>Rolls back to the checkpoint; the error says why and whether the host is as it was.</summary>
    public static async Task<ProviderException> RolledBackAsync(ProviderHost host, LinkCheckpoint checkpoint, string why, Exception? inner)
    {
        var left = await checkpoint.RestoreAsync(host.Links, host.LinkDeletions).ConfigureAwait(false);
        return left.Count == 0
            ? new ProviderException(StatusCode.FailedPrecondition, $"{why}; the change touched the links that keep the host reachable ({checkpoint.Why}), so the host rolled it back by itself: nothing was changed", inner)
            : new ProviderException(StatusCode.Unknown, $"{why}; the host rolled the change back ({checkpoint.Why}), but some steps failed, so check the host: {string.Join("; ", left)}", inner);
    }
}

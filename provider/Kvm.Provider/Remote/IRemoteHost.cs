using Google.Protobuf;
using Pulumirpc;

namespace Kvm.Provider.Remote;

/// <summary>
/// A KVM host the plugin manages from afar: every call that acts on resources is answered by the
/// plugin's agent there (the same provider code, against that host's kernel and libvirt).
/// </summary>
internal interface IRemoteHost : IAsyncDisposable
{
    ISshTarget Target { get; }

    /// <summary>Configures the agent (and remembers it, for the sessions that follow a lost one).</summary>
    Task ConfigureAsync(ConfigureRequest request, CancellationToken ct);

    /// <summary>
    /// Forwards one call. A fault on the host comes back as the RpcException the provider raised there;
    /// a host out of reach as an RpcException with Unavailable; a session lost with the call in flight as
    /// <see cref="AgentConnectionLostException"/> (retried once on a new session when <paramref name="safety"/> allows).
    /// </summary>
    Task<TResponse> CallAsync<TRequest, TResponse>(AgentMethod<TRequest, TResponse> method, IMessage request, CallSafety safety, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>;

    /// <summary>The engine's Cancel: the agent stops in-flight work at its next step.</summary>
    void Cancel();
}

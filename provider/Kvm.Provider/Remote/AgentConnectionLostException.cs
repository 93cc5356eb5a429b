using Grpc.Core;

namespace Kvm.Provider.Remote;

/// <summary>
/// The session to a host ended while a call was in flight. The call may or may not have run there
/// (<see cref="MayHaveRun"/>): the agent finishes what it started even when the plugin goes away, but
/// its answer is lost.
/// </summary>
internal sealed class AgentConnectionLostException(string message, bool mayHaveRun, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>The call had been sent when the session ended.</summary>
    public bool MayHaveRun { get; } = mayHaveRun;

    /// <summary>The engine's view: the host is out of reach (the message says whether the change may have been made).</summary>
    public RpcException ToRpc() => new(new Status(StatusCode.Unavailable, Message));
}

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Pulumirpc;

namespace Kvm.Provider.Remote;

/// <summary>Whether a call may be sent again on a new session after the old one died with it in flight.</summary>
internal enum CallSafety
{
    /// <summary>It changes nothing on the host (Check, Diff, Read, a preview): sending it twice is harmless.</summary>
    Retryable,

    /// <summary>It may have changed the host before the session died: never sent twice, the loss is reported.</summary>
    Once,
}

/// <summary>One call the plugin forwards to its agent: its name on the wire and how to read its request and its answer.</summary>
internal sealed record AgentMethod<TRequest, TResponse>(string Name, MessageParser<TRequest> Requests, MessageParser<TResponse> Responses)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>;

/// <summary>The calls an agent serves: the provider's own RPCs that act on the host, by the names gRPC gives them, and discover.</summary>
internal static class AgentMethods
{
    public static readonly AgentMethod<ConfigureRequest, ConfigureResponse> Configure = new("Configure", ConfigureRequest.Parser, ConfigureResponse.Parser);
    public static readonly AgentMethod<CheckRequest, CheckResponse> Check = new("Check", CheckRequest.Parser, CheckResponse.Parser);
    public static readonly AgentMethod<DiffRequest, DiffResponse> Diff = new("Diff", DiffRequest.Parser, DiffResponse.Parser);
    public static readonly AgentMethod<CreateRequest, CreateResponse> Create = new("Create", CreateRequest.Parser, CreateResponse.Parser);
    public static readonly AgentMethod<ReadRequest, ReadResponse> Read = new("Read", ReadRequest.Parser, ReadResponse.Parser);
    public static readonly AgentMethod<UpdateRequest, UpdateResponse> Update = new("Update", UpdateRequest.Parser, UpdateResponse.Parser);
    public static readonly AgentMethod<DeleteRequest, Empty> Delete = new("Delete", DeleteRequest.Parser, Empty.Parser);

    /// <summary>The agent's own call: discover on the host (`discover --host`).</summary>
    public static readonly AgentMethod<Wire.DiscoverRequest, Wire.DiscoverResponse> Discover = new("Discover", Wire.DiscoverRequest.Parser, Wire.DiscoverResponse.Parser);
}

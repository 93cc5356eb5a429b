using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Kvm.Provider.Rpc;
using Pulumirpc;

namespace Kvm.Provider.Remote;

/// <summary>Whether a call may be sent again on a new session after the old one died with it in flight.</summary>
public enum CallSafety
{
    /// <summary>It changes nothing on the host (Check, Diff, Read, a preview): sending it twice is harmless.</summary>
    Retryable,

    /// <summary>It may have changed the host before the session died: never sent twice, the loss is reported.</summary>
    Once,
}

/// <summary>One call the plugin forwards to its agent: a name, how to read the request and the answer, and how the agent serves it.</summary>
public interface IAgentMethod
{
    string Name { get; }

    /// <summary>On the host: parses the request, runs it with the agent's own provider, returns the answer.</summary>
    Task<IMessage> ServeAsync(ResourceProviderService service, ByteString request, CancellationToken ct);
}

public sealed class AgentMethod<TRequest, TResponse>(string name, MessageParser<TRequest> requests, MessageParser<TResponse> responses,
    Func<ResourceProviderService, TRequest, CancellationToken, Task<TResponse>> serve) : IAgentMethod
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public string Name => name;
    public MessageParser<TResponse> Responses => responses;

    public async Task<IMessage> ServeAsync(ResourceProviderService service, ByteString request, CancellationToken ct)
    {
        TRequest parsed;
        try
        {
            parsed = requests.ParseFrom(request);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the {name} request could not be parsed: {e.Message}"));
        }
        return await serve(service, parsed, ct).ConfigureAwait(false);
    }
}

/// <summary>The calls an agent serves: the provider's own RPCs that act on the host, by the names gRPC gives them.</summary>
public static class AgentMethods
{
    public static readonly AgentMethod<ConfigureRequest, ConfigureResponse> Configure = new("Configure", ConfigureRequest.Parser, ConfigureResponse.Parser, (s, r, ct) => s.Configure(r, ct));
    public static readonly AgentMethod<CheckRequest, CheckResponse> Check = new("Check", CheckRequest.Parser, CheckResponse.Parser, (s, r, ct) => s.Check(r, ct));
    public static readonly AgentMethod<DiffRequest, DiffResponse> Diff = new("Diff", DiffRequest.Parser, DiffResponse.Parser, (s, r, ct) => s.Diff(r, ct));
    public static readonly AgentMethod<CreateRequest, CreateResponse> Create = new("Create", CreateRequest.Parser, CreateResponse.Parser, (s, r, ct) => s.Create(r, ct));
    public static readonly AgentMethod<ReadRequest, ReadResponse> Read = new("Read", ReadRequest.Parser, ReadResponse.Parser, (s, r, ct) => s.Read(r, ct));
    public static readonly AgentMethod<UpdateRequest, UpdateResponse> Update = new("Update", UpdateRequest.Parser, UpdateResponse.Parser, (s, r, ct) => s.Update(r, ct));
    public static readonly AgentMethod<DeleteRequest, Empty> Delete = new("Delete", DeleteRequest.Parser, Empty.Parser, (s, r, ct) => s.Delete(r, ct));

    /// <summary>The agent's own call: discover on the host (`discover --host`).</summary>
    public static readonly AgentMethod<Wire.DiscoverRequest, Wire.DiscoverResponse> Discover = new("Discover", Wire.DiscoverRequest.Parser, Wire.DiscoverResponse.Parser,
        (_, r, ct) => Discovery.DiscoverCommand.ServeAsync(r, ct));

    public static IReadOnlyDictionary<string, IAgentMethod> ByName { get; } =
        new IAgentMethod[] { Configure, Check, Diff, Create, Read, Update, Delete, Discover }.ToDictionary(m => m.Name, StringComparer.Ordinal);
}

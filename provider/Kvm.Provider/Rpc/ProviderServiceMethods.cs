using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Pulumirpc;

namespace Kvm.Provider.Rpc;

/// <summary>
/// Binds pulumirpc.ResourceProvider's methods to <see cref="ResourceProviderService"/> with our own
/// marshallers: a request the protobuf parser rejects (nesting beyond its limit, truncated bytes)
/// gets InvalidArgument with the parser's reason, instead of an anonymous handler failure.
/// </summary>
internal sealed class ProviderServiceMethods : IServiceMethodProvider<ResourceProviderService>
{
    public const string ServiceName = "pulumirpc.ResourceProvider";

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<ResourceProviderService> context)
    {
        Add(context, "GetSchema", GetSchemaRequest.Parser, (s, r, c) => s.GetSchema(r, c.CancellationToken));
        Add(context, "CheckConfig", CheckRequest.Parser, (s, r, c) => s.CheckConfig(r, c.CancellationToken));
        Add(context, "DiffConfig", DiffRequest.Parser, (s, r, c) => s.DiffConfig(r, c.CancellationToken));
        Add(context, "Configure", ConfigureRequest.Parser, (s, r, c) => s.Configure(r, c.CancellationToken));
        Add(context, "Invoke", InvokeRequest.Parser, (s, r, c) => s.Invoke(r, c.CancellationToken));
        Add(context, "Check", CheckRequest.Parser, (s, r, c) => s.Check(r, c.CancellationToken));
        Add(context, "Diff", DiffRequest.Parser, (s, r, c) => s.Diff(r, c.CancellationToken));
        Add(context, "Create", CreateRequest.Parser, (s, r, c) => s.Create(r, c.CancellationToken));
        Add(context, "Read", ReadRequest.Parser, (s, r, c) => s.Read(r, c.CancellationToken));
        Add(context, "Update", UpdateRequest.Parser, (s, r, c) => s.Update(r, c.CancellationToken));
        Add(context, "Delete", DeleteRequest.Parser, (s, r, c) => s.Delete(r, c.CancellationToken));
        Add(context, "Cancel", Empty.Parser, (s, r, c) => s.Cancel(r, c.CancellationToken));
        Add(context, "GetPluginInfo", Empty.Parser, (s, r, c) => s.GetPluginInfo(r, c.CancellationToken));
        Add(context, "Attach", PluginAttach.Parser, (s, r, c) => s.Attach(r, c.CancellationToken));
    }

    private static void Add<TRequest, TResponse>(ServiceMethodProviderContext<ResourceProviderService> context, string name,
        MessageParser<TRequest> parser, UnaryServerMethod<ResourceProviderService, TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var method = new Method<TRequest, TResponse>(MethodType.Unary, ServiceName, name,
            Marshallers.Create<TRequest>(Serialize, ctx => Deserialize(ctx, parser, name)),
            Marshallers.Create<TResponse>(Serialize, _ => throw new NotSupportedException("responses are never read here")));
        context.AddUnaryMethod(method, [], handler);
    }

    private static void Serialize<T>(T message, SerializationContext ctx) where T : IMessage<T>
    {
        ctx.SetPayloadLength(message.CalculateSize());
        message.WriteTo(ctx.GetBufferWriter());
        ctx.Complete();
    }

    private static T Deserialize<T>(DeserializationContext ctx, MessageParser<T> parser, string method) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(ctx.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the {method} request could not be parsed: {e.Message}"));
        }
    }
}

using Google.Protobuf;
using Grpc.Core;
using Kvm.Provider.Discovery;
using Kvm.Provider.Remote;
using Kvm.Provider.Rpc;

namespace Kvm.Provider.Agent;

/// <summary>How the agent answers one <see cref="AgentMethod{TRequest, TResponse}"/>: parse the request, run it with the agent's own provider.</summary>
internal sealed record AgentRoute(string Name, Func<ResourceProviderService, ByteString, CancellationToken, Task<IMessage>> ServeAsync)
{
    public static AgentRoute To<TRequest, TResponse>(AgentMethod<TRequest, TResponse> method, Func<ResourceProviderService, TRequest, CancellationToken, Task<TResponse>> serve)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        new(method.Name, async (service, request, ct) =>
        {
            TRequest parsed;
            try
            {
                parsed = method.Requests.ParseFrom(request);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the {method.Name} request could not be parsed: {e.Message}"));
            }
            return await serve(service, parsed, ct).ConfigureAwait(false);
        });
}

/// <summary>Every call the agent serves, by name.</summary>
internal static class AgentRoutes
{
    public static IReadOnlyDictionary<string, AgentRoute> ByName { get; } = new[]
    {
        AgentRoute.To(AgentMethods.Configure, (s, r, ct) => s.Configure(r, ct)),
        AgentRoute.To(AgentMethods.Check, (s, r, ct) => s.Check(r, ct)),
        AgentRoute.To(AgentMethods.Diff, (s, r, ct) => s.Diff(r, ct)),
        AgentRoute.To(AgentMethods.Create, (s, r, ct) => s.Create(r, ct)),
        AgentRoute.To(AgentMethods.Read, (s, r, ct) => s.Read(r, ct)),
        AgentRoute.To(AgentMethods.Update, (s, r, ct) => s.Update(r, ct)),
        AgentRoute.To(AgentMethods.Delete, (s, r, ct) => s.Delete(r, ct)),
        AgentRoute.To(AgentMethods.Discover, (_, r, ct) => DiscoverCommand.ServeAsync(r, ct)),
    }.ToDictionary(r => r.Name, StringComparer.Ordinal);
}

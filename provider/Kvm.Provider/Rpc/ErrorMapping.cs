using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Resources;
using Kvm.Provider.Values;

namespace Kvm.Provider.Rpc;

/// <summary>
/// Turns exceptions into deliberate gRPC statuses. InvalidArgument / FailedPrecondition /
/// NotFound / AlreadyExists mean nothing was applied; Unknown means the host's state is unknown.
/// </summary>
internal static class ErrorMapping
{
    public static RpcException ToRpc(Exception e, string operation) => e switch
    {
        RpcException rpc => rpc,
        ResourceInitFailedException init => InitFailed(init),
        ProviderException p => new RpcException(new Status(p.Code, p.Message)),
        PropertyValueException v => new RpcException(new Status(StatusCode.InvalidArgument,
            v.Path.Length == 0 ? v.Message : $"{v.Path}: {v.Message}")),
        OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, $"{operation} was cancelled")),
        // A remote host out of reach, or a session that broke: the message says whether the change may have been made.
        Remote.AgentConnectionLostException or Remote.AgentProtocolException => new RpcException(new Status(StatusCode.Unavailable, e.Message)),
        _ => Unexpected(e, operation),
    };

    /// <summary>An exception no code path expected: a bug. The engine gets its message; the plugin's stderr gets all of it.</summary>
    private static RpcException Unexpected(Exception e, string operation)
    {
        lock (Console.Error) Console.Error.WriteLine($"pulumi-resource-kvm: {operation} failed unexpectedly: {e}");
        return new RpcException(new Status(StatusCode.Unknown, $"{operation} failed: {e.Message}"));
    }

    private static RpcException InitFailed(ResourceInitFailedException e)
    {
        var detail = new Pulumirpc.ErrorResourceInitFailed
        {
            Id = e.Id,
            Properties = StructCodec.Encode(e.Properties ?? ObjectValue.Empty),
            Inputs = StructCodec.Encode(e.Inputs ?? ObjectValue.Empty),
            Reasons = { e.Message },
        };
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.Unknown,
            Message = e.Message,
            Details = { Any.Pack(detail) },
        };
        var trailers = new Metadata { { GrpcTrailers.StatusDetails, status.ToByteArray() } };
        return new RpcException(new Status(StatusCode.Unknown, e.Message), trailers);
    }
}

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
    /// <summary>The status of <paramref name="e"/>, its text without the request's <paramref name="secrets"/>.</summary>
    public static RpcException ToRpc(Exception e, string operation, SecretScrubber? secrets = null)
    {
        var s = secrets ?? SecretScrubber.None;
        return e switch
        {
            RpcException rpc => rpc,
            ResourceInitFailedException init => InitFailed(init, s),
            ProviderException p => new RpcException(new Status(p.Code, s.Scrub(NonEmpty(p.Message, operation)))),
            PropertyValueException v => new RpcException(new Status(StatusCode.InvalidArgument,
                s.Scrub(v.Path.Length == 0 ? v.Message : $"{v.Path}: {v.Message}"))),
            OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, $"{operation} was cancelled")),
            // A remote host out of reach, or a session that broke: the message says whether the change may have been made.
            Remote.AgentConnectionLostException or Remote.AgentProtocolException => new RpcException(new Status(StatusCode.Unavailable, s.Scrub(e.Message))),
            // What the host holds is not what the provider can read (libvirt XML it does not understand): nothing was changed.
            FormatException or System.Xml.XmlException => new RpcException(new Status(StatusCode.FailedPrecondition,
                s.Scrub($"{operation}: the host holds something the provider cannot read: {NonEmpty(e.Message, operation)}"))),
            _ => Unexpected(e, operation, s),
        };
    }

    /// <summary>A status always says something: libvirt sometimes reports an error whose text is only whitespace.</summary>
    private static string NonEmpty(string message, string operation) =>
        string.IsNullOrWhiteSpace(message) ? $"{operation} failed, and the host gave no reason" : message.Trim();

    /// <summary>An exception no code path expected: a bug. The engine gets its message; the plugin's stderr gets all of it.</summary>
    private static RpcException Unexpected(Exception e, string operation, SecretScrubber secrets)
    {
        lock (Console.Error) Console.Error.WriteLine(secrets.Scrub($"pulumi-resource-kvm: {operation} failed unexpectedly: {e}"));
        return new RpcException(new Status(StatusCode.Unknown, secrets.Scrub($"{operation} failed: {NonEmpty(e.Message, operation)}")));
    }

    private static RpcException InitFailed(ResourceInitFailedException e, SecretScrubber secrets)
    {
        var message = secrets.Scrub(NonEmpty(e.Message, "the operation"));
        var detail = new Pulumirpc.ErrorResourceInitFailed
        {
            Id = e.Id,
            Properties = StructCodec.Encode(e.Properties ?? ObjectValue.Empty),
            Inputs = StructCodec.Encode(e.Inputs ?? ObjectValue.Empty),
            Reasons = { message },
        };
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.Unknown,
            Message = message,
            Details = { Any.Pack(detail) },
        };
        var trailers = new Metadata { { GrpcTrailers.StatusDetails, status.ToByteArray() } };
        return new RpcException(new Status(StatusCode.Unknown, message), trailers);
    }
}

using Grpc.Core;

namespace Kvm.Provider.Resources;

/// <summary>
/// A failure with a deliberate gRPC code. InvalidArgument, FailedPrecondition, NotFound and
/// AlreadyExists promise the engine that nothing was applied.
/// </summary>
public class ProviderException(StatusCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public StatusCode Code { get; } = code;

    public static ProviderException AlreadyExists(string message) => new(StatusCode.AlreadyExists, message);
    public static ProviderException InvalidArgument(string message) => new(StatusCode.InvalidArgument, message);
    public static ProviderException FailedPrecondition(string message) => new(StatusCode.FailedPrecondition, message);
    public static ProviderException NotFound(string message) => new(StatusCode.NotFound, message);
}

/// <summary>
/// The object was created on the host but not fully configured. The engine records the id and
/// state (so nothing is orphaned) and the next `pulumi up` finishes the job.
/// </summary>
public sealed class ResourceInitFailedException(string id, object state, string reason, Exception? inner = null)
    : Exception(reason, inner)
{
    public string Id { get; } = id;

    /// <summary>The State record as observed after the failure.</summary>
    public object State { get; } = state;

    /// <summary>The outputs and inputs as the engine should record them (filled in by the resource base).</summary>
    public Values.ObjectValue? Properties { get; set; }
    public Values.ObjectValue? Inputs { get; set; }
}

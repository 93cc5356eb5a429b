using Grpc.Core;

namespace Kvm.Provider.Diagnostics;

/// <summary>
/// A failure with a deliberate gRPC code. InvalidArgument, FailedPrecondition, NotFound and
/// AlreadyExists promise the engine that nothing was applied.
/// </summary>
internal class ProviderException(StatusCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public StatusCode Code { get; } = code;

    public static ProviderException AlreadyExists(string message) => new(StatusCode.AlreadyExists, message);
    public static ProviderException InvalidArgument(string message) => new(StatusCode.InvalidArgument, message);
    public static ProviderException FailedPrecondition(string message) => new(StatusCode.FailedPrecondition, message);
    public static ProviderException NotFound(string message) => new(StatusCode.NotFound, message);
}

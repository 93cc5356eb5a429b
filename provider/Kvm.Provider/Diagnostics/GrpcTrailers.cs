namespace Kvm.Provider.Diagnostics;

/// <summary>The gRPC trailers the provider writes, and its agent on a remote host forwards verbatim.</summary>
internal static class GrpcTrailers
{
    /// <summary>The trailer the engine reads for google.rpc.Status details (a partly created resource's id and state).</summary>
    public const string StatusDetails = "grpc-status-details-bin";
}

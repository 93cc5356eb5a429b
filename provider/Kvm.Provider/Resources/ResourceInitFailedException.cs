namespace Kvm.Provider.Resources;

/// <summary>
/// The object was created on the host but not fully configured. The engine records the id and
/// state (so nothing is orphaned) and the next `pulumi up` finishes the job.
/// </summary>
internal sealed class ResourceInitFailedException(string id, object state, string reason, Exception? inner = null)
    : Exception(reason, inner)
{
    public string Id { get; } = id;

    /// <summary>The State record as observed after the failure.</summary>
    public object State { get; } = state;

    /// <summary>The outputs and inputs as the engine should record them (filled in by the resource base).</summary>
    public Values.ObjectValue? Properties { get; set; }
    public Values.ObjectValue? Inputs { get; set; }
}

using Grpc.Core;
using Kvm.Provider.Diagnostics;

namespace Kvm.Provider.Resources;

/// <summary>
/// The object exists on the host, but libvirt reports it in a form the provider cannot read (a value
/// a newer libvirt added, or another client wrote). Nothing can be changed safely, so Create, Update
/// and import fail; a refresh keeps the object as last recorded and says so (<see cref="Resource{TArgs,TState}"/>).
/// </summary>
internal sealed class HostObjectUnreadableException(string what, Exception inner)
    : ProviderException(StatusCode.FailedPrecondition, $"libvirt reports {what} in a form the provider cannot read: {inner.Message.Trim()}", inner)
{
    public string What { get; } = what;
}

using Grpc.Core;
using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;

namespace Kvm.Provider.Resources;

/// <summary>
/// The one translation of the host's refusals into gRPC statuses, for every resource. The kernel's
/// and libvirt's calls are atomic: a refusal means nothing was applied, and the status says so
/// (InvalidArgument for a value the host refused, FailedPrecondition for a state of the host,
/// AlreadyExists, NotFound). A connection to libvirt lost mid-call is Unavailable (the change may or
/// may not have been made); what cannot be told apart from a bug stays Unknown.
/// </summary>
internal static class HostErrors
{
    /// <param name="what">The operation, for people: "creating bridge br0".</param>
    /// <param name="where">Where the kernel is: "the provider's network namespace", "network namespace lab1".</param>
    public static ProviderException Refused(NetlinkException e, string what, string where) => e.Errno switch
    {
        Errno.EEXIST => ProviderException.AlreadyExists($"{what}: the name is taken ({e.Message})"),
        Errno.EOPNOTSUPP => ProviderException.FailedPrecondition(
            $"{what}: the kernel of {where} does not support a requested setting (bridge VLAN filtering needs CONFIG_BRIDGE_VLAN_FILTERING): {e.Message}"),
        Errno.EPERM or Errno.EACCES => ProviderException.FailedPrecondition($"{what}: permission denied (the provider needs CAP_NET_ADMIN): {e.Message}"),
        Errno.EINVAL or Errno.ERANGE => ProviderException.InvalidArgument($"{what}: the kernel refused a value: {e.Message}"),
        Errno.ENODEV => ProviderException.FailedPrecondition($"{what}: the interface vanished meanwhile: {e.Message}"),
        Errno.EBUSY or Errno.ELOOP => ProviderException.FailedPrecondition($"{what}: {e.Message}"),
        // The host is not as the change needs it (an address or interface it names is missing); nothing was changed.
        Errno.EADDRNOTAVAIL or Errno.ENOENT => ProviderException.FailedPrecondition($"{what}: the host has no such address or object: {e.Message}"),
        _ => new ProviderException(StatusCode.Unknown, $"{what}: {e.Message}", e),
    };

    /// <param name="what">The operation, for people: "defining domain web".</param>
    /// <param name="libvirt">The connection the call went over: whether it is still alive tells a lost connection from a refusal.</param>
    public static ProviderException Refused(LibvirtException e, string what, ILibvirt libvirt)
    {
        // libvirt's text can end in a newline or be blank; the engine shows the status message as it is.
        var why = e.Message.Trim() is { Length: > 0 } text ? text : $"libvirt gave no reason (error code {e.Code})";
        if (e.MayMeanConnectionLost && !libvirt.IsAlive)
            return new ProviderException(StatusCode.Unavailable, $"{what}: {why} (the connection to libvirt was lost; the change may or may not have been made)", e);
        return e.Code switch
        {
            LibvirtErrorCode.DomExist or LibvirtErrorCode.NetworkExist => new ProviderException(StatusCode.AlreadyExists, $"{what}: {why}", e),
            LibvirtErrorCode.NoDomain or LibvirtErrorCode.NoNetwork => new ProviderException(StatusCode.NotFound, $"{what}: {why}", e),
            LibvirtErrorCode.XmlError or LibvirtErrorCode.XmlDetail or LibvirtErrorCode.XmlInvalidSchema or LibvirtErrorCode.InvalidArg
                or LibvirtErrorCode.InvalidMac or LibvirtErrorCode.ConfigUnsupported or LibvirtErrorCode.ArgumentUnsupported
                => new ProviderException(StatusCode.InvalidArgument, $"{what}: libvirt refused the definition: {why} (nothing was changed)", e),
            LibvirtErrorCode.AccessDenied or LibvirtErrorCode.OperationDenied or LibvirtErrorCode.AuthFailed
                => new ProviderException(StatusCode.FailedPrecondition, $"{what}: permission denied: {why}", e),
            _ => new ProviderException(StatusCode.FailedPrecondition, $"{what}: {why} (nothing was changed)", e),
        };
    }

    /// <summary>
    /// A create that finds its name taken on the host (<paramref name="taken"/> says by what): the provider
    /// never adopts an object it did not make; importing it by <paramref name="id"/> is the way.
    /// </summary>
    public static ProviderException NeverAdopted(string taken, string token, string id) =>
        ProviderException.AlreadyExists($"{taken}; the provider never adopts it silently. To manage it, import it: `pulumi import {token} <resource-name> {id}`");
}

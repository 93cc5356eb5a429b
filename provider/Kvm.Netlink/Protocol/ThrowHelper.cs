using System.Diagnostics.CodeAnalysis;

namespace Kvm.Netlink.Protocol;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Decode(string message) => throw new NetlinkDecodeException(message);

    [DoesNotReturn]
    public static T Decode<T>(string message) => throw new NetlinkDecodeException(message);
}

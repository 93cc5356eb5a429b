namespace Kvm.Netlink.Protocol;

/// <summary>
/// The only exception the decoder throws: the bytes are not a well-formed netlink message
/// (truncated, a length pointing past the end, an attribute of the wrong size, ...).
/// </summary>
public sealed class NetlinkDecodeException : Exception
{
    public NetlinkDecodeException(string message) : base(message) { }
}

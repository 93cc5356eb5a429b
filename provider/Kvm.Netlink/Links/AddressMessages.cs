using System.Net;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>Encodes the RTM_GETADDR dump and decodes RTM_NEWADDR replies.</summary>
internal static class AddressMessages
{
    /// <summary>
    /// All addresses (IPv4 and IPv6) of one link. With strict checking on, the kernel filters
    /// by ifa_index itself (and answers ENODEV when the link does not exist).
    /// </summary>
    public static NetlinkRequest DumpOfLink(int index) =>
        new NetlinkMessageWriter(NetlinkMessageType.GetAddress, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump)
            .Write(new IfAddrMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, index))
            .ToRequest();

    public static LinkAddress? ParseAddress(in NetlinkMessage message)
    {
        if (message.Header.Type != NetlinkMessageType.NewAddress)
            return null;
        var header = IfAddrMessage.Read(message.Payload);
        IPAddress? local = null;
        IPAddress? address = null;
        string? label = null;
        foreach (var attribute in message.AttributesAfter(IfAddrMessage.Size))
        {
            switch (attribute.Type)
            {
                // For IPv4 IFA_LOCAL is the interface's own address and IFA_ADDRESS the peer on
                // point-to-point links; IPv6 sends only IFA_ADDRESS.
                case AddressAttribute.Local:
                    local = ReadIp(attribute);
                    break;
                case AddressAttribute.Address:
                    address = ReadIp(attribute);
                    break;
                case AddressAttribute.Label:
                    label = attribute.GetString();
                    break;
            }
        }
        var own = local ?? address;
        return own is null ? null : new LinkAddress(header.Index, own, header.PrefixLength, (AddressScope)header.Scope, label);
    }

    private static IPAddress ReadIp(in NetlinkAttribute attribute) => attribute.Value.Length switch
    {
        4 or 16 => new IPAddress(attribute.Value),
        var n => ThrowHelper.Decode<IPAddress>($"address attribute of {n} bytes is neither IPv4 nor IPv6"),
    };
}

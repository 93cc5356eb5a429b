using System.Net;
using System.Net.Sockets;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>Encodes RTM_GETADDR dumps and RTM_NEWADDR / RTM_DELADDR requests; decodes RTM_NEWADDR replies.</summary>
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

    /// <summary>Every address of every link of the namespace.</summary>
    public static NetlinkRequest DumpAll() => DumpOfLink(0);

    /// <summary>
    /// Adds an address as `ip addr add ADDR/LEN dev LINK` does: IFA_LOCAL and IFA_ADDRESS both the
    /// address (no peer), scope global, no broadcast (the kernel's broadcast route is made anyway).
    /// EXCL: an address the link already holds is EEXIST, not silently kept.
    /// </summary>
    public static NetlinkRequest Add(int index, IPAddress address, byte prefixLength) =>
        Change(NetlinkMessageType.NewAddress, NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack | NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive,
            index, address, prefixLength);

    /// <summary>Removes an address from a link (EADDRNOTAVAIL when the link does not hold it).</summary>
    public static NetlinkRequest Delete(int index, IPAddress address, byte prefixLength) =>
        Change(NetlinkMessageType.DelAddress, NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack, index, address, prefixLength);

    private static NetlinkRequest Change(ushort type, NetlinkMessageFlags flags, int index, IPAddress address, byte prefixLength)
    {
        var family = FamilyOf(address);
        var bytes = address.GetAddressBytes();
        if (prefixLength > bytes.Length * 8)
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"at most {bytes.Length * 8} for {address}");
        return new NetlinkMessageWriter(type, flags)
            .Write(new IfAddrMessage(family, prefixLength, 0, 0, index))
            .AddBytes(AddressAttribute.Local, bytes)
            .AddBytes(AddressAttribute.Address, bytes)
            .ToRequest();
    }

    internal static byte FamilyOf(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => NetlinkAddressFamily.Inet,
        AddressFamily.InterNetworkV6 => NetlinkAddressFamily.Inet6,
        var f => throw new ArgumentException($"{address} is neither IPv4 nor IPv6 ({f})", nameof(address)),
    };

    public static LinkAddress? ParseAddress(in NetlinkMessage message)
    {
        if (message.Header.Type != NetlinkMessageType.NewAddress)
            return null;
        var header = IfAddrMessage.Read(message.Payload);
        IPAddress? local = null;
        IPAddress? address = null;
        string? label = null;
        uint flags = header.Flags;
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
                case AddressAttribute.Flags:
                    flags = attribute.GetUInt32();
                    break;
            }
        }
        var own = local ?? address;
        return own is null ? null : new LinkAddress(header.Index, own, header.PrefixLength, (AddressScope)header.Scope, label) { Flags = (AddressFlags)flags };
    }

    internal static IPAddress ReadIp(in NetlinkAttribute attribute) => attribute.Value.Length switch
    {
        4 or 16 => new IPAddress(attribute.Value),
        var n => ThrowHelper.Decode<IPAddress>($"address attribute of {n} bytes is neither IPv4 nor IPv6"),
    };
}

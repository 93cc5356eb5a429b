using Kvm.Netlink.Protocol;

namespace Kvm.Netlink;

/// <summary>Encodes RTM_*LINK requests and decodes RTM_NEWLINK replies. Pure: no socket, so every byte can be tested.</summary>
internal static class LinkMessages
{
    private const uint FlagUp = (uint)LinkFlags.Up;
    private const NetlinkMessageFlags DoRequest = NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack;
    private const NetlinkMessageFlags DumpRequest = NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump;

    public static NetlinkRequest Dump() =>
        new NetlinkMessageWriter(NetlinkMessageType.GetLink, DumpRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, 0))
            .AddUInt32(LinkAttribute.ExtendedMask, ExtendedFilter.SkipStats)
            .ToRequest();

    /// <summary>
    /// A dump the kernel filters to the ports of one master (IFLA_MASTER in the request, as
    /// `ip link show master br0` sends it), so reading a bridge's ports costs what the bridge has,
    /// not what the host has.
    /// </summary>
    public static NetlinkRequest DumpPortsOf(int masterIndex) =>
        new NetlinkMessageWriter(NetlinkMessageType.GetLink, DumpRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, 0))
            .AddUInt32(LinkAttribute.ExtendedMask, ExtendedFilter.SkipStats)
            .AddUInt32(LinkAttribute.Master, (uint)masterIndex)
            .ToRequest();

    public static NetlinkRequest GetByName(string name) =>
        new NetlinkMessageWriter(NetlinkMessageType.GetLink, DoRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, 0))
            .AddString(LinkAttribute.Name, name)
            .AddUInt32(LinkAttribute.ExtendedMask, ExtendedFilter.SkipStats)
            .ToRequest();

    public static NetlinkRequest GetByIndex(int index) =>
        new NetlinkMessageWriter(NetlinkMessageType.GetLink, DoRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, index, 0, 0))
            .AddUInt32(LinkAttribute.ExtendedMask, ExtendedFilter.SkipStats)
            .ToRequest();

    /// <summary>
    /// One RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL that carries everything but the MTU: the
    /// kernel registers the bridge, applies the IFLA_BR_* options and the flags, and removes the
    /// bridge again if any option is refused, so a failed create leaves nothing behind.
    /// </summary>
    /// <remarks>
    /// An IFLA_MTU here would be stored without marking it as chosen by the user, and the bridge
    /// driver would replace it with its ports' minimum as soon as the first port joins. An MTU
    /// set afterwards (<see cref="SetMtuByName"/>) sticks.
    /// </remarks>
    public static NetlinkRequest CreateBridge(NewBridge bridge)
    {
        var writer = new NetlinkMessageWriter(NetlinkMessageType.NewLink,
            DoRequest | NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive);
        writer.Write(InfoHeader(0, bridge.AdminState));
        writer.AddString(LinkAttribute.Name, bridge.Name);
        WriteCommon(writer, mtu: null, bridge.Address, masterIndex: null);
        WriteBridgeLinkInfo(writer, bridge.Options);
        return writer.ToRequest();
    }

    /// <summary>RTM_NEWLINK naming the link by IFLA_IFNAME (ifi_index 0): sets the MTU of a link just created, before its ifindex is known.</summary>
    public static NetlinkRequest SetMtuByName(string name, uint mtu) =>
        new NetlinkMessageWriter(NetlinkMessageType.NewLink, DoRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, 0))
            .AddString(LinkAttribute.Name, name)
            .AddUInt32(LinkAttribute.Mtu, mtu)
            .ToRequest();

    /// <summary>RTM_DELLINK by IFLA_IFNAME, to take back a create whose follow-up failed.</summary>
    public static NetlinkRequest DeleteByName(string name) =>
        new NetlinkMessageWriter(NetlinkMessageType.DelLink, DoRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, 0))
            .AddString(LinkAttribute.Name, name)
            .ToRequest();

    /// <summary>
    /// One RTM_NEWLINK without NLM_F_CREATE on an existing ifindex. RTM_NEWLINK rather than
    /// RTM_SETLINK because only it passes IFLA_LINKINFO to the bridge driver's changelink,
    /// so bridge options and generic settings travel together.
    /// </summary>
    public static NetlinkRequest Change(int index, LinkChange change)
    {
        var writer = new NetlinkMessageWriter(NetlinkMessageType.NewLink, DoRequest);
        writer.Write(InfoHeader(index, change.AdminState));
        WriteCommon(writer, change.Mtu, change.Address, change.MasterIndex);
        if (change.Bridge is { IsEmpty: false } options)
            WriteBridgeLinkInfo(writer, options);
        if (change.Port is { IsEmpty: false } port)
            WritePortLinkInfo(writer, port);
        return writer.ToRequest();
    }

    public static NetlinkRequest SetGroup(int index, uint group) =>
        new NetlinkMessageWriter(NetlinkMessageType.NewLink, DoRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, index, 0, 0))
            .AddUInt32(LinkAttribute.Group, group)
            .ToRequest();

    /// <summary>RTM_DELLINK of every link in a device group: one unregistration for all of them.</summary>
    public static NetlinkRequest DeleteGroup(uint group) =>
        new NetlinkMessageWriter(NetlinkMessageType.DelLink, DoRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, 0, 0, 0))
            .AddUInt32(LinkAttribute.Group, group)
            .ToRequest();

    public static NetlinkRequest Delete(int index) =>
        new NetlinkMessageWriter(NetlinkMessageType.DelLink, DoRequest)
            .Write(new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, index, 0, 0))
            .ToRequest();

    public static Link? ParseLink(in NetlinkMessage message)
    {
        if (message.Header.Type != NetlinkMessageType.NewLink)
            return null;
        var header = IfInfoMessage.Read(message.Payload);
        string? name = null;
        string? kind = null;
        string? portKind = null;
        uint mtu = 0;
        MacAddress? address = null;
        var operationalState = OperationalState.Unknown;
        int? masterIndex = null;
        uint group = 0;
        ReadOnlySpan<byte> kindData = default;
        var hasKindData = false;
        ReadOnlySpan<byte> portData = default;

        foreach (var attribute in message.AttributesAfter(IfInfoMessage.Size))
        {
            switch (attribute.Type)
            {
                case LinkAttribute.Name:
                    name = attribute.GetString();
                    break;
                case LinkAttribute.Mtu:
                    mtu = attribute.GetUInt32();
                    break;
                case LinkAttribute.Address:
                    address = attribute.Value.Length == MacAddress.Size ? new MacAddress(attribute.Value) : null;
                    break;
                case LinkAttribute.OperationalState:
                    operationalState = (OperationalState)attribute.GetByte();
                    break;
                case LinkAttribute.Group:
                    group = attribute.GetUInt32();
                    break;
                case LinkAttribute.Master:
                    var master = attribute.GetInt32();
                    masterIndex = master == 0 ? null : master;
                    break;
                case LinkAttribute.LinkInfo:
                    foreach (var info in attribute.GetNested())
                    {
                        switch (info.Type)
                        {
                            case LinkInfoAttribute.Kind:
                                kind = info.GetString();
                                break;
                            case LinkInfoAttribute.PortKind:
                                portKind = info.GetString();
                                break;
                            case LinkInfoAttribute.Data:
                                kindData = info.Value;
                                hasKindData = true;
                                break;
                            case LinkInfoAttribute.PortData:
                                portData = info.Value;
                                break;
                        }
                    }
                    break;
            }
        }

        if (name is null)
            ThrowHelper.Decode($"RTM_NEWLINK for ifindex {header.Index} has no IFLA_IFNAME");
        var isBridge = kind == LinkKinds.Bridge && hasKindData;
        var bridge = isBridge ? ParseBridgeOptions(kindData) : null;
        return new Link(header.Index, name, kind, mtu, address, operationalState, (LinkFlags)header.Flags, masterIndex, bridge, portKind)
        {
            Group = group,
            BridgeSwitches = isBridge ? ParseBridgeSwitches(kindData) : BridgeSwitches.None,
            PortSettings = portKind == LinkKinds.Bridge ? ParsePortSettings(portData) : BridgePortSettings.None,
        };
    }

    /// <summary>Every IFLA_BRPORT_* attribute of 1, 2 or 4 bytes (flags, priority, cost, ...); ids, timers and nests are left out.</summary>
    public static BridgePortSettings ParsePortSettings(ReadOnlySpan<byte> data)
    {
        var settings = BridgePortSettings.None;
        foreach (var attribute in new NetlinkAttributeReader(data))
        {
            if (attribute.IsNested) continue;
            settings = attribute.Value.Length switch
            {
                1 => settings.With(attribute.Type, attribute.GetByte(), 1),
                2 => settings.With(attribute.Type, attribute.GetUInt16(), 2),
                4 => settings.With(attribute.Type, attribute.GetUInt32(), 4),
                _ => settings,
            };
        }
        return settings;
    }

    /// <summary>Every IFLA_BR_* attribute with a one-byte value: the bridge's on/off settings.</summary>
    public static BridgeSwitches ParseBridgeSwitches(ReadOnlySpan<byte> data)
    {
        var switches = BridgeSwitches.None;
        foreach (var attribute in new NetlinkAttributeReader(data))
            if (attribute.Value.Length == 1) switches = switches.With(attribute.Type, attribute.GetByte() != 0);
        return switches;
    }

    public static BridgeOptions ParseBridgeOptions(ReadOnlySpan<byte> data)
    {
        var options = BridgeOptions.Empty;
        foreach (var attribute in new NetlinkAttributeReader(data))
        {
            options = attribute.Type switch
            {
                BridgeAttribute.ForwardDelay => options with { ForwardDelayCentiseconds = attribute.GetUInt32() },
                BridgeAttribute.HelloTime => options with { HelloTimeCentiseconds = attribute.GetUInt32() },
                BridgeAttribute.MaxAge => options with { MaxAgeCentiseconds = attribute.GetUInt32() },
                BridgeAttribute.AgeingTime => options with { AgeingTimeCentiseconds = attribute.GetUInt32() },
                BridgeAttribute.StpState => options with { StpState = (BridgeStpState)attribute.GetUInt32() },
                BridgeAttribute.Priority => options with { Priority = attribute.GetUInt16() },
                BridgeAttribute.VlanFiltering => options with { VlanFiltering = attribute.GetByte() != 0 },
                BridgeAttribute.VlanProtocol => options with { VlanProtocol = (BridgeVlanProtocol)attribute.GetUInt16BigEndian() },
                BridgeAttribute.VlanDefaultPvid => options with { VlanDefaultPvid = attribute.GetUInt16() },
                BridgeAttribute.MulticastSnooping => options with { MulticastSnooping = attribute.GetByte() != 0 },
                _ => options,
            };
        }
        return options;
    }

    private static IfInfoMessage InfoHeader(int index, AdminState? adminState) => adminState switch
    {
        null => new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, index, 0, 0),
        AdminState.Up => new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, index, FlagUp, FlagUp),
        _ => new IfInfoMessage(NetlinkAddressFamily.Unspecified, 0, index, 0, FlagUp),
    };

    private static void WriteCommon(NetlinkMessageWriter writer, uint? mtu, MacAddress? address, int? masterIndex)
    {
        if (mtu is { } m)
            writer.AddUInt32(LinkAttribute.Mtu, m);
        if (address is { } a)
        {
            Span<byte> bytes = stackalloc byte[MacAddress.Size];
            a.CopyTo(bytes);
            writer.AddBytes(LinkAttribute.Address, bytes);
        }
        if (masterIndex is { } master)
            writer.AddInt32(LinkAttribute.Master, master);
    }

    private static void WriteBridgeLinkInfo(NetlinkMessageWriter writer, BridgeOptions? options)
    {
        var linkInfo = writer.BeginNested(LinkAttribute.LinkInfo);
        writer.AddString(LinkInfoAttribute.Kind, LinkKinds.Bridge);
        if (options is { IsEmpty: false })
        {
            var data = writer.BeginNested(LinkInfoAttribute.Data);
            WriteBridgeOptions(writer, options);
            writer.EndNested(data);
        }
        writer.EndNested(linkInfo);
    }

    /// <summary>IFLA_LINKINFO { IFLA_INFO_SLAVE_KIND "bridge", IFLA_INFO_SLAVE_DATA { IFLA_BRPORT_* } }, as `ip link set DEV type bridge_slave` sends it.</summary>
    private static void WritePortLinkInfo(NetlinkMessageWriter writer, BridgePortSettings settings)
    {
        var linkInfo = writer.BeginNested(LinkAttribute.LinkInfo);
        writer.AddString(LinkInfoAttribute.PortKind, LinkKinds.Bridge);
        var data = writer.BeginNested(LinkInfoAttribute.PortData);
        foreach (var (type, value, size) in settings.All)
        {
            _ = size switch
            {
                1 => writer.AddByte(type, (byte)value),
                2 => writer.AddUInt16(type, (ushort)value),
                _ => writer.AddUInt32(type, value),
            };
        }
        writer.EndNested(data);
        writer.EndNested(linkInfo);
    }

    private static void WriteBridgeOptions(NetlinkMessageWriter writer, BridgeOptions options)
    {
        // The named ones in attribute-number order, then the switches; the kernel applies them in its own fixed order anyway.
        if (options.ForwardDelayCentiseconds is { } forwardDelay)
            writer.AddUInt32(BridgeAttribute.ForwardDelay, forwardDelay);
        if (options.HelloTimeCentiseconds is { } helloTime)
            writer.AddUInt32(BridgeAttribute.HelloTime, helloTime);
        if (options.MaxAgeCentiseconds is { } maxAge)
            writer.AddUInt32(BridgeAttribute.MaxAge, maxAge);
        if (options.AgeingTimeCentiseconds is { } ageingTime)
            writer.AddUInt32(BridgeAttribute.AgeingTime, ageingTime);
        if (options.StpState is { } stp)
            writer.AddUInt32(BridgeAttribute.StpState, (uint)stp);
        if (options.Priority is { } priority)
            writer.AddUInt16(BridgeAttribute.Priority, priority);
        if (options.VlanFiltering is { } vlanFiltering)
            writer.AddByte(BridgeAttribute.VlanFiltering, vlanFiltering ? (byte)1 : (byte)0);
        if (options.VlanProtocol is { } protocol)
            writer.AddUInt16BigEndian(BridgeAttribute.VlanProtocol, (ushort)protocol);
        if (options.MulticastSnooping is { } snooping)
            writer.AddByte(BridgeAttribute.MulticastSnooping, snooping ? (byte)1 : (byte)0);
        if (options.VlanDefaultPvid is { } pvid)
            writer.AddUInt16(BridgeAttribute.VlanDefaultPvid, pvid);
        foreach (var (type, on) in options.Switches.All)
            writer.AddByte(type, on ? (byte)1 : (byte)0);
    }
}

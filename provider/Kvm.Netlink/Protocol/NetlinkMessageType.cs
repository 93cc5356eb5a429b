namespace Kvm.Netlink.Protocol;

/// <summary>nlmsg_type values: the netlink control messages and the rtnetlink ones this library speaks.</summary>
public static class NetlinkMessageType
{
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;

    public const ushort NewLink = 16;
    public const ushort DelLink = 17;
    public const ushort GetLink = 18;
    public const ushort SetLink = 19;
    public const ushort NewAddress = 20;
    public const ushort DelAddress = 21;
    public const ushort GetAddress = 22;
    public const ushort NewRoute = 24;
    public const ushort DelRoute = 25;
    public const ushort GetRoute = 26;

    /// <summary>The kernel's name for a message type, for error messages and logs.</summary>
    public static string Name(ushort type) => type switch
    {
        Noop => "NLMSG_NOOP",
        Error => "NLMSG_ERROR",
        Done => "NLMSG_DONE",
        Overrun => "NLMSG_OVERRUN",
        NewLink => "RTM_NEWLINK",
        DelLink => "RTM_DELLINK",
        GetLink => "RTM_GETLINK",
        SetLink => "RTM_SETLINK",
        NewAddress => "RTM_NEWADDR",
        DelAddress => "RTM_DELADDR",
        GetAddress => "RTM_GETADDR",
        NewRoute => "RTM_NEWROUTE",
        DelRoute => "RTM_DELROUTE",
        GetRoute => "RTM_GETROUTE",
        _ => $"message type {type}",
    };
}

namespace Kvm.Netlink.Protocol;

/// <summary>nlmsg_flags. The high byte means different things for GET, NEW and ACK messages, hence the shared values.</summary>
[Flags]
public enum NetlinkMessageFlags : ushort
{
    None = 0,
    Request = 0x1,
    Multi = 0x2,
    Ack = 0x4,
    Echo = 0x8,
    DumpInterrupted = 0x10,
    DumpFiltered = 0x20,

    // GET requests
    Root = 0x100,
    Match = 0x200,
    Dump = Root | Match,

#pragma warning disable CA1069 // the kernel reuses these bits per request kind
    // NEW requests
    Replace = 0x100,
    Exclusive = 0x200,
    Create = 0x400,
    Append = 0x800,

    // NLMSG_ERROR replies
    Capped = 0x100,
    AckTlvs = 0x200,
#pragma warning restore CA1069
}

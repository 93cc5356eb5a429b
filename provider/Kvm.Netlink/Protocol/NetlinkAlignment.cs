namespace Kvm.Netlink.Protocol;

/// <summary>Messages and attributes start on 4-byte boundaries (NLMSG_ALIGN / NLA_ALIGN).</summary>
public static class NetlinkAlignment
{
    public const int Boundary = 4;

    public static int Align(int length) => (length + Boundary - 1) & ~(Boundary - 1);

    /// <summary>Aligns without overflowing, for lengths read from untrusted input.</summary>
    internal static long Align(long length) => (length + Boundary - 1) & ~(long)(Boundary - 1);
}

namespace Kvm.Netlink.Protocol;

/// <summary>The AF_* values that appear in rtnetlink family headers (System.Net's enum lacks AF_BRIDGE and uses other numbers).</summary>
public static class NetlinkAddressFamily
{
    public const byte Unspecified = 0;
    public const byte Inet = 2;
    public const byte Bridge = 7;
    public const byte Inet6 = 10;
}

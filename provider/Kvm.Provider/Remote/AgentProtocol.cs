namespace Kvm.Provider.Remote;

/// <summary>Constants both ends of the agent protocol (Protocol/remote.proto) agree on.</summary>
internal static class AgentProtocol
{
    /// <summary>The version of remote.proto this build speaks; Hello carries it.</summary>
    public const uint Version = 1;

    /// <summary>
    /// Written by the agent before its first frame. A remote login shell may print (a banner, an echo
    /// in .bashrc) before the agent starts; the plugin skips up to this marker and reports what it skipped.
    /// </summary>
    public static ReadOnlyMemory<byte> Marker { get; } = "\0pulumi-resource-kvm agent 1\n"u8.ToArray();

    /// <summary>The agent subcommand of the plugin's binary.</summary>
    public const string Command = "agent";

    /// <summary>The oldest kernel the provider works on: it asks rtnetlink for strict checking (NETLINK_GET_STRICT_CHK, Linux 4.20).</summary>
    public static readonly Version MinimumKernel = new(4, 20);

    /// <summary>What keeps a host with this kernel release from being managed, or null when nothing does.</summary>
    public static string? KernelProblem(string release)
    {
        var digits = new string([.. release.TakeWhile(c => char.IsAsciiDigit(c) || c == '.')]).Trim('.');
        var parts = digits.Split('.');
        if (parts.Length < 2 || !int.TryParse(parts[0], out var major) || !int.TryParse(parts[1], out var minor))
            return null;
        return new Version(major, minor) >= MinimumKernel
            ? null
            : $"its Linux kernel {release} is too old: the provider needs {MinimumKernel.Major}.{MinimumKernel.Minor} or later (strict rtnetlink checking, NETLINK_GET_STRICT_CHK)";
    }
}

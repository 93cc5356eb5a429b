using System.Text.RegularExpressions;

namespace Kvm.Lab;

/// <summary>
/// Asks a DHCP server on a bridge of a lab namespace for a lease, as a client with a given MAC
/// plugged into the bridge through a veth pair (busybox udhcpc, configuring nothing); the pair
/// is removed afterwards. An observer independent of the provider.
/// </summary>
public static partial class DhcpClient
{
    /// <summary>The address offered to <paramref name="mac"/> on <paramref name="bridge"/>, or null.</summary>
    public static string? Lease(LabNamespace ns, string bridge, string mac)
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        string client = $"dc{id}", port = $"dp{id}";
        ns.Ip("link", "add", client, "type", "veth", "peer", "name", port);
        try
        {
            ns.Ip("link", "set", port, "master", bridge, "up");
            ns.Ip("link", "set", client, "address", mac, "up");
            var r = ns.Exec("busybox", "udhcpc", "-f", "-q", "-n", "-i", client, "-t", "8", "-T", "1", "-s", "/bin/true");
            var m = LeaseLine().Match(r.StdOut + r.StdErr);
            return m.Success ? m.Groups[1].Value : null;
        }
        finally
        {
            Shell.Run("ip", "-n", ns.Name, "link", "del", client);
        }
    }

    [GeneratedRegex(@"lease of (\S+) obtained")]
    private static partial Regex LeaseLine();
}

using System.Security;
using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// Observers and helpers for LibvirtNetwork lifecycle tests, all independent of the provider:
/// virsh against the private daemon, ip and busybox udhcpc inside its namespace.
/// </summary>
internal static class NetworkLab
{
    public const string NetworkType = "kvm:index:LibvirtNetwork";

    public static Task<Stack> StackAsync(PrivateLibvirtd lv) =>
        Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["uri"] = lv.Uri, ["netns"] = lv.Namespace.Name }));

    /// <summary><c>virsh net-info</c> as a dictionary (Active, Persistent, Autostart, Bridge...), or null when the network does not exist.</summary>
    public static Dictionary<string, string>? NetInfo(PrivateLibvirtd lv, string name)
    {
        var r = lv.TryVirsh("net-info", name);
        if (r.ExitCode != 0) return null;
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
    }

    public static string DumpXml(PrivateLibvirtd lv, string name, bool inactive = false) =>
        inactive ? lv.Virsh("net-dumpxml", name, "--inactive") : lv.Virsh("net-dumpxml", name);

    public static string[] Networks(PrivateLibvirtd lv) =>
        lv.Virsh("net-list", "--all", "--name").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A small TCG guest with no disk and no kernel (it idles in the firmware, at ~1% CPU) and NICs as given.</summary>
    public static void StartGuest(PrivateLibvirtd lv, string name, string interfacesXml) => lv.VirshXml("create", GuestXml(name, interfacesXml));

    /// <summary>The domain XML of such a guest.</summary>
    public static string GuestXml(string name, string interfacesXml) => $"""
        <domain type='qemu'>
          <name>{SecurityElement.Escape(name)}</name>
          <memory unit='MiB'>64</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            {interfacesXml}
          </devices>
        </domain>
        """;

    public static string NetworkNic(string network, string mac) =>
        $"<interface type='network'><source network='{network}'/><mac address='{mac}'/><model type='virtio'/><rom enabled='no'/></interface>";

    public static string BridgeNic(string bridge, string mac) =>
        $"<interface type='bridge'><source bridge='{bridge}'/><mac address='{mac}'/><model type='virtio'/><rom enabled='no'/></interface>";

    /// <summary>The tap libvirt made for the guest NIC with this MAC (libvirt gives the tap the MAC with an FE first byte).</summary>
    public static string TapOf(LabNamespace ns, string guestMac)
    {
        var tapMac = "fe" + guestMac[2..];
        foreach (var link in ns.Links().EnumerateArray())
        {
            // A bridge without a MAC of its own takes its first port's: the tap is the port, not the bridge.
            var isBridge = link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind) && kind.GetString() == "bridge";
            if (!isBridge && link.TryGetProperty("address", out var a) && a.GetString() == tapMac) return link.GetProperty("ifname").GetString()!;
        }
        throw new Xunit.Sdk.XunitException($"no tap with MAC {tapMac} in {ns.Name}");
    }

    public static int IfIndex(LabNamespace ns, string link) =>
        (ns.Link(link) ?? throw new Xunit.Sdk.XunitException($"{link} does not exist in {ns.Name}")).GetProperty("ifindex").GetInt32();

    /// <summary>The address the network's DHCP server offers a client with <paramref name="mac"/> on <paramref name="bridge"/>, or null.</summary>
    public static string? DhcpLease(LabNamespace ns, string bridge, string mac) => DhcpClient.Lease(ns, bridge, mac);

    /// <summary>The pid of the dnsmasq libvirt runs for the network, from its pid file in the daemon's private /run.</summary>
    public static int? Dnsmasq(PrivateLibvirtd lv, string network) =>
        Poll.ReadPid(lv.Mounts.HostPath($"/run/libvirt/network/{network}.pid")) is { } pid && Poll.Alive(pid) ? pid : null;

    public static IEnumerable<string> Logs(Stack stack, string prefix) =>
        stack.Engine.Logs.Select(l => l.Message).Where(m => m.StartsWith(prefix, StringComparison.Ordinal));
}

/// <summary>
/// Watches a bridge from another thread while something runs: every look (ip -j link show, about
/// every 20 ms) records whether it existed and its ifindex. A restart shows as a gap or a new ifindex.
/// </summary>
internal sealed class BridgeWatch : IAsyncDisposable
{
    private readonly LabNamespace _ns;
    private readonly string _bridge;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public int Looks { get; private set; }
    public int Missing { get; private set; }
    public HashSet<int> IfIndexes { get; } = [];

    public BridgeWatch(LabNamespace ns, string bridge)
    {
        _ns = ns;
        _bridge = bridge;
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var link = _ns.Link(_bridge);
            lock (IfIndexes)
            {
                Looks++;
                if (link is { } l) IfIndexes.Add(l.GetProperty("ifindex").GetInt32());
                else Missing++;
            }
            try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    private int _disposed;

    /// <summary>Stops watching (safe to call twice).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

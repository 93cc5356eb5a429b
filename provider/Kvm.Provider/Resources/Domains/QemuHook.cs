using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Kvm.Netlink;

namespace Kvm.Provider.Resources.Domains;

/// <summary>The netlink services the hook uses, and what to dispose when done.</summary>
internal sealed record HookNetlink(ILinkApi Links, IBridgeVlanApi Vlans, IDisposable? Owner = null) : IDisposable
{
    public void Dispose() => Owner?.Dispose();
}

/// <summary>
/// <c>pulumi-resource-kvm qemu-hook [--state-dir DIR] DOMAIN OP SUBOP EXTRA</c>, run by libvirt's qemu
/// hook script (see <see cref="HookInstaller"/>) with the domain XML on stdin. At <c>start</c> (the guest's
/// taps exist and sit in their bridges; QEMU is not running yet) it programs the VLANs recorded in the
/// domain's metadata on each tap, over rtnetlink in libvirtd's own network namespace. It never calls
/// libvirt (libvirt waits for its hooks: that would deadlock). A failure exits 1, which makes libvirt
/// refuse the start: a guest never runs on the wrong VLAN. Other operations exit 0 at once.
/// </summary>
internal static class QemuHook
{
    public const string Command = "qemu-hook";

    /// <summary>The folder (inside the state dir) holding one file per domain UUID, touched at each start the hook saw.</summary>
    public const string StartedFolder = "started";

    /// <summary>
    /// Runs the hook against the real kernel, reading stdin and writing to stderr. <c>qemu-hook --install DIR</c>
    /// installs it into libvirt's hook folder DIR by hand (the provider does it by itself for a local libvirt;
    /// for a remote one, run this on the KVM host), then restart libvirtd.
    /// </summary>
    public static async Task<int> MainAsync(string[] args)
    {
        if (args is ["--install", var hooksDir])
        {
            var binary = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this program's path");
            try
            {
                var status = new HookInstaller(hooksDir, binary).Ensure();
                await Console.Error.WriteLineAsync($"{(status.Changed ? "installed" : "already installed:")} {status.ScriptPath}" +
                    (status.FirstQemuHook ? "; restart libvirtd: it had no qemu hooks, and it looks for them only when it starts" : "")).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"pulumi-resource-kvm {Command} --install: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }
        return await RunAsync(args, Console.In, Console.Error, () =>
        {
            var socket = NetlinkSocket.Open(NetworkNamespace.Current);
            return new HookNetlink(new LinkService(socket), new BridgeVlanService(socket), socket);
        }, CancellationToken.None).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stderr, Func<HookNetlink> connect, CancellationToken ct)
    {
        string? stateDir = null;
        var positional = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--state-dir" && i + 1 < args.Length) stateDir = args[++i];
            else positional.Add(args[i]);
        }
        // libvirt writes the XML to our stdin for every operation: always drain it, so it never sees a broken pipe.
        var xml = await stdin.ReadToEndAsync(ct).ConfigureAwait(false);
        if (positional.Count < 2)
        {
            await stderr.WriteLineAsync($"usage: pulumi-resource-kvm {Command} [--state-dir DIR] DOMAIN OPERATION [SUBOPERATION EXTRA] < domain.xml" +
                $"{Environment.NewLine}       pulumi-resource-kvm {Command} --install HOOKS_DIR").ConfigureAwait(false);
            return 2;
        }
        var (domain, operation) = (positional[0], positional[1]);
        if (operation != "start") return 0;

        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            await stderr.WriteLineAsync($"pulumi-resource-kvm {Command}: guest {domain}: the domain XML on stdin is not readable: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        MarkStarted(stateDir, root);

        var wanted = GuestVlans.Read(root);
        if (wanted.Count == 0) return 0;

        var ports = new List<(string Tap, DomainVlanArgs Vlan)>();
        var failures = new List<string>();
        foreach (var nic in root.Element("devices")?.Elements("interface") ?? [])
        {
            var mac = nic.Element("mac")?.Attribute("address")?.Value?.ToLowerInvariant();
            if (mac is null || !wanted.TryGetValue(mac, out var vlan)) continue;
            if (nic.Element("target")?.Attribute("dev")?.Value is { Length: > 0 } tap) ports.Add((tap, vlan));
            else failures.Add($"the interface {mac} has no host device yet");
        }

        if (ports.Count > 0 && failures.Count == 0)
        {
            try
            {
                using var netlink = connect();
                foreach (var (tap, vlan) in ports)
                {
                    try
                    {
                        if (await GuestPortVlans.ApplyAsync(netlink.Links, netlink.Vlans, tap, vlan, ct).ConfigureAwait(false) is { } warning)
                            await stderr.WriteLineAsync($"pulumi-resource-kvm {Command}: guest {domain}: warning: {warning}").ConfigureAwait(false);
                    }
                    catch (GuestVlanException e)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
            catch (Exception e) when (e is NetlinkException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                failures.Add($"cannot reach the kernel over rtnetlink: {e.Message}");
            }
        }

        if (failures.Count == 0) return 0;
        await stderr.WriteLineAsync($"pulumi-resource-kvm {Command}: guest {domain} not started, its VLANs could not be applied: {string.Join("; ", failures)}").ConfigureAwait(false);
        return 1;
    }

    /// <summary>Touches STATE/started/UUID, so the provider can tell that libvirtd runs this hook. Best effort.</summary>
    private static void MarkStarted(string? stateDir, XElement root)
    {
        if (stateDir is null || root.Element("uuid")?.Value is not { } uuid || !Guid.TryParse(uuid, out var id)) return;
        try
        {
            var folder = Path.Combine(stateDir, StartedFolder);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, id.ToString("D")), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only hook folder only costs the provider its "did the hook run" check.
        }
    }
}

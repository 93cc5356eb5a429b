using System.Text.Json;

namespace Kvm.Lab;

/// <summary>
/// A throwaway network namespace for one test. The default namespace is never touched:
/// every interface a test makes lives in here and disappears with it.
/// </summary>
public sealed class LabNamespace : IDisposable
{
    public string Name { get; }

    /// <summary>The path netlink code opens to enter this namespace.</summary>
    public string Path => $"/run/netns/{Name}";

    private LabNamespace(string name) => Name = name;

    public static LabNamespace Create(string prefix = "kvmt") => CreateNamed($"{prefix}-{Guid.NewGuid().ToString("N")[..10]}");

    /// <summary>
    /// A namespace for the lab fixtures (private libvirtd, Open vSwitch), named
    /// <c>kvmlab-&lt;our pid&gt;-&lt;random&gt;</c> so that tests/lab/lab-sweep.sh removes it, and
    /// everything running in it, should this process die before disposing it.
    /// </summary>
    public static LabNamespace CreateLab()
    {
        LabSetup.Ensure();
        return CreateNamed(LabSetup.NewName());
    }

    private static LabNamespace CreateNamed(string name)
    {
        Shell.Check("ip", "netns", "add", name);
        var ns = new LabNamespace(name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    /// <summary>Runs <c>ip</c> inside the namespace and returns stdout; throws on failure.</summary>
    public string Ip(params string[] args) => Shell.Check("ip", ["-n", Name, .. args]);

    /// <summary>Runs any command inside the namespace.</summary>
    public ShellResult Exec(string file, params string[] args) => Shell.Run("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary><c>ip -j -d link show</c>: the independent observer of link state.</summary>
    public JsonElement Links() => JsonDocument.Parse(Ip("-j", "-d", "link", "show")).RootElement.Clone();

    /// <summary>One link as <c>ip -j -d link show dev NAME</c> reports it, or null when it does not exist.</summary>
    public JsonElement? Link(string name)
    {
        var r = Shell.Run("ip", "-n", Name, "-j", "-d", "link", "show", "dev", name);
        if (r.ExitCode != 0) return null;
        var arr = JsonDocument.Parse(r.StdOut).RootElement;
        return arr.GetArrayLength() == 0 ? null : arr[0].Clone();
    }

    /// <summary>The link's master (the bridge it is a port of), or null.</summary>
    public string? MasterOf(string link) => Link(link) is { } l && l.TryGetProperty("master", out var m) ? m.GetString() : null;

    /// <summary>The addresses <c>ip -j addr</c> shows on the link as "ADDRESS/PREFIX", link-local ones left out, in order.</summary>
    public string[] Addresses(string link) =>
        [.. JsonDocument.Parse(Ip("-j", "addr", "show", "dev", link)).RootElement[0].GetProperty("addr_info").EnumerateArray()
            .Where(a => a.GetProperty("scope").GetString() != "link")
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")
            .Order(StringComparer.Ordinal)];

    /// <summary>`ip route` lines of the main table through the link, as "DST via GW proto P metric M"; <paramref name="family"/> is "-4" or "-6".</summary>
    public string[] Routes(string family, string link) =>
        [.. JsonDocument.Parse(Ip(family, "-j", "route", "show", "dev", link)).RootElement.EnumerateArray().Select(r =>
            string.Join(" ", new[]
            {
                r.GetProperty("dst").GetString(),
                r.TryGetProperty("gateway", out var g) ? $"via {g.GetString()}" : null,
                r.TryGetProperty("protocol", out var p) ? $"proto {p.GetString()}" : null,
                r.TryGetProperty("metric", out var m) ? $"metric {m.GetInt64()}" : null,
            }.Where(x => x is not null)))];

    /// <summary>Whether `ip link` shows the link administratively up (the UP flag).</summary>
    public bool IsUp(string link) =>
        Link(link) is { } l && l.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "UP");

    /// <summary>"via GW dev LINK" for each default route of the family ("-4" or "-6"), as `ip -j route show default` lists them.</summary>
    public string[] DefaultRoutes(string family) =>
        [.. JsonDocument.Parse(Ip(family, "-j", "route", "show", "default")).RootElement.EnumerateArray()
            .Select(r => $"via {r.GetProperty("gateway").GetString()} dev {r.GetProperty("dev").GetString()}")];

    /// <summary>Whether an ICMP echo from here to <paramref name="address"/> is answered (busybox ping: the lab has no ping binary), trying for up to <paramref name="patience"/>.</summary>
    public bool Pings(string address, TimeSpan patience)
    {
        try
        {
            Poll.Until(() => Exec("busybox", "ping", "-c", "1", "-W", "2", address).ExitCode == 0, patience, $"{Name} to reach {address}");
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private readonly Lock mountsLock = new();
    private LabMounts? mounts;

    /// <summary>
    /// The lab mount namespace of this network namespace (private /run, /var, /etc/libvirt,
    /// /etc/openvswitch), started on first use. Every lab daemon of this namespace runs in it,
    /// so a private libvirtd sees the /run/openvswitch of Open vSwitch beside it.
    /// </summary>
    public LabMounts Mounts
    {
        get
        {
            lock (mountsLock)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                return mounts ??= LabMounts.Start(this);
            }
        }
    }

    private bool disposed;

    public void Dispose()
    {
        lock (mountsLock)
        {
            if (disposed) return;
            disposed = true;
        }
        // A process left inside (a daemon, a guest) would keep the namespace alive unseen:
        // everything in here was started by a test, so end it before deleting the name.
        LabMounts.EndProcesses(Name);
        // Deleting the namespace removes every virtual link inside it.
        Shell.Run("ip", "netns", "delete", Name);
        mounts?.DeleteState();
    }
}

namespace Kvm.Lab;

/// <summary>
/// Open vSwitch (ovsdb-server + ovs-vswitchd) of our own inside a lab namespace: userspace
/// datapath bridges on this machine (its kernel has no openvswitch module), kernel datapath ones
/// too in the kernel VM (tests/Kvm.VmTests/OvsScenarios.cs). Its /run/openvswitch is the
/// lab namespace's private one (see <see cref="LabMounts"/>), which a
/// <see cref="PrivateLibvirtd"/> in the same <see cref="LabNamespace"/> also sees, so libvirt's
/// <c>&lt;virtualport type='openvswitch'/&gt;</c> works on its bridges. Start order does not matter.
/// </summary>
public sealed class OvsSwitch : IDisposable
{
    private readonly bool ownsNamespace;
    private bool disposed;

    public LabNamespace Namespace { get; }
    public LabMounts Mounts { get; }

    /// <summary>Host path of the database socket (/run/openvswitch/db.sock inside).</summary>
    public string DbSocket => Mounts.HostPath("/run/openvswitch/db.sock");

    /// <summary>Host path of ovs-vswitchd's log.</summary>
    public string LogPath => Mounts.HostPath("/var/log/openvswitch/ovs-vswitchd.log");

    private OvsSwitch(LabNamespace ns, bool owns)
    {
        Namespace = ns;
        ownsNamespace = owns;
        Mounts = ns.Mounts;
    }

    /// <summary>Starts Open vSwitch in <paramref name="ns"/> (or in a new lab namespace, removed on Dispose).</summary>
    public static OvsSwitch Start(LabNamespace? ns = null)
    {
        LabSetup.Ensure();
        var owns = ns is null;
        ns ??= LabNamespace.CreateLab();
        OvsSwitch? o = null;
        try
        {
            o = new OvsSwitch(ns, owns);
            o.Mounts.Script("ovs-start.sh").EnsureSuccess("tests/lab/ovs-start.sh");
            return o;
        }
        catch
        {
            if (o is not null) o.Dispose();
            else if (owns) ns.Dispose();
            throw;
        }
    }

    /// <summary>Runs ovs-vsctl in the lab namespace; returns stdout, throws on failure.</summary>
    public string Vsctl(params string[] args) =>
        Mounts.Exec("ovs-vsctl", ["--timeout=60", .. args], TimeSpan.FromMinutes(2))
            .EnsureSuccess($"ovs-vsctl {string.Join(' ', args)}").StdOut;

    /// <summary>Adds a bridge on the userspace datapath (datapath_type=netdev).</summary>
    public void AddBridge(string name) =>
        Vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev");

    /// <summary>Host path of ovs-vswitchd's pid file (/run/openvswitch/ovs-vswitchd.pid inside).</summary>
    public string VswitchdPidFile => Mounts.HostPath("/run/openvswitch/ovs-vswitchd.pid");

    /// <summary>
    /// The host side of a reboot: the ovs-vswitchd this fixture started is stopped by its pid, the links in
    /// <paramref name="forget"/> are deleted as a boot forgets them (a netdev bridge's internal port is a tap
    /// device that outlives ovs-vswitchd), and ovs-vswitchd starts again on the same database, as
    /// tests/lab/ovs-start.sh starts it. It makes the bridges' internal ports again, down and without addresses;
    /// this returns once it runs (not once it has made them: wait for the links).
    /// </summary>
    public void RestartVswitchd(params string[] forget)
    {
        var pid = Poll.ReadPid(VswitchdPidFile) ?? throw new InvalidOperationException($"ovs-vswitchd has no pid file ({VswitchdPidFile})");
        if (Poll.Alive(pid))
        {
            LabMounts.Signal([pid], "TERM");
            Poll.Until(() => !Poll.Alive(pid), TimeSpan.FromSeconds(30), $"ovs-vswitchd ({pid}) to stop", () => Poll.Tail(LogPath));
        }
        foreach (var link in forget)
        {
            if (Namespace.Link(link) is not null) Namespace.Ip("link", "del", link);
        }
        Mounts.Exec("ovs-vswitchd", ["unix:/run/openvswitch/db.sock", "--pidfile=/run/openvswitch/ovs-vswitchd.pid", "--detach", "-vconsole:emer",
                "--log-file=/var/log/openvswitch/ovs-vswitchd.log"], TimeSpan.FromMinutes(1))
            .EnsureSuccess("ovs-vswitchd (restart)");
    }

    /// <summary>Stops ovs-vswitchd and ovsdb-server by pid; removes the namespace if this fixture made it.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            Shell.Run("sh", [LabPaths.Script("ovs-stop.sh"), Mounts.StateDir], stdin: null, timeout: TimeSpan.FromMinutes(2));
        }
        finally
        {
            if (ownsNamespace) Namespace.Dispose();
            else
            {
                // The namespace stays: drop the database and sockets so a later OvsSwitch there starts clean.
                Shell.Run("rm", "-rf", "--one-file-system", Mounts.HostPath("/run/openvswitch"));
                Shell.Run("rm", "-rf", "--one-file-system", Mounts.HostPath("/var/lib/openvswitch"));
            }
        }
    }
}

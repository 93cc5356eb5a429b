using System.Globalization;

namespace Kvm.Lab;

/// <summary>
/// One remote KVM host of a <see cref="RemoteLab"/>: a lab namespace with its own sshd (and
/// optionally a private libvirtd and Open vSwitch), reached from the workstation as
/// <see cref="Alias"/> or <see cref="Destination"/>. Sessions run inside its network namespace
/// and lab mount namespace: they see its private /run (libvirt's and OVS's sockets), /var and
/// /root (<see cref="HomeDir"/> on the host). The fault helpers break what a user could find broken.
/// </summary>
public sealed class RemoteLabHost
{
    /// <summary>The name of the veth end inside the host (its peer in the workstation is "to-" + <see cref="Alias"/>).</summary>
    public const string LinkName = "to-ws";

    /// <summary>"h1", "h2"...: a Host entry of the workstation's ~/.ssh/config.</summary>
    public string Alias { get; }

    /// <summary>The address sshd listens on: 10.250.N.2 (the workstation's end is 10.250.N.1).</summary>
    public string Address { get; }

    public int Port { get; }

    /// <summary>The provider's form <c>root@ADDRESS[:PORT]</c> (no port when 22): usable without the ssh config's alias.</summary>
    public string Destination => Port == 22 ? $"root@{Address}" : $"root@{Address}:{Port}";

    public LabNamespace Namespace { get; }

    /// <summary>The host's lab mount namespace: private /run, /var, /etc/libvirt and /root.</summary>
    public LabMounts Mounts => Namespace.Mounts;

    public PrivateLibvirtd? Libvirtd { get; internal set; }
    public OvsSwitch? Ovs { get; internal set; }

    /// <summary>Host path of the remote user's (root's) private home.</summary>
    public string HomeDir => Mounts.HostPath("/root");

    /// <summary>Host path of the remote user's authorized_keys (holds the workstation's key).</summary>
    public string AuthorizedKeysPath => Mounts.HostPath("/root/.ssh/authorized_keys");

    /// <summary>Host path of sshd's host key (the public half is pinned in the workstation's known_hosts).</summary>
    public string HostKeyPath => Mounts.HostPath("/var/lib/kvmlab-sshd/ssh_host_ed25519_key");

    /// <summary>Host path of sshd's log (logins, refusals): show it when a test fails.</summary>
    public string SshdLogPath => Mounts.HostPath("/var/log/kvmlab-sshd.log");

    /// <summary>The listening sshd's pid, or null when it is stopped.</summary>
    public int? SshdPid => Poll.ReadPid(Mounts.HostPath("/run/kvmlab-sshd.pid")) is { } pid && Poll.Alive(pid) ? pid : null;

    internal RemoteLabHost(LabNamespace ns, string alias, string address, int port)
    {
        Namespace = ns;
        Alias = alias;
        Address = address;
        Port = port;
    }

    /// <summary>Stops sshd (open sessions go on, as with a real sshd): new connections are refused.</summary>
    public void StopSshd() =>
        Shell.Run("sh", [LabPaths.Script("sshd-stop.sh"), Mounts.StateDir], stdin: null, timeout: TimeSpan.FromMinutes(1))
            .EnsureSuccess("tests/lab/sshd-stop.sh");

    /// <summary>Starts sshd again (same host key unless <see cref="ReplaceHostKey"/> removed it).</summary>
    public void StartSshd() =>
        Mounts.Script("sshd-start.sh", Address, Port.ToString(CultureInfo.InvariantCulture))
            .EnsureSuccess($"tests/lab/sshd-start.sh on {Alias}");

    /// <summary>A new host key and sshd restarted: the workstation's pinned known_hosts entry no longer matches.</summary>
    public void ReplaceHostKey()
    {
        StopSshd();
        File.Delete(HostKeyPath);
        File.Delete(HostKeyPath + ".pub");
        StartSshd();
    }

    /// <summary>Empties authorized_keys: the workstation's key is refused.</summary>
    public void RevokeWorkstationKey() => File.WriteAllText(AuthorizedKeysPath, "");

    /// <summary>Takes the host's end of the link down: packets are lost (no refusal), open connections stall.</summary>
    public void CutLink() => Namespace.Ip("link", "set", LinkName, "down");

    /// <summary>Brings the link back up (addresses stay; TCP connections that have not timed out recover).</summary>
    public void RestoreLink() => Namespace.Ip("link", "set", LinkName, "up");

    /// <summary>The end of sshd's log, for a failing test's message.</summary>
    public string SshdLogTail(int lines = 20) => Poll.Tail(SshdLogPath, lines);

    public override string ToString() => $"{Alias} ({Destination}, namespace {Namespace.Name})";
}

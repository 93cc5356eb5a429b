using System.Diagnostics;
using Kvm.Lab;

namespace Kvm.Bench;

/// <summary>
/// What one ssh connection costs from the lab's workstation: `ssh HOST true` (connection, key exchange,
/// login, one command), its wall time and the CPU it takes on either side (the client; sshd on the host).
/// </summary>
public sealed record SshCost(double WallMs, double ClientCpuMs, double HostCpuMs)
{
    public static SshCost Take(RemoteLab lab, RemoteLabHost host, int runs = 10)
    {
        var groups = RemoteBench.Groups(lab, [host]);
        lab.Ssh(host, "true").EnsureSuccess($"ssh {host.Alias} true");
        var walls = new List<double>(runs);
        var before = CpuSnapshot.Begin(groups);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            lab.Ssh(host, "true").EnsureSuccess($"ssh {host.Alias} true");
            walls.Add(sw.Elapsed.TotalMilliseconds);
        }
        var use = CpuUse.Between(before, CpuSnapshot.End(before, groups, TimeSpan.FromSeconds(10)));
        return new SshCost(Measure.Median(walls), use.ChildrenMs / runs, use.GroupMs[host.Alias] / runs);
    }

    public override string ToString() =>
        $"{WallMs:F0} ms, CPU {ClientCpuMs:F0} ms in the client (with nsenter) and {HostCpuMs:F0} ms on the host (sshd and its session)";
}

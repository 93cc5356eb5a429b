using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>`discover --host`: the scan runs on the host (by the same agent), and what it writes lands on the workstation.</summary>
public sealed class RemoteDiscoverTests(ITestOutputHelper output)
{
    [Fact]
    public void Discover_with_a_host_finds_what_discover_on_that_host_finds()
    {
        using var lab = RemoteLab.Create(1, libvirt: true);
        var h1 = lab.Hosts[0];
        h1.Namespace.Ip("link", "add", "br-a", "type", "bridge");
        h1.Namespace.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        h1.Namespace.Ip("link", "set", "eth1", "master", "br-a");
        h1.Libvirtd!.VirshXml("net-define", "<network><name>iso</name><bridge name='virbr9' stp='off'/><ip address='10.89.0.1' prefix='24'/></network>");
        h1.Libvirtd.VirshXml("define", LabDomains.Tiny("web", "<interface type='bridge'><source bridge='br-a'/><model type='virtio'/><rom enabled='no'/></interface>"));
        var workstationBefore = RemoteStacks.NetworkingOf(lab.Workstation);

        foreach (var format in new[] { "import", "csharp" })
        {
            var here = Path.Combine(lab.Workstation.Mounts.StateDir, $"remote.{format}");
            var remote = lab.Workstation.Mounts.Exec(RepoPaths.ProviderBinary, ["discover", "--host", "h1", "--format", format, "--out", here], TimeSpan.FromMinutes(2));
            output.WriteLine(remote.StdErr);
            Assert.Equal(0, remote.ExitCode);
            Assert.Contains("discover: found 3 resources: 1 Bridge, 1 LibvirtNetwork, 1 Domain", remote.StdErr);
            Assert.Contains("discover: these resources are on h1: configure the stack's provider for it (pulumi config set kvm:host h1)", remote.StdErr);

            // The same binary run on the host itself, by hand, finds the same.
            var onHost = h1.Mounts.Exec(RepoPaths.ProviderBinary, ["discover", "--format", format], TimeSpan.FromMinutes(2));
            Assert.Equal(0, onHost.ExitCode);
            Assert.Equal(onHost.StdOut, File.ReadAllText(here));
        }
        Assert.Equal(workstationBefore, RemoteStacks.NetworkingOf(lab.Workstation));
    }

    [Fact]
    public void Discover_with_an_unreachable_host_says_why_and_writes_nothing()
    {
        using var lab = RemoteLab.Create(1);
        lab.Hosts[0].StopSshd();
        var file = Path.Combine(lab.Workstation.Mounts.StateDir, "nothing.json");
        var r = lab.Workstation.Mounts.Exec(RepoPaths.ProviderBinary, ["discover", "--host", "h1", "--out", file], TimeSpan.FromMinutes(2));
        output.WriteLine(r.StdErr);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("discover: h1 refused the SSH connection", r.StdErr);
        Assert.False(File.Exists(file));
    }

    [Theory]
    [InlineData(new[] { "--host", "h1", "--netns", "x" }, "--netns: names a namespace of the machine running Pulumi")]
    [InlineData(new[] { "--host-netns", "x" }, "--host-netns: is a namespace of the remote host, but no host is set")]
    [InlineData(new[] { "--uri", "qemu+tcp://kvm1/system" }, "--uri: libvirt at qemu+tcp://kvm1/system (uri) is on another machine")]
    public void Discover_refuses_a_split_configuration_before_touching_anything(string[] args, string message)
    {
        var r = Shell.Run(RepoPaths.ProviderBinary, ["discover", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.StdErr);
    }
}

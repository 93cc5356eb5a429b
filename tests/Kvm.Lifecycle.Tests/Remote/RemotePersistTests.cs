using System.Text.Json.Nodes;
using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// persistDir with a remote host: the agent keeps the desired state on the host (its private /var here), nothing is
/// written on the workstation, and the agent's own binary restores it there after a simulated reboot.
/// </summary>
public sealed class RemotePersistTests(ITestOutputHelper output)
{
    private const string Bridge = "kvm:index:Bridge";
    private const string PersistDir = "/var/lib/pulumi-kvm";

    // On the host's private /var (a lab host shares the machine's /etc): never the machine's /etc/systemd/system.
    private const string UnitDir = "/var/lib/kvmlab-systemd-system";
    private const string Instance = @"pulumi-kvm-restore@var-lib-pulumi\x2dkvm.service";

    [Fact]
    public async Task The_agent_writes_the_file_on_the_host_and_restore_there_brings_the_bridge_back()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        h1.Namespace.Ip("link", "add", "rp0", "type", "veth", "peer", "name", "rp0-p");
        Directory.CreateDirectory(h1.Mounts.HostPath(UnitDir));
        await using var stack = await RemoteStacks.StartAsync(lab, "h1", new Dictionary<string, string> { ["persistDir"] = PersistDir, ["systemdUnitDir"] = UnitDir });
        try
        {
            var br = Res(Bridge, "br", """{"name": "br-rp", "forceDestroy": true, "ports": ["rp0"], "addresses": ["192.168.72.1/24"]}""");
            (await stack.UpAsync(br)).EnsureOk();
            var onHost = h1.Mounts.HostPath($"{PersistDir}/desired-state.json");
            Assert.True(File.Exists(onHost));
            Assert.False(File.Exists(lab.Workstation.Mounts.HostPath($"{PersistDir}/desired-state.json")));
            Assert.NotNull(JsonNode.Parse(File.ReadAllText(onHost))!["namespaces"]![""]!["bridges"]!["br-rp"]);

            // the agent enabled the boot unit on the host, with its own binary copied beside the file
            var link = h1.Mounts.HostPath($"{UnitDir}/multi-user.target.wants/{Instance}");
            Assert.Equal("../pulumi-kvm-restore@.service", new FileInfo(link).LinkTarget);
            Assert.False(File.Exists(lab.Workstation.Mounts.HostPath($"{UnitDir}/multi-user.target.wants/{Instance}")));
            var command = EnabledUnit.Command(link, PersistDir);

            // the reboot, then what the host runs at boot: the unit's command, in the host's own namespace
            h1.Namespace.Ip("link", "del", "br-rp");
            var restore = lab.Ssh(h1, command);
            Assert.True(restore.ExitCode == 0, restore.StdErr);
            Assert.Equal("br-rp", h1.Namespace.Link("rp0")!.Value.GetProperty("master").GetString());
            Assert.Contains("192.168.72.1/24", h1.Namespace.Ip("addr", "show", "dev", "br-rp"), StringComparison.Ordinal);
            Assert.All((await stack.UpAsync(br)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

            (await stack.DestroyAsync()).EnsureOk();
            Assert.Empty(JsonNode.Parse(File.ReadAllText(onHost))!["namespaces"]!.AsObject());
            Assert.False(File.Exists(link) || new FileInfo(link).LinkTarget is not null);
            Assert.False(File.Exists(h1.Mounts.HostPath($"{UnitDir}/pulumi-kvm-restore@.service")));
            Assert.False(File.Exists(h1.Mounts.HostPath($"{PersistDir}/pulumi-resource-kvm")));
        }
        finally
        {
            output.WriteLine(stack.Provider.Stderr);
        }
    }
}

using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using Kvm.Lifecycle.Tests.Remote;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// Issue 17: a bridge does not take a link the host's own network manager configures (here ifupdown, told by its
/// files under a throwaway `hostRoot`, never the machine's /etc), unless the program says so; locally and with the
/// agent on a remote host reading the host's files.
/// </summary>
public sealed class ManagedLinksLifecycleTests : IDisposable
{
    private const string Bridge = "kvm:index:Bridge";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"kvm-hostroot-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static void WriteInterfaces(string root, string port)
    {
        Directory.CreateDirectory(Path.Combine(root, "etc/network/interfaces.d"));
        File.WriteAllText(Path.Combine(root, "etc/network/interfaces"), "auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n");
        File.WriteAllText(Path.Combine(root, "etc/network/interfaces.d/uplink"), $"allow-hotplug {port}\niface {port} inet dhcp\n");
    }

    [Fact]
    public async Task A_port_ifupdown_configures_is_refused_at_preview_and_taken_only_with_takeOverManagedLinks()
    {
        using var ns = LabNamespace.Create();
        ns.Ip("link", "add", "ml0", "type", "veth", "peer", "name", "ml0-p");
        WriteInterfaces(_root, "ml0");
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["netns"] = ns.Name, ["hostRoot"] = _root }));

        var refused = await stack.PreviewAsync(Res(Bridge, "br", """{"name": "br-ml", "ports": ["ml0"]}"""));
        var failure = Assert.Single(refused["br"].Failures);
        Assert.Equal("ports[0]", failure.Property);
        Assert.Equal("ml0 is managed by ifupdown (/etc/network/interfaces.d/uplink: \"allow-hotplug ml0\"): ifupdown would reconfigure it behind the provider's back. " +
            "Hand it over (remove its stanza from /etc/network/interfaces.d/uplink (and `ifdown ml0` first)), or set takeOverManagedLinks: true to take it anyway", failure.Reason);
        var up = await stack.UpAsync(Res(Bridge, "br", """{"name": "br-ml", "ports": ["ml0"]}"""));
        Assert.Single(up["br"].Failures);
        Assert.Null(ns.Link("br-ml"));

        var consented = Res(Bridge, "br", """{"name": "br-ml", "ports": ["ml0"], "takeOverManagedLinks": true}""");
        (await stack.PreviewAsync(consented)).EnsureOk();
        Assert.Contains(stack.Engine.Logs, l => l.Message.StartsWith("kvm:takeover ml0: managed by ifupdown (/etc/network/interfaces.d/uplink", StringComparison.Ordinal));
        (await stack.UpAsync(consented)).EnsureOk();
        Assert.Equal("br-ml", ns.Link("ml0")!.Value.GetProperty("master").GetString());
        // taken once: the port in the bridge is not asked about again, and nothing changes
        Assert.All((await stack.UpAsync(consented)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task On_a_remote_host_the_agent_reads_the_hosts_files()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        h1.Namespace.Ip("link", "add", "ml1", "type", "veth", "peer", "name", "ml1-p");
        // In the host's private /var: the workstation has no such file, so only a reading on the host finds it.
        const string root = "/var/lib/kvmlab-hostroot";
        WriteInterfaces(h1.Mounts.HostPath(root), "ml1");
        Assert.False(File.Exists(lab.Workstation.Mounts.HostPath($"{root}/etc/network/interfaces")));
        await using var stack = await RemoteStacks.StartAsync(lab, "h1", new Dictionary<string, string> { ["hostRoot"] = root });

        var refused = await stack.PreviewAsync(Res(Bridge, "br", """{"name": "br-ml", "ports": ["ml1"]}"""));
        Assert.StartsWith("ml1 is managed by ifupdown (/etc/network/interfaces.d/uplink", Assert.Single(refused["br"].Failures).Reason, StringComparison.Ordinal);
        (await stack.UpAsync(Res(Bridge, "br", """{"name": "br-ml", "ports": ["ml1"], "takeOverManagedLinks": true}"""))).EnsureOk();
        Assert.Equal("br-ml", h1.Namespace.Link("ml1")!.Value.GetProperty("master").GetString());
        (await stack.DestroyAsync()).EnsureOk();
    }
}

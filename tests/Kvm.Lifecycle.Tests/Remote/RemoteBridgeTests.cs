using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// A Bridge on a remote host, through the plugin on a workstation: the same preview, up, refresh,
/// import and destroy as on a local host, on the host's kernel, and never on the workstation's.
/// </summary>
public sealed class RemoteBridgeTests(ITestOutputHelper output)
{
    private const string Bridge = "kvm:index:Bridge";

    [Fact]
    public async Task Preview_up_drift_refresh_import_destroy_on_the_host_and_nothing_on_the_workstation()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        h1.Namespace.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        h1.Namespace.Ip("link", "add", "eth2", "type", "veth", "peer", "name", "eth2-peer");
        var workstationBefore = RemoteStacks.NetworkingOf(lab.Workstation);
        Assert.Empty(RemoteStacks.InstalledAgents(h1));

        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        try
        {
            // The first session found no agent on the host and installed it: one binary, named by version and hash.
            var agent = Assert.Single(RemoteStacks.InstalledAgents(h1));
            Assert.Matches(@"^pulumi-resource-kvm-\d+\.\d+\.\d+-[0-9a-f]{16}$", agent);
            Assert.Contains(stack.Engine.Logs, l => l.Message == $"installed the provider's agent on h1: ~/.pulumi-kvm/bin/{agent}");
            Assert.Equal(File.ReadAllBytes(RepoPaths.ProviderBinary), File.ReadAllBytes(Path.Combine(h1.HomeDir, ".pulumi-kvm", "bin", agent)));

            var br = Res(Bridge, "br", """{"name": "br-remote", "mtu": 1400, "ports": ["eth1"], "stp": false}""");
            var preview = (await stack.PreviewAsync(br)).EnsureOk();
            Assert.Equal(StepOp.Create, preview["br"].Op);
            Assert.Null(h1.Namespace.Link("br-remote"));

            var up = (await stack.UpAsync(br)).EnsureOk();
            Assert.Equal("br-remote", up["br"].Id);
            var link = h1.Namespace.Link("br-remote") ?? throw new Xunit.Sdk.XunitException("no br-remote on h1");
            Assert.Equal(1400, link.GetProperty("mtu").GetInt32());
            Assert.Equal(link.GetProperty("ifindex").GetInt32(), (int)stack["br"].Output("ifindex")!.NumberValue);
            Assert.Equal("br-remote", h1.Namespace.Link("eth1")!.Value.GetProperty("master").GetString());
            Assert.All((await stack.UpAsync(br)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

            // A change in place, drift made by hand on the host found by refresh and put back.
            br = Res(Bridge, "br", """{"name": "br-remote", "mtu": 1400, "ports": ["eth1", "eth2"], "stp": false, "portOptions": [{"port": "eth2", "hairpin": true, "cost": 150}]}""");
            Assert.Equal(StepOp.Update, (await stack.UpAsync(br)).EnsureOk()["br"].Op);
            Assert.Equal("br-remote", h1.Namespace.Link("eth2")!.Value.GetProperty("master").GetString());
            var eth2 = h1.Namespace.Link("eth2")!.Value.GetProperty("linkinfo").GetProperty("info_slave_data");
            Assert.True(eth2.GetProperty("hairpin").GetBoolean());
            Assert.Equal(150, eth2.GetProperty("cost").GetInt32());
            h1.Namespace.Ip("link", "set", "br-remote", "mtu", "1300");
            Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["br"].Op);
            Assert.Equal(1300, stack["br"].Output("mtu")!.NumberValue);
            Assert.Equal(["mtu"], (await stack.PreviewAsync(br)).EnsureOk()["br"].Diff!.Diffs);
            (await stack.UpAsync(br)).EnsureOk();
            Assert.Equal(1400, h1.Namespace.Link("br-remote")!.Value.GetProperty("mtu").GetInt32());

            // A bridge made by hand on the host is refused, then imported with an empty diff.
            h1.Namespace.Ip("link", "add", "br-legacy", "type", "bridge");
            var refused = await stack.UpAsync(br, Res(Bridge, "legacy", """{"name": "br-legacy"}"""));
            Assert.False(refused.Ok);
            Assert.Contains("on h1: ", refused["legacy"].Error);
            var imported = await stack.ImportAsync(Bridge, "legacy", "br-legacy");
            Assert.True(imported.Ok, imported["legacy"].Error);
            Assert.All((await stack.UpAsync(br, Res(Bridge, "legacy", Props.ToJson(stack["legacy"].Inputs)))).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

            // destroy removes them from the host
            (await stack.DestroyAsync()).EnsureOk();
            Assert.Null(h1.Namespace.Link("br-remote"));
            Assert.Null(h1.Namespace.Link("br-legacy"));
            Assert.Equal(workstationBefore, RemoteStacks.NetworkingOf(lab.Workstation));
        }
        finally
        {
            output.WriteLine(stack.Provider.Stderr);
        }
    }

    [Fact]
    public async Task A_kernel_without_bridge_vlan_filtering_is_an_error_naming_the_host_and_nothing_is_applied()
    {
        // This machine's kernel (and so the lab host's) has no bridge VLAN filtering: the error a user gets from such a host.
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        h1.Namespace.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        var run = await stack.UpAsync(Res(Bridge, "br", """{"name": "br-v", "vlanFiltering": true, "ports": ["eth1"]}"""));
        Assert.False(run.Ok);
        var error = run["br"].Error!;
        output.WriteLine(error);
        Assert.StartsWith("on h1: ", error);
        Assert.Contains("VLAN filtering", error);
        Assert.Null(h1.Namespace.Link("br-v"));
        Assert.Empty(stack.State);
    }
}

using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// The host's addresses and routes on an Open vSwitch bridge's internal port on a remote host: the agent writes them
/// with the host's netlink once the host's ovs-vswitchd has made the link, and checks them against the host's kernel,
/// never the workstation's.
/// </summary>
public sealed class RemoteOvsBridgeAddressTests(ITestOutputHelper output)
{
    private const string OvsBridge = OvsBridgeLifecycleTests.OvsBridge;

    [Fact]
    public async Task The_internal_port_s_addresses_live_on_the_host_s_kernel_and_are_checked_there()
    {
        using var lab = RemoteLab.Create(1, ovs: true);
        var h1 = lab.Hosts[0];
        var workstationBefore = RemoteStacks.NetworkingOf(lab.Workstation);
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        try
        {
            var sw = Res(OvsBridge, "sw", """
                {"name": "ob-remote", "datapathType": "netdev", "forceDestroy": true,
                 "addresses": ["192.168.72.90/24", "fd00:72::1/64"], "gateway6": "fd00:72::fe",
                 "routes": [{"destination": "10.72.0.0/16", "via": "192.168.72.1"}]}
                """);
            (await stack.UpAsync(sw)).EnsureOk();
            Assert.Equal(["192.168.72.90/24", "fd00:72::1/64"], h1.Namespace.Addresses("ob-remote"));
            Assert.Contains("10.72.0.0/16 via 192.168.72.1", h1.Namespace.Ip("route", "show", "dev", "ob-remote"));
            Assert.Contains("default via fd00:72::fe", h1.Namespace.Ip("-6", "route", "show", "dev", "ob-remote"));
            Assert.Contains("UP", h1.Namespace.Link("ob-remote")!.Value.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
            Assert.All((await stack.UpAsync(sw)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

            // an address added by hand on the host (over ssh, as its admin would) shows on refresh, and up removes it
            lab.Ssh(h1, "ip", "addr", "add", "192.168.73.1/24", "dev", "ob-remote");
            Assert.Equal(StepOp.Refresh, (await stack.RefreshAsync())["sw"].Op);
            Assert.Equal(["addresses"], (await stack.PreviewAsync(sw)).EnsureOk()["sw"].Diff!.Diffs);
            (await stack.UpAsync(sw)).EnsureOk();
            Assert.Equal(["192.168.72.90/24", "fd00:72::1/64"], h1.Namespace.Addresses("ob-remote"));

            // the host's own uplink address (the one ssh comes in on) is another link's: Check says so, naming it
            var taken = await stack.UpAsync(sw, Res(OvsBridge, "dup", $$"""{"name": "ob-dup", "datapathType": "netdev", "addresses": ["{{h1.Address}}/24"]}"""));
            var failure = Assert.Single(taken["dup"].Failures);
            Assert.Equal("addresses[0]", failure.Property);
            Assert.Contains($"already held by {RemoteLabHost.LinkName}", failure.Reason);
            Assert.DoesNotContain("ob-dup", h1.Ovs!.Vsctl("list-br"));

            (await stack.DestroyAsync()).EnsureOk();
            Assert.Equal("", h1.Ovs!.Vsctl("list-br").Trim());
            Assert.Equal(workstationBefore, RemoteStacks.NetworkingOf(lab.Workstation));
        }
        finally
        {
            output.WriteLine(stack.Provider.Stderr);
        }
    }
}

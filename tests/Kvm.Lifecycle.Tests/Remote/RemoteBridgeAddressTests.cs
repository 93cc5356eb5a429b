using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// A bridge's addresses and default route on a remote host: written, read back and checked against
/// the host's kernel through the agent, never the workstation's.
/// </summary>
public sealed class RemoteBridgeAddressTests(ITestOutputHelper output)
{
    private const string Bridge = "kvm:index:Bridge";

    [Fact]
    public async Task Addresses_and_gateway_live_on_the_hosts_kernel_and_are_checked_there()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        var workstationBefore = RemoteStacks.NetworkingOf(lab.Workstation);
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        try
        {
            var br = Res(Bridge, "br", """
                {"name": "br-addr", "forceDestroy": true, "addresses": ["192.168.70.90/24", "fd00:70::1/64"], "gateway6": "fd00:70::fe",
                 "routes": [{"destination": "10.70.0.0/16", "via": "192.168.70.1"}]}
                """);
            (await stack.UpAsync(br)).EnsureOk();
            Assert.Equal(["192.168.70.90/24", "fd00:70::1/64"], h1.Namespace.Addresses("br-addr"));
            Assert.Contains("10.70.0.0/16 via 192.168.70.1", h1.Namespace.Ip("route", "show", "dev", "br-addr"));
            Assert.Contains("default via fd00:70::fe", h1.Namespace.Ip("-6", "route", "show", "dev", "br-addr"));
            Assert.All((await stack.UpAsync(br)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

            // an address added by hand on the host shows on refresh, and up removes it
            h1.Namespace.Ip("addr", "add", "192.168.71.1/24", "dev", "br-addr");
            (await stack.RefreshAsync()).EnsureOk();
            Assert.Equal(["addresses"], (await stack.PreviewAsync(br)).EnsureOk()["br"].Diff!.Diffs);
            (await stack.UpAsync(br)).EnsureOk();
            Assert.Equal(["192.168.70.90/24", "fd00:70::1/64"], h1.Namespace.Addresses("br-addr"));

            // the host's own uplink address (the one ssh comes in on) is another link's: Check says so, naming it
            var taken = await stack.UpAsync(br, Res(Bridge, "dup", $$"""{"name": "br-dup", "addresses": ["{{h1.Address}}/24"]}"""));
            var failure = Assert.Single(taken["dup"].Failures);
            Assert.Equal("addresses[0]", failure.Property);
            Assert.Contains($"already held by {RemoteLabHost.LinkName}", failure.Reason);
            Assert.Null(h1.Namespace.Link("br-dup"));

            (await stack.DestroyAsync()).EnsureOk();
            Assert.Null(h1.Namespace.Link("br-addr"));
            Assert.Equal(workstationBefore, RemoteStacks.NetworkingOf(lab.Workstation));
        }
        finally
        {
            output.WriteLine(stack.Provider.Stderr);
        }
    }
}

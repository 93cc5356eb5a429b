using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// A bridge taking over the very link the provider's SSH session comes in on (the remote lab host's
/// to-ws, standing in for a hypervisor's eth0). A change that keeps the host reachable is confirmed
/// over the session and kept; one that cuts it off is rolled back by the host itself.
/// </summary>
public sealed class RemoteUplinkTests(ITestOutputHelper output)
{
    private const string Bridge = "kvm:index:Bridge";
    private const string Uplink = RemoteLabHost.LinkName;

    private static ResourceDecl TakeOver(RemoteLabHost h, string stp) => Res(Bridge, "br", $$"""
        {"name": "br-up", "ports": ["{{Uplink}}"], "addresses": ["{{h.Address}}/24"], {{stp}}}
        """);

    [Fact]
    public async Task Taking_over_the_uplink_the_session_comes_in_on_is_confirmed_over_that_session_and_kept()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        try
        {
            var program = TakeOver(h1, """ "stp": false, "forwardDelay": 0 """);
            (await stack.PreviewAsync(program)).EnsureOk();
            var said = stack.Engine.Logs.Select(l => l.Message).ToList();
            Assert.Contains($"kvm:move {h1.Address}/24 from {Uplink} to br-up: the port joins, br-up takes them, then {Uplink} lets them go", said);
            Assert.Contains(said, m => m.StartsWith($"kvm:checkpoint br-up: {Uplink} holds {h1.Address}, the address the provider's SSH session comes in on; " +
                "the change is kept once the provider's SSH session to this host confirms the host is reachable", StringComparison.Ordinal));

            (await stack.UpAsync(program)).EnsureOk();
            Assert.Equal("br-up", h1.Namespace.MasterOf(Uplink));
            Assert.Equal([$"{h1.Address}/24"], h1.Namespace.Addresses("br-up"));
            Assert.Empty(h1.Namespace.Addresses(Uplink));
            // The same session goes on serving: nothing left to do.
            Assert.All((await stack.UpAsync(program)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

            // Setting the bridge down under the session cuts it: the host puts it up again by itself.
            await stack.ConfigureAsync("""{"host": "h1", "confirmTimeoutSeconds": 3}""");
            var down = await stack.UpAsync(TakeOver(h1, """ "stp": false, "forwardDelay": 0, "up": false """));
            Assert.Equal(StepOp.Failed, down["br"].Op);
            Assert.Contains("after updating bridge br-up, the host was not confirmed reachable", down["br"].Error);
            Assert.Contains("UP", h1.Namespace.Ip("-br", "link", "show", "br-up"));
            Assert.Equal("br-up", h1.Namespace.MasterOf(Uplink));
            Assert.All((await stack.UpAsync(program)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        }
        finally
        {
            output.WriteLine(stack.Provider.Stderr);
        }
    }

    [Fact]
    public async Task A_change_that_cuts_the_session_off_is_rolled_back_by_the_host_itself()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        await using var stack = await Stack.StartAsync("""{"host": "h1", "confirmTimeoutSeconds": 3}""", placement: RemoteStacks.Workstation(lab));
        try
        {
            // STP keeps a joining port listening, then learning, for twice the forward delay: 20 s without traffic.
            var result = await stack.UpAsync(TakeOver(h1, """ "stp": true, "forwardDelay": 10 """));
            var step = result["br"];
            Assert.Equal(StepOp.Failed, step.Op);
            Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, step.ErrorCode);
            Assert.Contains("the host was not confirmed reachable through the provider's SSH session to this host within 3 s", step.Error);
            Assert.Contains("so the host rolled it back by itself: nothing was changed", step.Error);

            // The host is as it was: the uplink holds its address again, on no bridge, and br-up is gone.
            Assert.Null(h1.Namespace.Link("br-up"));
            Assert.Null(h1.Namespace.MasterOf(Uplink));
            Assert.Equal([$"{h1.Address}/24"], h1.Namespace.Addresses(Uplink));
            // And the provider still reaches it.
            (await stack.UpAsync(Res(Bridge, "other", """{"name": "br-after"}"""))).EnsureOk();
            Assert.NotNull(h1.Namespace.Link("br-after"));
        }
        finally
        {
            output.WriteLine(stack.Provider.Stderr);
        }
    }
}

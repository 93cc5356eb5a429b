using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The setup every KVM guide starts with: the host's uplink eth0 moved into br0 with the host's
/// address and gateway. A lab namespace is the host (a veth stands in for eth0) and a peer namespace
/// is the LAN with its gateway.
/// </summary>
public sealed class UplinkTakeoverTests
{
    private const string Bridge = "kvm:index:Bridge";
    private const string Gateway = "192.168.77.1";
    private const string Beyond = "10.200.0.1";

    /// <summary>A host whose eth0 holds 192.168.77.90/24 and the default route via the LAN's gateway.</summary>
    private sealed class Lan : IDisposable
    {
        public LabNamespace Host { get; } = LabNamespace.Create("kvmup");
        public LabNamespace Router { get; } = LabNamespace.Create("kvmlan");

        public Lan()
        {
            try
            {
                Host.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "lan0", "netns", Router.Name);
                Router.Ip("addr", "add", $"{Gateway}/24", "dev", "lan0");
                // A host beyond the gateway (the "internet"): reached only through the default route.
                Router.Ip("addr", "add", $"{Beyond}/32", "dev", "lan0");
                Router.Ip("link", "set", "lan0", "up");
                Host.Ip("addr", "add", "192.168.77.90/24", "dev", "eth0");
                Host.Ip("link", "set", "eth0", "up");
                Host.Ip("route", "add", "default", "via", Gateway);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The host reaches its gateway (busybox ping: ICMP inside the lab's own namespaces).</summary>
        public bool HostReachesGateway() => Host.Exec("busybox", "ping", "-c", "1", "-W", "2", Gateway).ExitCode == 0;


        /// <summary>"via 192.168.77.1 dev br0" for the IPv4 default route.</summary>
        public string DefaultRoute() =>
            JsonDocument.Parse(Host.Ip("-4", "-j", "route", "show", "default")).RootElement.EnumerateArray()
                .Select(r => $"via {r.GetProperty("gateway").GetString()} dev {r.GetProperty("dev").GetString()}").Single();

        public void Dispose()
        {
            Host.Dispose();
            Router.Dispose();
        }
    }

    private static ResourceDecl TakeOver(string stp = "\"stp\": false, \"forwardDelay\": 0") => Res(Bridge, "br", $$"""
        {"name": "br0", {{stp}}, "ports": ["eth0"],
         "addresses": ["192.168.77.90/24"], "gateway": "{{Gateway}}"}
        """);

    [Fact]
    public async Task The_address_and_default_route_move_from_the_uplink_to_the_bridge_in_one_up_and_preview_says_so()
    {
        using var lan = new Lan();
        Assert.True(lan.HostReachesGateway(), "the lab's LAN does not work before the test");
        // Any answer of the gateway counts, a TCP reset too: nothing needs to listen there.
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{lan.Host.Name}}", "reachabilityProbe": "{{Gateway}}:22"}""");

        (await stack.PreviewAsync(TakeOver())).EnsureOk();
        Assert.Contains(stack.Engine.Logs, l => l.Message.StartsWith(
            $"kvm:checkpoint br0: eth0 carries the default route; the change is kept once {Gateway}:22 (reachabilityProbe) confirms the host is reachable", StringComparison.Ordinal));
        Assert.Contains(stack.Engine.Logs, l => l.Message == $"kvm:move 192.168.77.90/24 and the default route via {Gateway} from eth0 to br0: the port joins, br0 takes them, then eth0 lets them go");
        Assert.Null(lan.Host.Link("br0"));

        (await stack.UpAsync(TakeOver())).EnsureOk();
        Assert.Empty(lan.Host.Addresses("eth0"));
        Assert.Equal(["192.168.77.90/24"], lan.Host.Addresses("br0"));
        Assert.Equal($"via {Gateway} dev br0", lan.DefaultRoute());
        Assert.Equal("br0", lan.Host.Link("eth0")!.Value.GetProperty("master").GetString());
        Assert.True(lan.HostReachesGateway(), "the host lost its LAN");

        // Nothing left to do, and a refresh sees the same host.
        Assert.All((await stack.UpAsync(TakeOver())).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // Leaving the gateway out would take the host's default route away: only with consent.
        var withoutGateway = Res(Bridge, "br", """{"name": "br0", "stp": false, "forwardDelay": 0, "ports": ["eth0"], "addresses": ["192.168.77.90/24"]}""");
        var refused = await stack.PreviewAsync(withoutGateway);
        var failure = Assert.Single(refused["br"].Failures);
        Assert.Equal("gateway", failure.Property);
        Assert.Contains("takes the host's default route off br0; this can cut the host off the network; set forceDestroy: true", failure.Reason);
        Assert.Equal($"via {Gateway} dev br0", lan.DefaultRoute());
    }

    [Fact]
    public async Task An_address_held_by_a_link_that_is_not_a_port_is_refused_naming_both()
    {
        using var lan = new Lan();
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{lan.Host.Name}}"}""");
        var result = await stack.UpAsync(Res(Bridge, "br", """{"name": "br0", "addresses": ["192.168.77.90/24"]}"""));
        var failure = Assert.Single(result["br"].Failures);
        Assert.Equal("addresses[0]", failure.Property);
        Assert.Contains("already held by eth0", failure.Reason);
        Assert.Contains("list eth0 in ports to move it to this bridge", failure.Reason);
        Assert.Null(lan.Host.Link("br0"));
        Assert.Equal(["192.168.77.90/24"], lan.Host.Addresses("eth0"));
    }

    [Fact]
    public async Task A_takeover_that_cuts_the_host_off_is_rolled_back_when_the_probe_gets_no_answer()
    {
        using var lan = new Lan();
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{lan.Host.Name}}", "reachabilityProbe": "{{Gateway}}:22", "confirmTimeoutSeconds": 3}""");
        // STP keeps the joining uplink listening, then learning, for twice the forward delay: 20 s without traffic.
        var result = await stack.UpAsync(TakeOver("\"stp\": true, \"forwardDelay\": 10"));
        var step = result["br"];
        Assert.Equal(StepOp.Failed, step.Op);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, step.ErrorCode);
        Assert.Contains($"the host was not confirmed reachable through {Gateway}:22 (reachabilityProbe) within 3 s", step.Error);
        Assert.Contains("eth0 carries the default route", step.Error);

        // As it was: the address and the default route on eth0, no bridge, and the LAN reachable.
        Assert.Null(lan.Host.Link("br0"));
        Assert.Equal(["192.168.77.90/24"], lan.Host.Addresses("eth0"));
        Assert.Equal($"via {Gateway} dev eth0", lan.DefaultRoute());
        Assert.True(lan.HostReachesGateway(), "the rollback left the host cut off");
    }

    [Fact]
    public async Task A_gateway_on_a_bridge_without_the_uplink_takes_the_default_route_and_gets_rolled_back()
    {
        // The classic slip: br9 declares a gateway, but eth0 is not among its ports. The gateway itself stays
        // reachable on its subnet; what the default route served is not: the probe is a host beyond it.
        using var lan = new Lan();
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{lan.Host.Name}}", "reachabilityProbe": "{{Beyond}}:22", "confirmTimeoutSeconds": 2}""");
        var slip = Res(Bridge, "br", """{"name": "br9", "addresses": ["192.168.78.1/24"], "gateway": "192.168.78.254"}""");

        (await stack.PreviewAsync(slip)).EnsureOk();
        Assert.Contains(stack.Engine.Logs, l => l.Message.StartsWith("kvm:checkpoint br9: eth0 carries the default route", StringComparison.Ordinal));

        var result = await stack.UpAsync(slip);
        Assert.Equal(StepOp.Failed, result["br"].Op);
        Assert.Contains("rolled it back by itself: nothing was changed", result["br"].Error);
        Assert.Null(lan.Host.Link("br9"));
        Assert.Equal($"via {Gateway} dev eth0", lan.DefaultRoute());
        Assert.True(lan.HostReachesGateway(), "the rollback left the host cut off");
    }
}

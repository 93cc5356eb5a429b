using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Tests.Domains;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;

namespace Kvm.Provider.Tests.Bridges;

/// <summary>A Bridge's preview on the fake kernel: what it announces, and what it reads to say so.</summary>
public sealed class BridgePreviewTests
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:Bridge::br";
    private readonly FakeBridgeKernel _kernel = new();
    private readonly CapturingLog _log = new();

    [Fact]
    public async Task Taking_over_the_uplink_announces_the_move_and_the_checkpoint_from_one_read_of_each_link()
    {
        _kernel.AddLink("lo", kind: null);
        _kernel.AddLink("eth0");
        _kernel.AddLink("eth1");
        _kernel.AddAddress("eth0", "192.168.77.90/24");
        _kernel.AddDefaultRoute("eth0", "192.168.77.1");
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(_kernel);
        connections.SetupGet(c => c.Vlans).Returns(_kernel);
        using var host = new ProviderHost(_log, _ => connections.Object);
        IResource bridge = new BridgeResource(host);
        var inputs = Writer.Write(new BridgeArgs { Name = "br0", Ports = ["eth0", "eth1"], Addresses = ["192.168.77.90/24"], Gateway = "192.168.77.1" }, inputsOnly: true);

        await bridge.CreateAsync(new CreateRequest(Urn, "br", inputs, Preview: true, null), CancellationToken.None);

        Assert.Contains("kvm:move 192.168.77.90/24 and the default route via 192.168.77.1 from eth0 to br0: the port joins, br0 takes them, then eth0 lets them go", _log.Messages);
        Assert.Contains(_log.Messages, m => m.StartsWith("kvm:checkpoint br0: eth0 carries the default route; ", StringComparison.Ordinal));
        // The take-over's plan and the checkpoint look at the same ports: each link's addresses and routes are dumped once.
        Assert.All(_kernel.Dumps.GroupBy(d => d), g => Assert.Single(g));
        Assert.Contains("addr eth0", _kernel.Dumps);
        Assert.Contains("route eth0", _kernel.Dumps);
        Assert.Null(await _kernel.GetByNameAsync("br0")); // a preview changes nothing
    }
}

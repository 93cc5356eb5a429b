using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.VlanFilters;
using Kvm.Provider.Tests.Domains;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;

namespace Kvm.Provider.Tests.VlanFilters;

/// <summary>
/// What a VlanFilter's preview tells about the checkpoint: a table change on a bridge that carries the default route
/// or the SSH session's address is confirmed and put back at apply time, and the preview says so as a Bridge's does.
/// </summary>
public sealed class VlanFilterPreviewTests
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:VlanFilter::uplink";
    private readonly FakeBridgeKernel _kernel = new();
    private readonly CapturingLog _log = new();

    public VlanFilterPreviewTests()
    {
        _kernel.AddBridge("br0");
        _kernel.AddPort("eth0", "br0", new VlanEntry(1, 1, true, true));
    }

    private ProviderHost Host(System.Net.IPAddress? session = null)
    {
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(_kernel);
        connections.SetupGet(c => c.Vlans).Returns(_kernel);
        return new ProviderHost(_log, _ => connections.Object) { ManagementAddress = session };
    }

    private async Task<List<string>> PreviewAsync(ProviderHost host, int access)
    {
        IResource r = new VlanFilterResource(host);
        var inputs = Writer.Write(new VlanFilterArgs { Bridge = "br0", Port = "eth0", Access = access }, inputsOnly: true);
        await r.CreateAsync(new CreateRequest(Urn, "uplink", inputs, Preview: true, null), CancellationToken.None);
        return [.. _log.Messages.Where(m => m.StartsWith("kvm:checkpoint", StringComparison.Ordinal))];
    }

    [Fact]
    public async Task A_table_change_on_the_bridge_carrying_the_default_route_announces_the_checkpoint()
    {
        _kernel.AddAddress("br0", "192.168.77.90/24");
        _kernel.AddDefaultRoute("br0", "192.168.77.1");
        using var host = Host();
        var said = Assert.Single(await PreviewAsync(host, access: 100));
        Assert.Equal("kvm:checkpoint br0/eth0: br0 carries the default route; the old table is put back if the change fails half-way " +
            "(set the provider's reachabilityProbe to have it confirmed too)", said);
        Assert.Equal([new VlanEntry(1, 1, true, true)], _kernel.TableOf("eth0")); // a preview changes nothing
    }

    [Fact]
    public async Task A_table_change_on_the_bridge_holding_the_session_address_announces_the_checkpoint()
    {
        _kernel.AddAddress("br0", "10.0.0.5/24");
        using var host = Host(System.Net.IPAddress.Parse("10.0.0.5"));
        var said = Assert.Single(await PreviewAsync(host, access: 100));
        Assert.StartsWith("kvm:checkpoint br0/eth0: br0 holds 10.0.0.5, the address the provider's SSH session comes in on; ", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_checkpoint_is_announced_when_the_bridge_keeps_the_host_off_or_the_table_stays()
    {
        using (var host = Host())
            Assert.Empty(await PreviewAsync(host, access: 100)); // the bridge carries neither the default route nor the session

        _kernel.AddDefaultRoute("br0", "192.168.77.1");
        using (var host = Host())
            Assert.Empty(await PreviewAsync(host, access: 1)); // the table is already what the program says
    }
}

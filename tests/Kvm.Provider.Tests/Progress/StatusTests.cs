using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Resources.VlanFilters;
using Kvm.Provider.Tests.Domains;
using Kvm.Provider.Values;
using Moq;
using LogSeverity = Pulumirpc.LogSeverity;

namespace Kvm.Provider.Tests.Progress;

/// <summary>
/// Long work says what it is doing as it goes, as the engine's ephemeral status on the resource's URN
/// (`pulumi up` shows it beside the resource while it runs): a graceful guest shutdown, a VLAN table
/// being programmed. The lifecycle tests see the same lines arrive at the engine harness.
/// </summary>
public sealed class StatusTests
{
    private const string DomainUrn = "urn:pulumi:dev::lab::kvm:index:Domain::g";
    private const string VlanUrn = "urn:pulumi:dev::lab::kvm:index:VlanFilter::t";

    private readonly CapturingLog _log = new();

    [Fact]
    public async Task A_guest_that_ignores_the_power_button_is_reported_while_it_is_waited_for_then_powered_off()
    {
        var active = true;
        var domain = new Mock<ILibvirtDomain>();
        domain.Setup(d => d.IsActive()).Returns(() => active);
        domain.Setup(d => d.Destroy()).Callback(() => active = false);

        await DomainPower.StopAsync(domain.Object, new DomainArgs { Name = "g", ShutdownTimeoutSeconds = 1 }, null, _log, DomainUrn, default);

        domain.Verify(d => d.Shutdown(), Times.Once);
        domain.Verify(d => d.Destroy(), Times.Once);
        Assert.Equal("waiting for g to shut down (ACPI power button pressed 0 s ago; powered off after 1 s)", _log.Statuses.First().Message);
        Assert.Equal(("g did not shut down within 1 s: powering it off", DomainUrn), _log.Statuses.Last());
        Assert.All(_log.Statuses, s => Assert.Equal(DomainUrn, s.Urn));
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task A_guest_that_shuts_down_at_once_is_neither_waited_for_nor_powered_off()
    {
        var active = true;
        var domain = new Mock<ILibvirtDomain>();
        domain.Setup(d => d.IsActive()).Returns(() => active);
        domain.Setup(d => d.Shutdown()).Callback(() => active = false);

        await DomainPower.StopAsync(domain.Object, new DomainArgs { Name = "g", ShutdownTimeoutSeconds = 60 }, null, _log, DomainUrn, default);

        domain.Verify(d => d.Destroy(), Times.Never);
        Assert.Empty(_log.Statuses);
    }

    [Fact]
    public async Task Programming_a_VLAN_table_says_how_many_entries_go_and_come()
    {
        var kernel = new FakeBridgeKernel();
        kernel.AddBridge("br0");
        kernel.AddPort("eth1", "br0", new VlanEntry(1, 1, true, true));
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(kernel);
        connections.SetupGet(c => c.Vlans).Returns(kernel);
        using var host = new ProviderHost(_log, _ => connections.Object);
        IResource r = new VlanFilterResource(host);
        var trunk = Writer.Write(new VlanFilterArgs { Bridge = "br0", Port = "eth1", Trunk = new VlanTrunkArgs { Vids = [10, 20, 30], Native = 5 } }, inputsOnly: true);

        await r.CreateAsync(new CreateRequest(VlanUrn, "t", trunk, Preview: true, null), default);
        Assert.Empty(_log.Statuses);
        await r.CreateAsync(new CreateRequest(VlanUrn, "t", trunk, Preview: false, null), default);

        Assert.Equal([("programming the VLAN table of eth1 on br0: removing 1 entry, adding 4 entries", VlanUrn)], _log.Statuses);
        Assert.Equal(4, kernel.TableOf("eth1").Count);
    }
}

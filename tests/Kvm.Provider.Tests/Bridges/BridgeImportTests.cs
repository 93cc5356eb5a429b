using Kvm.Netlink;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Tests.Domains;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;

namespace Kvm.Provider.Tests.Bridges;

/// <summary>A Bridge's import and refresh Read on the fake kernel: which inputs an imported program declares.</summary>
public sealed class BridgeImportTests : IDisposable
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:Bridge::br";
    private readonly FakeBridgeKernel _kernel = new();
    private readonly ProviderHost _host;
    private readonly IResource _bridge;

    public BridgeImportTests()
    {
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(_kernel);
        connections.SetupGet(c => c.Vlans).Returns(_kernel);
        _host = new ProviderHost(new CapturingLog(), _ => connections.Object);
        _bridge = new BridgeResource(_host);
    }

    public void Dispose() => _host.Dispose();

    private Task<ReadResult> ImportAsync(string id) => _bridge.ReadAsync(new ReadRequest(id, Urn, ObjectValue.Empty, ObjectValue.Empty), CancellationToken.None);

    [Fact]
    public async Task A_bridge_without_addresses_imports_without_the_addresses_input()
    {
        _kernel.AddBridge("br0", vlanFiltering: false);
        var imported = await ImportAsync("br0");
        // `addresses: []` would declare "exactly no addresses": the imported program would remove any added later.
        Assert.Null(imported.Inputs["addresses"]);
        // The same for static routes.
        Assert.Null(imported.Inputs["routes"]);
        // The state still says what the bridge holds: nothing.
        Assert.Equal(new ArrayValue([]), imported.State["addresses"]);
        Assert.Equal(new ArrayValue([]), imported.State["routes"]);
    }

    [Fact]
    public async Task A_bridge_with_addresses_imports_them()
    {
        _kernel.AddBridge("br0", vlanFiltering: false);
        _kernel.AddAddress("br0", "192.168.40.90/24");
        var imported = await ImportAsync("br0");
        Assert.Equal(new ArrayValue([PropertyValue.Of("192.168.40.90/24")]), imported.Inputs["addresses"]);
    }

    [Fact]
    public async Task A_program_that_declares_no_addresses_sees_them_as_none_on_refresh()
    {
        // `addresses: []` means "remove every address": a refresh keeps it, and an address added by hand is drift.
        _kernel.AddBridge("br0", vlanFiltering: false);
        var declared = Writer.Write(new BridgeArgs { Name = "br0", Addresses = [] }, inputsOnly: true);
        var state = (await ImportAsync("br0")).State;
        Assert.Equal(new ArrayValue([]), (await _bridge.ReadAsync(new ReadRequest("br0", Urn, state, declared), CancellationToken.None)).Inputs["addresses"]);

        _kernel.AddAddress("br0", "192.168.40.91/24");
        var refreshed = await _bridge.ReadAsync(new ReadRequest("br0", Urn, state, declared), CancellationToken.None);
        Assert.Equal(new ArrayValue([PropertyValue.Of("192.168.40.91/24")]), refreshed.Inputs["addresses"]);
    }

    [Fact]
    public void Declaring_no_addresses_removes_every_address_the_bridge_holds()
    {
        var held = new LinkAddress(7, System.Net.IPAddress.Parse("192.168.40.90"), 24, AddressScope.Universe, "br0") { Flags = AddressFlags.Permanent };
        var changes = BridgeAddressing.Changes(new BridgeArgs { Name = "br0", Addresses = [] }, before: null, [held], [], 7);
        Assert.Equal([new IpCidr(held.Address, 24)], changes.DeleteAddresses);
        Assert.Empty(changes.AddAddresses);
    }
}

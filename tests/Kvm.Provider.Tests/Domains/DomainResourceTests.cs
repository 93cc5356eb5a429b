using Kvm.Libvirt;
using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Values;
using Moq;
using Pulumirpc;

namespace Kvm.Provider.Tests.Domains;

/// <summary>
/// The resource in-process: libvirt's test driver (a private host per test) or a Moq'd ILibvirt, and the
/// fake bridge kernel for the Linux-bridge VLAN path (this machine's kernel has no VLAN filtering).
/// </summary>
public sealed class DomainResourceTests : IDisposable
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:Domain::g";

    private readonly string _node = Path.Combine(Path.GetTempPath(), $"kvm-domain-test-{Guid.NewGuid():N}.xml");
    private readonly FakeBridgeKernel _kernel = new();
    private readonly CapturingLog _log = new();
    private readonly LibvirtConnection _libvirt;
    private readonly ProviderHost _host;

    public DomainResourceTests()
    {
        File.WriteAllText(_node, "<node><network><name>default</name><bridge name='virbr0'/></network></node>");
        _libvirt = LibvirtConnection.Open("test://" + _node);
        _kernel.AddBridge("br0");
        for (var i = 0; i < 8; i++) _kernel.AddPort($"testnet{i}", "br0", new VlanEntry(1, 1, true, true));
        _host = Host(_libvirt);
    }

    public void Dispose()
    {
        _host.Dispose();
        _libvirt.Dispose();
        File.Delete(_node);
    }

    private ProviderHost Host(ILibvirt libvirt)
    {
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Libvirt).Returns(libvirt);
        connections.SetupGet(c => c.Links).Returns(_kernel);
        connections.SetupGet(c => c.Vlans).Returns(_kernel);
        return new ProviderHost(_log, _ => connections.Object);
    }

    private static DomainArgs Guest(int[]? vlan = null, bool running = true) => new()
    {
        Name = "g", Type = "test", MemoryMib = 128, Vcpus = 1, Running = running,
        Interfaces = [new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", Vlan = vlan is null ? null : new DomainVlanArgs { Tags = vlan } }],
    };

    private static async Task<ObjectValue> CheckedAsync(IResource r, DomainArgs args)
    {
        var check = await r.CheckAsync(new Resources.CheckRequest(Urn, "g", ObjectValue.Empty, Writer.Write(args, inputsOnly: true)), default);
        Assert.Empty(check.Failures);
        return check.Inputs;
    }

    private string TapOf(CreateResult created) => ((StringValue)PropertyPath.Get(created.State, PropertyPath.Parse("interfaces[0].targetDevice").AsSpan())!.Reveal()).Value;

    [Fact]
    public async Task Linux_bridge_vlans_are_programmed_after_start_recorded_in_metadata_and_read_back_from_the_kernel()
    {
        IResource r = new DomainResource(_host);
        var created = await r.CreateAsync(new Resources.CreateRequest(Urn, "g", await CheckedAsync(r, Guest([10])), false, null), default);
        var tap = TapOf(created);
        Assert.Equal([new VlanEntry(10, 10, true, true)], _kernel.TableOf(tap));
        using (var domain = _libvirt.LookupDomainByName("g"))
        {
            var config = domain.GetXmlDesc(DomainXmlFlags.Inactive);
            Assert.Contains(GuestVlans.Namespace, config);
            Assert.DoesNotContain("<vlan", config);
        }

        // Read reports the kernel's table, so drift made by hand shows
        _kernel.SetTable(tap, new VlanEntry(30, 30, true, true));
        var read = await r.ReadAsync(new Resources.ReadRequest(created.Id, Urn, created.State, await CheckedAsync(r, Guest([10]))), default);
        Assert.Equal(PropertyValue.Of(30), PropertyPath.Get(read.State, PropertyPath.Parse("interfaces[0].vlan.tags[0]").AsSpan()));

        // an update puts it back live, on the same running guest
        var update = await r.UpdateAsync(new Resources.UpdateRequest(created.Id, Urn, read.State, await CheckedAsync(r, Guest([10, 20])),
            read.Inputs, false, [], null), default);
        Assert.Equal([VlanEntry.Of(10), VlanEntry.Of(20)], _kernel.TableOf(tap));
        Assert.Equal(created.State["domainId"], update["domainId"]);

        // dropping the VLANs gives the tap the bridge's default back
        await r.UpdateAsync(new Resources.UpdateRequest(created.Id, Urn, update, await CheckedAsync(r, Guest()), read.Inputs, false, [], null), default);
        Assert.Equal([new VlanEntry(1, 1, true, true)], _kernel.TableOf(tap));
        using (var domain = _libvirt.LookupDomainByName("g"))
            Assert.DoesNotContain(GuestVlans.Namespace, domain.GetXmlDesc(DomainXmlFlags.Inactive));
    }

    [Fact]
    public async Task Vlans_on_a_libvirt_network_over_a_linux_bridge_take_the_same_path()
    {
        IResource r = new DomainResource(_host);
        var args = Guest() with { Interfaces = [new DomainInterfaceArgs { Type = "network", Network = "default", Vlan = new DomainVlanArgs { Tags = [5, 6], NativeTag = 5, NativeMode = "tagged" } }] };
        var created = await r.CreateAsync(new Resources.CreateRequest(Urn, "g", await CheckedAsync(r, args), false, null), default);
        Assert.Equal([new VlanEntry(5, 5, true, false), VlanEntry.Of(6)], _kernel.TableOf(TapOf(created)));
        using var domain = _libvirt.LookupDomainByName("g");
        Assert.DoesNotContain("<vlan", domain.GetXmlDesc(DomainXmlFlags.Inactive));
    }

    [Fact]
    public async Task A_guest_whose_vlans_cannot_be_programmed_is_stopped_again_and_reported_as_init_failed()
    {
        _kernel.NoVlanFiltering = true;
        IResource r = new DomainResource(_host);
        var e = await Assert.ThrowsAsync<ResourceInitFailedException>(async () =>
            await r.CreateAsync(new Resources.CreateRequest(Urn, "g", await CheckedAsync(r, Guest([10])), false, null), default));
        using var domain = _libvirt.LookupDomainByName("g");
        Assert.Equal(domain.Uuid.ToString("D"), e.Id);
        Assert.False(domain.IsActive());
        Assert.Contains("never runs on the wrong VLAN", e.Message);
        Assert.Contains("no bridge VLAN filtering", e.Message);
        Assert.Equal("shutoff", ((StringValue)e.Properties!["state"]!).Value);
    }

    [Fact]
    public async Task The_two_nics_of_a_teaming_pair_share_a_mac_and_each_is_changed_as_itself()
    {
        IResource r = new DomainResource(_host);
        DomainArgs Pair(string transientLink) => Guest() with
        {
            Interfaces =
            [
                new DomainInterfaceArgs { Type = "network", Network = "default", MacAddress = "00:11:22:33:44:55", Alias = "ua-backup0", Teaming = new DomainTeamingArgs { Type = "persistent" } },
                new DomainInterfaceArgs { Type = "network", Network = "default", MacAddress = "00:11:22:33:44:55", LinkState = transientLink, Teaming = new DomainTeamingArgs { Type = "transient", Persistent = "ua-backup0" } },
            ],
        };
        var created = await r.CreateAsync(new Resources.CreateRequest(Urn, "g", await CheckedAsync(r, Pair("up")), false, null), default);

        var updated = await r.UpdateAsync(new Resources.UpdateRequest(created.Id, Urn, created.State, await CheckedAsync(r, Pair("down")),
            await CheckedAsync(r, Pair("up")), false, [], null), default);

        // The test driver cannot update a running NIC: the change waits in the persistent config, on that NIC only.
        using var domain = _libvirt.LookupDomainByName("g");
        var config = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive));
        Assert.Equal([null, LinkState.Down], config.Interfaces.Select(n => n.LinkState));
        Assert.Equal(["interfaces[1].linkState"], ((ArrayValue)updated["pendingRestart"]!).Items.Select(p => ((StringValue)p).Value));
        Assert.Equal(created.State["domainId"], updated["domainId"]);
    }

    [Fact]
    public async Task The_preview_of_an_update_writes_one_line_per_class_with_the_urn()
    {
        IResource r = new DomainResource(_host);
        var created = await r.CreateAsync(new Resources.CreateRequest(Urn, "g", await CheckedAsync(r, Guest()), false, null), default);
        var news = Guest() with
        {
            MemoryMib = 64, OnCrash = "preserve",
            Interfaces = [new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", LinkState = "down", Model = "e1000e" }],
        };
        _log.Entries.Clear();
        var planned = await r.UpdateAsync(new Resources.UpdateRequest(created.Id, Urn, created.State, await CheckedAsync(r, news),
            await CheckedAsync(r, Guest()), true, [], null), default);
        Assert.Equal(
        [
            (LogSeverity.Info, "kvm:live interfaces[0].linkState, memoryMib: applied to the running guest", Urn),
            (LogSeverity.Warning, "kvm:restart interfaces[0].model, onCrash: written to the persistent config; takes effect when g restarts (restartPolicy never: it is not restarted now)", Urn),
        ], _log.Entries);
        Assert.True(planned["liveXml"]!.IsUnknown);
        Assert.Equal(created.State["interfaces"] is ArrayValue a ? ((ObjectValue)a.Items[0])["macAddress"] : null,
            ((ObjectValue)((ArrayValue)planned["interfaces"]!).Items[0])["macAddress"]);
        // the preview changed nothing
        using var domain = _libvirt.LookupDomainByName("g");
        Assert.DoesNotContain("preserve", domain.GetXmlDesc(DomainXmlFlags.Inactive));
    }

    [Fact]
    public async Task A_start_libvirt_refuses_is_init_failed_with_the_id_and_delete_of_a_gone_domain_is_fine()
    {
        var uuid = Guid.NewGuid();
        var (libvirt, domain) = DefinesOne(uuid, $"<domain type='test'><name>g</name><uuid>{uuid}</uuid><memory>131072</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>");
        domain.Setup(d => d.Start()).Throws(new LibvirtException(LibvirtErrorCode.InternalError, LibvirtErrorDomain.Qemu, "qemu unexpectedly closed the monitor"));
        using var host = Host(libvirt.Object);
        IResource r = new DomainResource(host);

        var args = Guest() with { Interfaces = [] };
        var e = await Assert.ThrowsAsync<ResourceInitFailedException>(async () =>
            await r.CreateAsync(new Resources.CreateRequest(Urn, "g", Writer.Write(args, inputsOnly: true), false, null), default));
        Assert.Equal(uuid.ToString("D"), e.Id);
        Assert.Contains("g was defined but did not start: qemu unexpectedly closed the monitor", e.Message);

        libvirt.Setup(l => l.LookupDomainByUuid(uuid)).Throws(new LibvirtException(LibvirtErrorCode.NoDomain, LibvirtErrorDomain.Dom, "no domain"));
        await r.DeleteAsync(new Resources.DeleteRequest(uuid.ToString("D"), Urn, Writer.Write(new Resources.Domains.DomainState { Name = "g" }), ObjectValue.Empty, null), default);
        Assert.Contains(_log.Entries, l => l.Message.Contains("already gone"));
    }

    [Fact]
    public async Task A_domain_defined_but_not_readable_back_is_init_failed_with_its_id_not_unknown()
    {
        // libvirt took the definition, but what it reports cannot be read (here: a memory size that is no number).
        var uuid = Guid.NewGuid();
        var (libvirt, _) = DefinesOne(uuid, $"<domain type='test'><name>g</name><uuid>{uuid}</uuid><memory>lots</memory></domain>");
        using var host = Host(libvirt.Object);
        IResource r = new DomainResource(host);

        var e = await Assert.ThrowsAsync<ResourceInitFailedException>(async () =>
            await r.CreateAsync(new Resources.CreateRequest(Urn, "g", Writer.Write(Guest(running: false) with { Interfaces = [] }, inputsOnly: true), false, null), default));
        Assert.Equal(uuid.ToString("D"), e.Id);
        Assert.Contains("domain g was defined, but", e.Message);
        Assert.Contains("lots", e.Message);
    }

    /// <summary>A libvirt that has no domain g and defines one (shut off) that reports <paramref name="xml"/>.</summary>
    private static (Mock<ILibvirt> Libvirt, Mock<ILibvirtDomain> Domain) DefinesOne(Guid uuid, string xml)
    {
        var domain = new Mock<ILibvirtDomain>();
        domain.SetupGet(d => d.Uuid).Returns(uuid);
        domain.SetupGet(d => d.Name).Returns("g");
        domain.Setup(d => d.GetState()).Returns(new DomainStateInfo(Libvirt.DomainState.Shutoff, 0));
        domain.Setup(d => d.GetAutostart()).Returns(false);
        domain.Setup(d => d.GetXmlDesc(It.IsAny<DomainXmlFlags>())).Returns(xml);
        var libvirt = new Mock<ILibvirt>();
        libvirt.SetupGet(l => l.Uri).Returns("test:///mock");
        libvirt.Setup(l => l.LookupDomainByName("g")).Throws(new LibvirtException(LibvirtErrorCode.NoDomain, LibvirtErrorDomain.Dom, "no domain"));
        libvirt.Setup(l => l.DefineDomain(It.IsAny<string>(), It.IsAny<DomainDefineFlags>())).Returns(domain.Object);
        return (libvirt, domain);
    }
}

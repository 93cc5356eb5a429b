using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Bridges;
using Kvm.Provider.Rpc;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Hardening;

/// <summary>
/// What a careless or hostile client sends is refused the same way by every RPC, before anything
/// reaches the host, and nothing the provider says back echoes a value that arrived secret.
/// </summary>
public class HardeningTests
{
    // Check refuses it: two static leases for one MAC.
    private const string DuplicateMacs = """
        {"name": "n", "ips": [{"address": "10.10.0.1", "prefix": 24, "dhcp": {"hosts": [
          {"mac": "52:54:00:00:00:01", "ip": "10.10.0.5"}, {"mac": "52:54:00:00:00:01", "ip": "10.10.0.6"}]}}]}
        """;

    [Fact]
    public async Task Create_refuses_what_Check_refuses_and_never_reaches_libvirt()
    {
        using var h = NetworkHarness.Untouchable(); // any libvirt call throws a Moq exception, not this one
        var e = await Assert.ThrowsAsync<ProviderException>(() => h.CreateAsync(NetworkHarness.Obj(DuplicateMacs)));
        Assert.Equal(StatusCode.InvalidArgument, e.Code);
        Assert.Contains("ips[0].dhcp.hosts[1].mac", e.Message);
    }

    [Fact]
    public async Task Update_and_Diff_refuse_what_Check_refuses_and_never_reach_libvirt()
    {
        using var h = NetworkHarness.Untouchable();
        var olds = NetworkHarness.Obj("""{"name": "n"}""");
        var update = await Assert.ThrowsAsync<ProviderException>(() => h.UpdateAsync("n", olds, NetworkHarness.Obj(DuplicateMacs), olds));
        Assert.Equal(StatusCode.InvalidArgument, update.Code);
        Assert.Contains("already has a lease", update.Message);
        var diff = await Assert.ThrowsAsync<ProviderException>(() => h.DiffAsync("n", olds, NetworkHarness.Obj(DuplicateMacs), olds));
        Assert.Equal(StatusCode.InvalidArgument, diff.Code);
    }

    [Fact]
    public async Task A_secret_value_is_never_echoed_by_Check_or_by_a_refused_Create()
    {
        using var h = NetworkHarness.Untouchable();
        // A type mismatch and a one-of (the binder), and a rule that quotes the value (the planner), each on a secret.
        var mistyped = NetworkHarness.Obj("""{"name": "n"}""")
            .With("mtu", PropertyValue.Secret(PropertyValue.Of("hunter2")))
            .With("forward", new ObjectValue(System.Collections.Immutable.ImmutableSortedDictionary<string, PropertyValue>.Empty
                .Add("mode", PropertyValue.Secret(PropertyValue.Of("sesame-mode")))));
        var quoted = NetworkHarness.Obj("""{"name": "n"}""").With("domainName", PropertyValue.Secret(PropertyValue.Of("-opensesame-.example")));
        foreach (var news in new[] { mistyped, quoted })
        {
            var check = await h.Resource.CheckAsync(new CheckRequest(NetworkHarness.Urn, "net", ObjectValue.Empty, news), CancellationToken.None);
            Assert.NotEmpty(check.Failures);
            Assert.All(check.Failures, f => Assert.Contains("a secret value", f.Reason));
            Assert.All(check.Failures, f => Assert.DoesNotContain("hunter2", f.Reason));
            Assert.All(check.Failures, f => Assert.DoesNotContain("sesame", f.Reason));

            var create = await Assert.ThrowsAsync<ProviderException>(() => h.CreateAsync(news));
            Assert.DoesNotContain("hunter2", create.Message);
            Assert.DoesNotContain("sesame", create.Message);
        }
    }

    [Theory]
    [InlineData("\u0001\u001f")]
    [InlineData("br\u00000")]
    [InlineData("x\uFFFE")]
    public async Task Control_characters_are_refused_by_Check_naming_the_property(string name)
    {
        using var h = NetworkHarness.Untouchable();
        var check = await h.Resource.CheckAsync(new CheckRequest(NetworkHarness.Urn, "net", ObjectValue.Empty,
            NetworkHarness.Obj("""{"name": "n"}""").With("domainName", PropertyValue.Of(name))), CancellationToken.None);
        var failure = Assert.Single(check.Failures);
        Assert.Equal("domainName", failure.Property);
        Assert.Contains("control character U+", failure.Reason);
    }

    [Theory]
    [InlineData("""{"name": "br0", "ports": ["lo"]}""", "the loopback interface")]
    [InlineData("""{"name": "br0", "ports": [null]}""", "is null")]
    public void A_bridge_takes_neither_loopback_nor_a_missing_port(string json, string reason)
    {
        var bound = PropertyBinder.Bind<BridgeArgs>(NetworkHarness.Obj(json));
        var failures = new BridgePlanner().Validate(new CheckContext<BridgeArgs>("urn", "b", bound, null, new DeclaredResources(), default)).ToList();
        Assert.Contains(failures, f => f.Property == "ports[0]" && f.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_status_has_a_message_and_unreadable_host_data_is_not_unknown()
    {
        var blank = ErrorMapping.ToRpc(ProviderException.FailedPrecondition(" \n"), "Create");
        Assert.Equal(StatusCode.FailedPrecondition, blank.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(blank.Status.Detail));

        var unreadable = ErrorMapping.ToRpc(new FormatException("<forward> mode: unknown value 'warp'"), "Read");
        Assert.Equal(StatusCode.FailedPrecondition, unreadable.StatusCode);
        Assert.Contains("warp", unreadable.Status.Detail);
    }
}

/// <summary>The VLAN table update that used to empty a port's table on input Check refuses.</summary>
public class VlanFilterHardeningTests
{
    [Theory]
    [InlineData("""{"range": "10-5"}""")]
    [InlineData("""{"range": "a-b"}""")]
    [InlineData("""{"range": "0-10"}""")]
    [InlineData("""{}""")]
    public async Task An_update_Check_refuses_is_refused_before_the_kernel_is_asked(string entry)
    {
        var connections = new Moq.Mock<IHostConnections>(Moq.MockBehavior.Strict); // the kernel is never reached
        connections.Setup(c => c.Dispose());
        using var host = new ProviderHost(new CapturingLog(), _ => connections.Object);
        IResource resource = new Kvm.Provider.Resources.VlanFilters.VlanFilterResource(host);
        const string Urn = "urn:pulumi:dev::lab::kvm:index:VlanFilter::p";
        var olds = NetworkHarness.Obj("""{"bridge": "br0", "port": "eth1", "vlans": [{"vid": 10}]}""");
        var news = NetworkHarness.Obj("""{"bridge": "br0", "port": "eth1", "vlans": [ENTRY]}""".Replace("ENTRY", entry, StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<ProviderException>(() =>
            resource.UpdateAsync(new UpdateRequest("br0/eth1", Urn, olds, news, olds, false, [], null), CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, e.Code);
        Assert.Contains("vlans[0]", e.Message);
    }
}

/// <summary>A network libvirt defined but reports in a form the provider cannot read: the engine keeps its id.</summary>
public class NetworkCreateHardeningTests
{
    [Fact]
    public async Task A_network_defined_but_not_readable_back_is_init_failed_with_its_id()
    {
        var network = new Moq.Mock<Kvm.Libvirt.ILibvirtNetwork>();
        network.SetupGet(n => n.Name).Returns("n");
        network.Setup(n => n.IsPersistent()).Returns(true);
        network.Setup(n => n.GetXmlDesc(Moq.It.IsAny<Kvm.Libvirt.NetworkXmlFlags>())).Returns("<network><name>n</name><mtu size='big'/></network>");
        var libvirt = new Moq.Mock<Kvm.Libvirt.ILibvirt>();
        libvirt.SetupGet(l => l.Uri).Returns("test:///mock");
        // No such network at first; after the define, the one libvirt now holds.
        var noNetwork = new Kvm.Libvirt.LibvirtException(Kvm.Libvirt.LibvirtErrorCode.NoNetwork, Kvm.Libvirt.LibvirtErrorDomain.Network, "no network");
        libvirt.SetupSequence(l => l.LookupNetworkByName("n")).Throws(noNetwork).Returns(network.Object).Returns(network.Object);
        libvirt.Setup(l => l.LookupNetworkByUuid(Moq.It.IsAny<Guid>())).Throws(noNetwork);
        libvirt.Setup(l => l.DefineNetwork(Moq.It.IsAny<string>())).Returns(network.Object);
        using var h = new NetworkHarness(libvirt.Object);

        var e = await Assert.ThrowsAsync<Kvm.Provider.Resources.ResourceInitFailedException>(() => h.CreateAsync(NetworkHarness.Obj("""{"name": "n", "active": false, "autostart": false}""")));
        Assert.Equal("n", e.Id);
        Assert.Contains("reading it back failed", e.Message);
    }
}

/// <summary>What the provider logs while it serves a request leaves without the request's secrets.</summary>
public class SecretLogTests
{
    [Fact]
    public async Task A_log_line_never_shows_a_value_that_arrived_secret()
    {
        // A guest whose name is secret (its id is its UUID): the preview of a change names the guest.
        using var driver = new TestDriverHost();
        using var h = new NetworkHarness(driver.Connection);
        var service = new ResourceProviderService(h.Host, new ResourceRegistry(ResourceCatalog.Create(h.Host)), engineLog: null);
        const string urn = "urn:pulumi:dev::lab::kvm:index:Domain::g";
        async Task<Google.Protobuf.WellKnownTypes.Struct> CheckedAsync(string json)
        {
            var news = NetworkHarness.Obj(json).With("name", PropertyValue.Secret(PropertyValue.Of("vault-guest-7")));
            var check = await service.Check(new Pulumirpc.CheckRequest { Urn = urn, Name = "g", Type = "kvm:index:Domain", Olds = new(), News = StructCodec.Encode(news) }, default);
            Assert.Empty(check.Failures);
            return check.Inputs;
        }
        var inputs = await CheckedAsync("""{"type": "test", "memoryMib": 64, "vcpus": 1, "running": false}""");
        var created = await service.Create(new Pulumirpc.CreateRequest { Urn = urn, Name = "g", Type = "kvm:index:Domain", Properties = inputs }, default);

        var news = await CheckedAsync("""{"type": "test", "memoryMib": 64, "vcpus": 1, "running": false, "onCrash": "preserve"}""");
        await service.Update(new Pulumirpc.UpdateRequest { Id = created.Id, Urn = urn, Name = "g", Type = "kvm:index:Domain", Olds = created.Properties, News = news, OldInputs = inputs, Preview = true }, default);

        var line = Assert.Single(h.Log.Messages, m => m.StartsWith("kvm:live onCrash", StringComparison.Ordinal));
        Assert.Contains("(a secret value is not running)", line);
        Assert.DoesNotContain(h.Log.Messages, m => m.Contains("vault-guest-7", StringComparison.Ordinal));
    }
}

/// <summary>An object libvirt holds in a form the provider cannot read (a newer libvirt's value): refresh reports it, import and changes refuse.</summary>
public class UnreadableObjectTests
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:LibvirtNetwork::net";

    private static NetworkHarness HoldingOneNetwork(string xml)
    {
        var network = new Moq.Mock<Kvm.Libvirt.ILibvirtNetwork>();
        network.SetupGet(n => n.Name).Returns("n");
        network.Setup(n => n.IsActive()).Returns(false);
        network.Setup(n => n.IsPersistent()).Returns(true);
        network.Setup(n => n.GetAutostart()).Returns(false);
        network.Setup(n => n.GetXmlDesc(Moq.It.IsAny<Kvm.Libvirt.NetworkXmlFlags>())).Returns(xml);
        var libvirt = new Moq.Mock<Kvm.Libvirt.ILibvirt>();
        libvirt.SetupGet(l => l.Uri).Returns("test:///mock");
        libvirt.Setup(l => l.LookupNetworkByName("n")).Returns(network.Object);
        return new NetworkHarness(libvirt.Object);
    }

    [Fact]
    public async Task A_refresh_keeps_the_object_as_recorded_and_warns_and_an_import_says_what_it_cannot_read()
    {
        // A forward mode this provider does not know (as a later libvirt may add one).
        using var h = HoldingOneNetwork("<network><name>n</name><forward mode='warp'/></network>");
        var state = NetworkHarness.Obj("""{"name": "n", "active": false, "autostart": false, "bridgeName": "virbr5"}""");
        var inputs = NetworkHarness.Obj("""{"name": "n", "active": false}""");

        var refreshed = await h.ReadAsync("n", state, inputs);
        Assert.Equal("n", refreshed.Id);
        Assert.Equal(state, refreshed.State);
        Assert.Equal(inputs, refreshed.Inputs);
        var warning = Assert.Single(h.Log.Entries, e => e.Severity == Pulumirpc.LogSeverity.Warning);
        Assert.Contains("the network n in a form the provider cannot read", warning.Message);
        Assert.Contains("'warp'", warning.Message);
        Assert.Equal(Urn, warning.Urn);

        var import = await Assert.ThrowsAsync<HostObjectUnreadableException>(() => h.ReadAsync("n"));
        Assert.Equal(StatusCode.FailedPrecondition, import.Code);
        Assert.Contains("'warp'", import.Message);
    }
}

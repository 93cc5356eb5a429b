using System.Xml.Linq;
using Kvm.Netlink;
using Kvm.Provider.Resources.Domains;

namespace Kvm.Provider.Tests.Domains;

/// <summary>`pulumi-resource-kvm qemu-hook`: what libvirt runs when it starts a guest.</summary>
public sealed class QemuHookTests : IDisposable
{
    private readonly FakeBridgeKernel _kernel = new();
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"kvm-hook-test-{Guid.NewGuid():N}");
    private int _connects;

    public QemuHookTests()
    {
        _kernel.AddBridge("br0");
        _kernel.AddPort("vnet0", "br0", new VlanEntry(1, 1, true, true));
        _kernel.AddPort("vnet1", "br0", new VlanEntry(1, 1, true, true));
    }

    public void Dispose()
    {
        if (Directory.Exists(_state)) Directory.Delete(_state, recursive: true);
    }

    /// <summary>The live XML libvirt passes at "start": taps named, our metadata inside.</summary>
    private static string LiveXml(params (string Mac, string? Tap, DomainVlanArgs? Vlan)[] nics)
    {
        var domain = XElement.Parse($"""
            <domain type='qemu' id='3'><name>g1</name><uuid>{DomainFixtures.Uuid}</uuid><devices>
            {string.Concat(nics.Select(n => $"<interface type='bridge'><mac address='{n.Mac}'/><source bridge='br0'/>{(n.Tap is null ? "" : $"<target dev='{n.Tap}'/>")}</interface>"))}
            </devices></domain>
            """);
        GuestVlans.Write(domain, nics.Where(n => n.Vlan is not null).ToDictionary(n => n.Mac, n => n.Vlan!));
        return domain.ToString();
    }

    private async Task<(int Code, string Stderr)> RunAsync(string xml, params string[] args)
    {
        var stderr = new StringWriter();
        var code = await QemuHook.RunAsync(["--state-dir", _state, .. args], new StringReader(xml), stderr, () =>
        {
            _connects++;
            return new HookNetlink(_kernel, _kernel);
        }, CancellationToken.None);
        return (code, stderr.ToString());
    }

    [Fact]
    public async Task At_start_each_tap_goes_on_its_vlans_and_the_start_is_recorded()
    {
        var xml = LiveXml(("52:54:00:00:00:01", "vnet0", new DomainVlanArgs { Tags = [10] }),
                          ("52:54:00:00:00:02", "vnet1", new DomainVlanArgs { Tags = [20, 30], NativeTag = 20 }));
        var (code, stderr) = await RunAsync(xml, "g1", "start", "begin", "-");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal([new VlanEntry(10, 10, true, true)], _kernel.TableOf("vnet0"));
        Assert.Equal([new VlanEntry(20, 20, true, true), VlanEntry.Of(30)], _kernel.TableOf("vnet1"));
        Assert.True(File.Exists(Path.Combine(_state, QemuHook.StartedFolder, DomainFixtures.Uuid)));

        // A second start finds the tables right and sends nothing.
        _kernel.Requests.Clear();
        Assert.Equal(0, (await RunAsync(xml, "g1", "start", "begin", "-")).Code);
        Assert.Empty(_kernel.Requests);
    }

    [Theory]
    [InlineData("prepare")]
    [InlineData("started")]
    [InlineData("stopped")]
    [InlineData("release")]
    [InlineData("reconnect")]
    public async Task Other_operations_do_nothing(string operation)
    {
        var xml = LiveXml(("52:54:00:00:00:01", "vnet0", new DomainVlanArgs { Tags = [10] }));
        Assert.Equal(0, (await RunAsync(xml, "g1", operation, "begin", "-")).Code);
        Assert.Equal(0, _connects);
        Assert.False(Directory.Exists(_state));
    }

    [Fact]
    public async Task A_guest_without_our_metadata_never_opens_netlink()
    {
        Assert.Equal(0, (await RunAsync(LiveXml(("52:54:00:00:00:01", "vnet0", null)), "g1", "start", "begin", "-")).Code);
        Assert.Equal(0, _connects);
    }

    [Fact]
    public async Task A_kernel_without_vlan_filtering_stops_the_start_with_a_clear_reason()
    {
        _kernel.NoVlanFiltering = true;
        var (code, stderr) = await RunAsync(LiveXml(("52:54:00:00:00:01", "vnet0", new DomainVlanArgs { Tags = [10] })), "g1", "start", "begin", "-");
        Assert.Equal(1, code);
        Assert.Contains("guest g1 not started", stderr);
        Assert.Contains("vnet0", stderr);
        Assert.Contains("VLAN 10", stderr);
        Assert.Contains("no bridge VLAN filtering", stderr);
        Assert.Contains("EOPNOTSUPP", stderr);
    }

    [Fact]
    public async Task A_tap_that_is_no_bridge_port_or_missing_stops_the_start()
    {
        var (code, stderr) = await RunAsync(LiveXml(("52:54:00:00:00:01", "vnet9", new DomainVlanArgs { Tags = [10] })), "g1", "start", "begin", "-");
        Assert.Equal(1, code);
        Assert.Contains("vnet9", stderr);
        Assert.Contains("no such interface", stderr);

        (code, stderr) = await RunAsync(LiveXml(("52:54:00:00:00:01", null, new DomainVlanArgs { Tags = [10] })), "g1", "start", "begin", "-");
        Assert.Equal(1, code);
        Assert.Contains("no host device", stderr);
    }

    [Fact]
    public async Task A_bridge_that_does_not_filter_is_a_warning_not_a_failure()
    {
        var kernel = new FakeBridgeKernel();
        kernel.AddBridge("br1", vlanFiltering: false);
        kernel.AddPort("vnet5", "br1");
        var stderr = new StringWriter();
        var xml = LiveXml(("52:54:00:00:00:01", "vnet5", new DomainVlanArgs { Tags = [10] }));
        var code = await QemuHook.RunAsync(["g1", "start", "begin", "-"], new StringReader(xml), stderr, () => new HookNetlink(kernel, kernel), CancellationToken.None);
        Assert.Equal(0, code);
        Assert.Contains("does not filter VLANs", stderr.ToString());
        Assert.Equal([new VlanEntry(10, 10, true, true)], kernel.TableOf("vnet5"));
    }

    [Fact]
    public async Task Bad_usage_and_unreadable_xml_are_refused()
    {
        Assert.Equal(2, (await RunAsync("<domain/>")).Code);
        var (code, stderr) = await RunAsync("not xml", "g1", "start", "begin", "-");
        Assert.Equal(1, code);
        Assert.Contains("not readable", stderr);
    }

    [Fact]
    public async Task Dropped_vlans_reset_the_tap_to_the_bridges_default()
    {
        _kernel.Tables[_kernel.AddPort("vnet7", "br0")] = [new VlanEntry(10, 10, true, true), VlanEntry.Of(20)];
        await GuestPortVlans.ResetAsync(_kernel, _kernel, "vnet7", CancellationToken.None);
        Assert.Equal([new VlanEntry(1, 1, true, true)], _kernel.TableOf("vnet7"));
    }
}

using System.Net;
using System.Text.Json;

namespace Kvm.Netlink.Tests.Live;

/// <summary>
/// Addresses and routes written by LinkService against the real kernel, each test in its own
/// namespace, with <c>ip -j addr</c> / <c>ip -j route</c> as the independent observer.
/// </summary>
[Trait("Category", "Live")]
public sealed class AddressRouteLiveTests
{
    [Fact]
    public async Task Added_addresses_show_in_ip_addr_and_read_back_as_permanent()
    {
        using var lab = LabNetlink.Create();
        var br = await lab.Links.CreateBridgeAsync(new NewBridge("br0") { AdminState = AdminState.Up });

        await lab.Links.AddAddressAsync(br.Index, IPAddress.Parse("192.168.0.90"), 24);
        await lab.Links.AddAddressAsync(br.Index, IPAddress.Parse("fd00::1"), 64);

        Assert.Equal(["192.168.0.90/24", "fd00::1/64"], IpAddresses(lab, "br0"));
        var read = await lab.Links.ListAddressesAsync(br.Index);
        Assert.All(read.Where(a => !a.IsIPv6LinkLocal), a => Assert.True(a.IsPermanent, $"{a} should be permanent"));
        Assert.Contains(read, a => a.ToString() == "fd00::1/64");
    }

    [Fact]
    public async Task Adding_an_address_twice_is_EEXIST_and_deleting_a_missing_one_is_false()
    {
        using var lab = LabNetlink.Create();
        var br = await lab.Links.CreateBridgeAsync(new NewBridge("br0"));
        await lab.Links.AddAddressAsync(br.Index, IPAddress.Parse("10.1.0.1"), 24);

        var e = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.AddAddressAsync(br.Index, IPAddress.Parse("10.1.0.1"), 24));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.True(await lab.Links.DeleteAddressAsync(br.Index, IPAddress.Parse("10.1.0.1"), 24));
        Assert.False(await lab.Links.DeleteAddressAsync(br.Index, IPAddress.Parse("10.1.0.1"), 24));
        Assert.Empty(IpAddresses(lab, "br0"));
    }

    [Fact]
    public async Task All_addresses_of_the_namespace_come_from_one_dump()
    {
        using var lab = LabNetlink.Create();
        lab.AddVethPair("va0", "vb0");
        lab.Lab.Ip("addr", "add", "10.30.0.1/24", "dev", "va0");

        var before = lab.Socket.RequestsSent;
        var all = await lab.Links.ListAllAddressesAsync();

        Assert.Equal(1, lab.Socket.RequestsSent - before);
        Assert.Contains(all, a => a.ToString() == "10.30.0.1/24");
    }

    [Fact]
    public async Task Routes_added_show_in_ip_route_as_proto_static_and_read_back()
    {
        using var lab = LabNetlink.Create();
        var br = await lab.Links.CreateBridgeAsync(new NewBridge("br0") { AdminState = AdminState.Up });
        await lab.Links.AddAddressAsync(br.Index, IPAddress.Parse("192.168.0.90"), 24);
        await lab.Links.AddAddressAsync(br.Index, IPAddress.Parse("fd00::1"), 64);

        await lab.Links.AddRouteAsync(new Route(IPAddress.Any, 0, IPAddress.Parse("192.168.0.1"), br.Index));
        await lab.Links.AddRouteAsync(new Route(IPAddress.IPv6Any, 0, IPAddress.Parse("fd00::fe"), br.Index));
        await lab.Links.AddRouteAsync(new Route(IPAddress.Parse("10.8.0.0"), 16, IPAddress.Parse("192.168.0.2"), br.Index) { Metric = 50 });
        await lab.Links.AddRouteAsync(new Route(IPAddress.Parse("10.9.0.0"), 16, null, br.Index));

        var v4 = IpRoutes(lab, "-4");
        Assert.Contains(v4, r => r.Dst == "default" && r.Gateway == "192.168.0.1" && r.Protocol == "static");
        Assert.Contains(v4, r => r.Dst == "10.8.0.0/16" && r.Gateway == "192.168.0.2" && r.Metric == 50);
        Assert.Contains(v4, r => r.Dst == "10.9.0.0/16" && r.Gateway is null && r.Scope == "link");
        Assert.Contains(IpRoutes(lab, "-6"), r => r.Dst == "default" && r.Gateway == "fd00::fe" && r.Metric == 1024);

        var read = await lab.Links.ListRoutesAsync(br.Index);
        Assert.Contains(read, r => r.IsDefault && !r.IsIPv6 && IPAddress.Parse("192.168.0.1").Equals(r.Gateway) && r.Protocol == RouteProtocol.Static);
        Assert.Contains(read, r => r.IsDefault && r.IsIPv6 && r.Metric == 1024);
        Assert.Contains(read, r => r.ToString() == "10.8.0.0/16 via 192.168.0.2 metric 50");
        // the kernel's own subnet routes are there, marked as its own
        Assert.Contains(read, r => r.ToString() == "192.168.0.0/24" && r.Protocol == RouteProtocol.Kernel);
        Assert.True(await lab.Links.CarriesDefaultRouteAsync(br.Index));
    }

    [Fact]
    public async Task Replacing_the_default_route_swaps_its_gateway_and_delete_removes_it()
    {
        using var lab = LabNetlink.Create();
        var br = await lab.Links.CreateBridgeAsync(new NewBridge("br0") { AdminState = AdminState.Up });
        await lab.Links.AddAddressAsync(br.Index, IPAddress.Parse("192.168.0.90"), 24);
        await lab.Links.AddRouteAsync(new Route(IPAddress.Any, 0, IPAddress.Parse("192.168.0.1"), br.Index));

        var again = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.AddRouteAsync(new Route(IPAddress.Any, 0, IPAddress.Parse("192.168.0.254"), br.Index)));
        Assert.Equal(Errno.EEXIST, again.Errno);
        await lab.Links.AddRouteAsync(new Route(IPAddress.Any, 0, IPAddress.Parse("192.168.0.254"), br.Index), replace: true);

        var defaults = IpRoutes(lab, "-4").Where(r => r.Dst == "default").ToList();
        Assert.Equal("192.168.0.254", Assert.Single(defaults).Gateway);

        Assert.True(await lab.Links.DeleteRouteAsync(new Route(IPAddress.Any, 0, IPAddress.Parse("192.168.0.254"), br.Index)));
        Assert.False(await lab.Links.DeleteRouteAsync(new Route(IPAddress.Any, 0, IPAddress.Parse("192.168.0.254"), br.Index)));
        Assert.DoesNotContain(IpRoutes(lab, "-4"), r => r.Dst == "default");
    }

    private static string[] IpAddresses(LabNetlink lab, string link)
    {
        var json = JsonDocument.Parse(lab.Lab.Ip("-j", "addr", "show", "dev", link)).RootElement;
        return [.. json[0].GetProperty("addr_info").EnumerateArray()
            .Where(a => a.GetProperty("scope").GetString() != "link")
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")];
    }

    internal sealed record IpRoute(string Dst, string? Gateway, string? Protocol, string? Scope, long? Metric);

    private static List<IpRoute> IpRoutes(LabNetlink lab, string family) =>
        [.. JsonDocument.Parse(lab.Lab.Ip(family, "-j", "route", "show")).RootElement.EnumerateArray().Select(r => new IpRoute(
            r.GetProperty("dst").GetString()!,
            r.TryGetProperty("gateway", out var g) ? g.GetString() : null,
            r.TryGetProperty("protocol", out var p) ? p.GetString() : null,
            r.TryGetProperty("scope", out var s) ? s.GetString() : null,
            r.TryGetProperty("metric", out var m) ? m.GetInt64() : null))];
}

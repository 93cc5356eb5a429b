using System.Text.Json;

namespace Kvm.Netlink.Tests.Live;

/// <summary>Port settings (IFLA_BRPORT_*) against the real kernel, with <c>ip -d -j link</c> as the observer.</summary>
[Trait("Category", "Live")]
public sealed class BridgePortSettingsLiveTests
{
    private static JsonElement SlaveData(LabNetlink lab, string port) =>
        lab.Lab.Link(port)!.Value.GetProperty("linkinfo").GetProperty("info_slave_data");

    [Fact]
    public async Task Settings_written_to_a_port_read_back_through_the_port_dump()
    {
        using var lab = LabNetlink.Create();
        lab.AddVethPair("pp0", "pq0");
        lab.Lab.Ip("link", "add", "brs0", "type", "bridge");
        var bridge = (await lab.Links.GetByNameAsync("brs0"))!;
        var port = (await lab.Links.GetByNameAsync("pp0"))!;
        await lab.Links.SetMasterAsync(port.Index, bridge.Index);

        await lab.Links.SetAsync(port.Index, new LinkChange
        {
            Port = BridgePortSettings.None
                .With(BridgePortAttribute.Hairpin, 1, 1)
                .With(BridgePortAttribute.Isolated, 1, 1)
                .With(BridgePortAttribute.Learning, 0, 1)
                .With(BridgePortAttribute.UnicastFlood, 0, 1)
                .With(BridgePortAttribute.MulticastFlood, 0, 1)
                .With(BridgePortAttribute.Cost, 100, 4)
                .With(BridgePortAttribute.Priority, 40, 2),
        });

        var data = SlaveData(lab, "pp0");
        Assert.True(data.GetProperty("hairpin").GetBoolean());
        Assert.True(data.GetProperty("isolated").GetBoolean());
        Assert.False(data.GetProperty("learning").GetBoolean());
        Assert.False(data.GetProperty("flood").GetBoolean());
        Assert.False(data.GetProperty("mcast_flood").GetBoolean());
        Assert.Equal(100, data.GetProperty("cost").GetInt32());
        Assert.Equal(40, data.GetProperty("priority").GetInt32());

        var read = Assert.Single(await lab.Links.ListPortsAsync(bridge.Index)).PortSettings;
        Assert.Equal(1u, read[BridgePortAttribute.Hairpin]);
        Assert.Equal(1u, read[BridgePortAttribute.Isolated]);
        Assert.Equal(0u, read[BridgePortAttribute.Learning]);
        Assert.Equal(0u, read[BridgePortAttribute.UnicastFlood]);
        Assert.Equal(0u, read[BridgePortAttribute.MulticastFlood]);
        Assert.Equal(100u, read[BridgePortAttribute.Cost]);
        Assert.Equal(40u, read[BridgePortAttribute.Priority]);
    }

    [Fact]
    public async Task Out_of_range_values_are_refused_and_a_new_port_starts_from_the_defaults()
    {
        using var lab = LabNetlink.Create();
        lab.AddVethPair("pp1", "pq1");
        lab.Lab.Ip("link", "add", "brs1", "type", "bridge");
        var bridge = (await lab.Links.GetByNameAsync("brs1"))!;
        var port = (await lab.Links.GetByNameAsync("pp1"))!;
        await lab.Links.SetMasterAsync(port.Index, bridge.Index);

        var priority = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.SetAsync(port.Index, new LinkChange { Port = BridgePortSettings.None.With(BridgePortAttribute.Priority, 64, 2) }));
        Assert.Equal(Errno.ERANGE, priority.Errno);
        var cost = await Assert.ThrowsAsync<NetlinkException>(() => lab.Links.SetAsync(port.Index, new LinkChange { Port = BridgePortSettings.None.With(BridgePortAttribute.Cost, 0, 4) }));
        Assert.Equal(Errno.ERANGE, cost.Errno);
        // Not with the enslaving request: the kernel would give them to the link's old master.
        await Assert.ThrowsAsync<ArgumentException>(() => lab.Links.SetAsync(port.Index, new LinkChange { MasterIndex = bridge.Index, Port = BridgePortSettings.None.With(BridgePortAttribute.Hairpin, 1, 1) }));

        await lab.Links.SetAsync(port.Index, new LinkChange { Port = BridgePortSettings.None.With(BridgePortAttribute.Hairpin, 1, 1).With(BridgePortAttribute.Priority, 63, 2) });
        await lab.Links.ReleaseFromMasterAsync(port.Index);
        await lab.Links.SetMasterAsync(port.Index, bridge.Index);
        var read = Assert.Single(await lab.Links.ListPortsAsync(bridge.Index)).PortSettings;
        Assert.Equal(0u, read[BridgePortAttribute.Hairpin]);
        Assert.Equal(32u, read[BridgePortAttribute.Priority]);
    }
}

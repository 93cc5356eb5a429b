using Grpc.Core;
using Kvm.Libvirt;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Resources;
using Kvm.Provider.Values;
using LogSeverity = Pulumirpc.LogSeverity;

namespace Kvm.Provider.Tests.Networks;

/// <summary>
/// The resource in-process against libvirt's test driver (a private test:///node.xml host per
/// test): create, read, import, the diff classes, live and restart updates, delete.
/// </summary>
public sealed class NetworkResourceTests : IDisposable
{
    private readonly TestDriverHost _driver = new();
    private readonly NetworkHarness _h;

    public NetworkResourceTests() => _h = new NetworkHarness(_driver.Connection);

    public void Dispose()
    {
        _h.Dispose();
        _driver.Dispose();
    }

    private const string Lan = """
        {"name": "lan", "forward": {"mode": "nat"}, "bridge": {"name": "virbr9", "stp": false},
         "ips": [{"address": "10.9.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.9.0.100", "end": "10.9.0.200"}],
                  "hosts": [{"mac": "52:54:00:00:00:01", "name": "guest1", "ip": "10.9.0.11"}]}}],
         "portGroups": [{"name": "web", "isDefault": true}]}
        """;

    private static string With(string json, string replace, string by)
    {
        Assert.Contains(replace, json);
        return json.Replace(replace, by);
    }

    private async Task<(ObjectValue Inputs, CreateResult Created)> CreateAsync(string json)
    {
        var inputs = await _h.CheckedAsync(json);
        return (inputs, await _h.CreateAsync(inputs));
    }

    private static string Str(ObjectValue o, string path) => ((StringValue)PropertyPath.Get(o, PropertyPath.Parse(path).AsSpan())!).Value;

    [Fact]
    public async Task Create_defines_starts_and_autostarts_and_reports_what_libvirt_filled_in()
    {
        var (_, created) = await CreateAsync(Lan);
        Assert.Equal("lan", created.Id);
        using var net = _driver.Connection.LookupNetworkByName("lan");
        Assert.True(net.IsActive());
        Assert.True(net.GetAutostart());
        var state = created.State;
        Assert.True(Guid.TryParse(Str(state, "uuid"), out _));
        Assert.Equal("virbr9", Str(state, "bridgeName"));
        Assert.Equal("255.255.255.0", Str(state, "ips[0].netmask"));
        Assert.Contains("<host mac='52:54:00:00:00:01' name='guest1' ip='10.9.0.11'/>", Str(state, "xml"));
        Assert.Equal(PropertyValue.True, state["active"]);
        Assert.False(state.ContainsUnknowns);
    }

    [Fact]
    public async Task Create_preview_changes_nothing_and_leaves_host_values_unknown()
    {
        var inputs = await _h.CheckedAsync("""{"name": "lan", "forward": {"mode": "nat"}}""");
        var planned = await _h.CreateAsync(inputs, preview: true);
        Assert.Null(_driver.Connection.FindNetworkByName("lan"));
        Assert.True(planned.State["uuid"]!.IsUnknown);
        Assert.True(planned.State["bridgeName"]!.IsUnknown);
        Assert.True(planned.State["bridge"]!.IsUnknown);
        Assert.True(planned.State["xml"]!.IsUnknown);
        Assert.Equal("nat", Str(planned.State, "forward.mode"));
    }

    [Fact]
    public async Task An_existing_network_is_never_adopted()
    {
        _driver.Connection.DefineNetwork("<network><name>lan</name><bridge name='virbr3'/></network>").Dispose();
        var inputs = await _h.CheckedAsync(Lan);
        var e = await Assert.ThrowsAsync<ProviderException>(() => _h.CreateAsync(inputs));
        Assert.Equal(StatusCode.AlreadyExists, e.Code);
        Assert.Contains("pulumi import kvm:index:LibvirtNetwork <resource-name> lan", e.Message);
        using var net = _driver.Connection.LookupNetworkByName("lan");
        Assert.False(net.IsActive());
        Assert.Contains("virbr3", net.GetXmlDesc());
    }

    [Fact]
    public async Task A_start_that_fails_after_the_define_reports_the_id_so_nothing_is_orphaned()
    {
        // The test driver starts anything; a second network on the same bridge is what it refuses.
        await CreateAsync(Lan);
        var inputs = await _h.CheckedAsync("""{"name": "other", "forward": {"mode": "nat"}, "bridge": {"name": "virbr9"}}""");
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => _h.CreateAsync(inputs));
        if (e is ResourceInitFailedException init)
        {
            Assert.Equal("other", init.Id);
            Assert.Contains("was defined, but starting it failed", init.Message);
            Assert.NotNull(init.Properties);
            Assert.NotNull(_driver.Connection.FindNetworkByName("other"));
        }
        else
        {
            // libvirt refused at define: then nothing exists and the error says nothing was applied
            var p = Assert.IsType<ProviderException>(e);
            Assert.NotEqual(StatusCode.Unknown, p.Code);
            Assert.Null(_driver.Connection.FindNetworkByName("other"));
        }
    }

    [Fact]
    public async Task Read_reports_the_state_and_import_by_name_or_uuid_gives_inputs_with_an_empty_diff()
    {
        var (_, created) = await CreateAsync(Lan);
        var uuid = Str(created.State, "uuid");
        foreach (var id in new[] { "lan", uuid })
        {
            var read = await _h.ReadAsync(id);
            Assert.Equal("lan", read.Id); // the id is the name, whichever way it was imported
            var imported = await _h.CheckedAsync(Google.Protobuf.JsonFormatter.Default.Format(StructCodec.Encode(read.Inputs)));
            var diff = await _h.DiffAsync(read.Id, read.State, imported, imported);
            Assert.False(diff.HasChanges, string.Join(", ", diff.Detailed.Keys));
            // and the program as first written also gives none
            var original = await _h.CheckedAsync(Lan);
            Assert.False((await _h.DiffAsync(read.Id, read.State, original, original)).HasChanges);
        }
    }

    [Fact]
    public async Task Refresh_keeps_the_programs_shape_so_values_only_the_host_holds_are_never_removals()
    {
        var (inputs, created) = await CreateAsync(Lan);
        var read = await _h.ReadAsync("lan", created.State, inputs);
        PropertyValue? At(string path) => PropertyPath.Get(read.Inputs, PropertyPath.Parse(path).AsSpan());
        Assert.Null(At("ips[0].family"));
        Assert.Null(At("ips[0].netmask"));
        Assert.Null(At("forward.interfaces"));
        Assert.Null(At("uuid"));
        Assert.Equal(PropertyValue.Of("virbr9"), At("bridge.name"));
        var diff = await _h.DiffAsync("lan", read.State, inputs, read.Inputs);
        Assert.False(diff.HasChanges, string.Join(", ", diff.Detailed));
    }

    [Fact]
    public async Task Read_of_a_network_that_is_gone_returns_no_id()
    {
        var read = await _h.ReadAsync("nosuchnet");
        Assert.True(read.IsGone);
        await Assert.ThrowsAsync<ProviderException>(() => _h.ReadAsync("bad<id>"));
    }

    [Fact]
    public async Task Values_libvirt_fills_in_never_show_as_diffs_and_dropping_their_pin_changes_nothing()
    {
        // (the test driver names no bridge and generates no MAC; a real libvirtd does, and the lifecycle tests cover that)
        var (inputs, created) = await CreateAsync("""{"name": "lan", "forward": {"mode": "nat"}, "bridge": {"name": "virbr5"}, "ips": [{"address": "10.9.0.1", "netmask": "255.255.255.0"}]}""");
        Assert.False((await _h.DiffAsync("lan", created.State, inputs, inputs)).HasChanges);
        // the program pins what libvirt chose, then stops pinning it
        var mac = created.State["macAddress"] is StringValue m ? $"\"macAddress\": \"{m.Value}\"," : "";
        var pinned = await _h.CheckedAsync($$"""
            {"name": "lan", "uuid": "{{Str(created.State, "uuid")}}", {{mac}}
             "bridge": {"name": "{{Str(created.State, "bridgeName")}}", "stp": true, "delay": 0},
             "forward": {"mode": "nat"}, "ips": [{"address": "10.9.0.1", "prefix": 24}]}
            """);
        var pin = await _h.DiffAsync("lan", created.State, pinned, inputs);
        Assert.False(pin.HasChanges, string.Join(", ", pin.Detailed));
        var unpin = await _h.DiffAsync("lan", created.State, inputs, pinned);
        Assert.False(unpin.HasChanges, string.Join(", ", unpin.Detailed));
    }

    [Fact]
    public async Task Diff_classifies_live_restart_and_replace()
    {
        var (inputs, created) = await CreateAsync(Lan);
        async Task<DiffResult> DiffTo(string json) => await _h.DiffAsync("lan", created.State, await _h.CheckedAsync(json), inputs);

        var host = await DiffTo(With(Lan, "\"ip\": \"10.9.0.11\"}", "\"ip\": \"10.9.0.11\"}, {\"mac\": \"52:54:00:00:00:02\", \"ip\": \"10.9.0.12\"}"));
        Assert.Equal(DiffKind.Add, Assert.Single(host.Detailed).Value);
        Assert.Equal("ips[0].dhcp.hosts[1]", host.Detailed.Keys.Single());
        Assert.False(host.IsReplace);

        var address = await DiffTo(With(Lan, "\"prefix\": 24", "\"prefix\": 16"));
        Assert.Equal(DiffKind.Update, address.Detailed["ips[0].prefix"]);
        Assert.False(address.IsReplace);

        var rename = await DiffTo(With(Lan, "\"name\": \"lan\"", "\"name\": \"lan2\""));
        Assert.Equal(DiffKind.UpdateReplace, rename.Detailed["name"]);
        Assert.True(rename.DeleteBeforeReplace);

        var uuid = await DiffTo(With(Lan, "\"name\": \"lan\"", "\"name\": \"lan\", \"uuid\": \"3e3fce45-4f53-4fa7-bb32-11f34168b82b\""));
        Assert.Equal(DiffKind.UpdateReplace, uuid.Detailed["uuid"]);
    }

    [Fact]
    public async Task Update_preview_announces_each_class_naming_the_guests_a_restart_cuts_off()
    {
        var (inputs, created) = await CreateAsync(Lan);
        var news = await _h.CheckedAsync(With(With(Lan, "\"prefix\": 24", "\"prefix\": 16"), "\"ip\": \"10.9.0.11\"}",
            "\"ip\": \"10.9.0.11\"}, {\"mac\": \"52:54:00:00:00:02\", \"ip\": \"10.9.0.12\"}"));
        var planned = await _h.UpdateAsync("lan", created.State, news, inputs, preview: true);

        var live = Assert.Single(_h.Log.Entries, e => e.Message.StartsWith("kvm:live ", StringComparison.Ordinal));
        Assert.Equal("kvm:live ips[0].dhcp.hosts[1]: applied to the running network without a restart", live.Message);
        Assert.Equal(LogSeverity.Info, live.Severity);
        Assert.Equal(NetworkHarness.Urn, live.Urn);
        var restart = Assert.Single(_h.Log.Entries, e => e.Message.StartsWith("kvm:restart ", StringComparison.Ordinal));
        Assert.Equal("kvm:restart ips[0].prefix: the network lan will be restarted; attached guests lose connectivity: guest1", restart.Message);
        Assert.Equal(LogSeverity.Warning, restart.Severity);
        Assert.True(planned["xml"]!.IsUnknown);
        // nothing changed on the host
        using var net = _driver.Connection.LookupNetworkByName("lan");
        Assert.DoesNotContain("10.9.0.12", net.GetXmlDesc());
    }

    [Fact]
    public async Task Replace_preview_announces_the_replacement_at_create()
    {
        var (inputs, created) = await CreateAsync(Lan);
        var news = await _h.CheckedAsync(With(Lan, "\"name\": \"lan\"", "\"name\": \"lan2\""));
        var diff = await _h.DiffAsync("lan", created.State, news, inputs);
        Assert.True(diff.IsReplace);
        await _h.CreateAsync(news, preview: true);
        var line = Assert.Single(_h.Log.Messages, m => m.StartsWith("kvm:replace ", StringComparison.Ordinal));
        Assert.Equal("kvm:replace name: the network lan will be deleted and lan2 defined in its place; attached guests lose connectivity: guest1", line);
    }

    [Fact]
    public async Task A_live_update_changes_only_the_delta_and_keeps_the_network_running()
    {
        var (inputs, created) = await CreateAsync(Lan);
        var news = await _h.CheckedAsync(With(Lan, "\"ip\": \"10.9.0.11\"}", "\"ip\": \"10.9.0.11\"}, {\"mac\": \"52:54:00:00:00:02\", \"ip\": \"10.9.0.12\"}"));
        var state = await _h.UpdateAsync("lan", created.State, news, inputs);
        using var net = _driver.Connection.LookupNetworkByName("lan");
        Assert.True(net.IsActive());
        Assert.Contains("<host mac='52:54:00:00:00:02' ip='10.9.0.12'/>", net.GetXmlDesc());
        Assert.Equal(Str(created.State, "uuid"), Str(state, "uuid"));
        Assert.False((await _h.DiffAsync("lan", state, news, news)).HasChanges);
    }

    [Fact]
    public async Task A_restart_class_update_redefines_and_the_next_diff_is_empty()
    {
        // libvirt's test driver keeps one definition per running network and does not take a new
        // one at a restart, so the running case is proven against a real libvirtd (lifecycle tests);
        // here the network is stopped and the new definition is what libvirt then holds.
        var stopped = With(Lan, "\"name\": \"lan\"", "\"name\": \"lan\", \"active\": false");
        var (inputs, created) = await CreateAsync(stopped);
        var news = await _h.CheckedAsync(With(With(stopped, "\"prefix\": 24", "\"prefix\": 16"), "\"stp\": false", "\"stp\": true"));
        await _h.UpdateAsync("lan", created.State, news, inputs, preview: true);
        Assert.Contains("kvm:restart bridge.stp, ips[0].prefix: the network lan is not running, so nothing is restarted; the new definition applies when it starts", _h.Log.Messages);
        var state = await _h.UpdateAsync("lan", created.State, news, inputs);
        using var net = _driver.Connection.LookupNetworkByName("lan");
        Assert.False(net.IsActive());
        var xml = net.GetXmlDesc();
        Assert.Contains("prefix='16'", xml);
        Assert.Contains("stp='on'", xml);
        Assert.Contains("<host mac='52:54:00:00:00:01' name='guest1' ip='10.9.0.11'/>", xml);
        Assert.Equal(Str(created.State, "uuid"), Str(state, "uuid"));
        Assert.False((await _h.DiffAsync("lan", state, news, news)).HasChanges);
    }

    [Fact]
    public async Task Autostart_and_active_are_changed_directly()
    {
        var (inputs, created) = await CreateAsync(Lan);
        var news = await _h.CheckedAsync(With(Lan, "\"name\": \"lan\"", "\"name\": \"lan\", \"autostart\": false, \"active\": false"));
        var diff = await _h.DiffAsync("lan", created.State, news, inputs);
        Assert.Equal(["active", "autostart"], diff.Detailed.Keys.ToArray());
        await _h.UpdateAsync("lan", created.State, news, inputs, preview: true);
        Assert.Contains(_h.Log.Entries, e => e.Severity == LogSeverity.Warning && e.Message == "kvm:stop active: the network lan will be stopped; attached guests lose connectivity: guest1");
        var state = await _h.UpdateAsync("lan", created.State, news, inputs);
        using var net = _driver.Connection.LookupNetworkByName("lan");
        Assert.False(net.IsActive());
        Assert.False(net.GetAutostart());
        Assert.Equal(PropertyValue.False, state["active"]);
    }

    [Fact]
    public async Task Delete_destroys_and_undefines_and_a_gone_network_is_fine()
    {
        var (inputs, created) = await CreateAsync(Lan);
        await _h.DeleteAsync("lan", created.State, inputs);
        Assert.Null(_driver.Connection.FindNetworkByName("lan"));
        await _h.DeleteAsync("lan", created.State, inputs);
        Assert.Contains(_h.Log.Messages, m => m.Contains("already gone"));
    }

    [Fact]
    public async Task Delete_leaves_a_network_of_the_same_name_defined_again_outside_the_stack()
    {
        var (inputs, created) = await CreateAsync(Lan);
        using (var net = _driver.Connection.LookupNetworkByName("lan"))
        {
            net.Destroy();
            net.Undefine();
        }
        _driver.Connection.DefineNetwork("<network><name>lan</name><bridge name='virbr4'/></network>").Dispose();
        await _h.DeleteAsync("lan", created.State, inputs);
        Assert.NotNull(_driver.Connection.FindNetworkByName("lan"));
        Assert.Contains(_h.Log.Messages, m => m.Contains("defined again outside this stack"));
    }
}

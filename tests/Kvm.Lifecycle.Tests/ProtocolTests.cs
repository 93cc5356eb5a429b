using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Kvm.Engine;
using PulumiSide;

namespace Kvm.Lifecycle.Tests;

/// <summary>The plugin as the engine meets it: launch, port line, and every RPC of the protocol.</summary>
public sealed class ProtocolTests : IAsyncLifetime
{
    private ProviderProcess _plugin = null!;
    private GrpcChannel _channel = null!;
    private ResourceProvider.ResourceProviderClient _client = null!;

    public async Task InitializeAsync()
    {
        _plugin = await ProviderProcess.StartAsync();
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_plugin.Port}");
        _client = new ResourceProvider.ResourceProviderClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _plugin.DisposeAsync();
    }

    private static Struct Json(string json) => Google.Protobuf.JsonParser.Default.Parse<Struct>(json);

    [Fact]
    public async Task GetPluginInfo_returns_the_semver_of_the_build()
    {
        var info = await _client.GetPluginInfoAsync(new Empty());
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"), info.Version);
    }

    [Fact]
    public async Task GetSchema_returns_the_committed_schema_json()
    {
        var schema = await _client.GetSchemaAsync(new GetSchemaRequest { Version = 0 });
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "schema.json")), schema.Schema);
    }

    [Fact]
    public async Task CheckConfig_names_the_bad_key()
    {
        var bad = await _client.CheckConfigAsync(new CheckRequest
        {
            Urn = "urn:pulumi:dev::lab::pulumi:providers:kvm::default",
            News = Json("""{"uri": "not a uri", "netns": "no-such-namespace-xyz", "colour": "blue"}"""),
        });
        var byKey = bad.Failures.ToDictionary(f => f.Property, f => f.Reason);
        Assert.Contains("not a libvirt URI", byKey["uri"]);
        Assert.Contains("/run/netns/no-such-namespace-xyz", byKey["netns"]);
        Assert.Contains("unknown property", byKey["colour"]);

        var good = await _client.CheckConfigAsync(new CheckRequest { News = Json("""{"uri": "test:///default", "version": "0.1.0"}""") });
        Assert.Empty(good.Failures);
    }

    [Fact]
    public async Task CheckConfig_refuses_a_configuration_that_would_split_the_work_between_two_machines()
    {
        var bad = await _client.CheckConfigAsync(new CheckRequest
        {
            Urn = "urn:pulumi:dev::lab::pulumi:providers:kvm::default",
            News = Json("""{"host": "root@kvm1", "netns": "lab1", "uri": "qemu+tcp://kvm2/system"}"""),
        });
        var byKey = bad.Failures.ToDictionary(f => f.Property, f => f.Reason);
        Assert.Contains("hostNetns", byKey["netns"]);
        Assert.Contains("write the uri as the host sees it", byKey["uri"]);

        var good = await _client.CheckConfigAsync(new CheckRequest { News = Json("""{"uri": "qemu+ssh://root@kvm1/system", "hostNetns": "tenant1"}""") });
        Assert.Empty(good.Failures);
    }

    [Fact]
    public async Task A_host_not_known_in_a_preview_is_planned_without_touching_any_host()
    {
        var configure = new ConfigureRequest { Args = Json($$"""{"host": "{{Props.Unknown}}"}""") };
        await _client.ConfigureAsync(configure);
        var news = Json("""{"name": "br-unknown"}""");
        const string urn = "urn:pulumi:dev::lab::kvm:index:Bridge::br";
        var check = await _client.CheckAsync(new CheckRequest { Urn = urn, Type = "kvm:index:Bridge", News = news });
        Assert.Empty(check.Failures);
        var diff = await _client.DiffAsync(new DiffRequest { Id = "br-unknown", Urn = urn, Type = "kvm:index:Bridge", Olds = news, News = news });
        Assert.Equal(DiffResponse.Types.DiffChanges.DiffUnknown, diff.Changes);
        var planned = await _client.CreateAsync(new CreateRequest { Urn = urn, Type = "kvm:index:Bridge", Properties = news, Preview = true });
        Assert.Equal("br-unknown", planned.Properties.Fields["name"].StringValue);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await _client.CreateAsync(new CreateRequest { Urn = urn, Type = "kvm:index:Bridge", Properties = news }));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains("the provider's host is not known yet", e.Status.Detail);
    }

    [Fact]
    public async Task DiffConfig_replaces_the_provider_when_the_host_changes()
    {
        var diff = await _client.DiffConfigAsync(new DiffRequest
        {
            Olds = Json("""{"uri": "qemu:///system"}"""),
            OldInputs = Json("""{"uri": "qemu:///system"}"""),
            News = Json("""{"uri": "qemu+ssh://root@other/system"}"""),
        });
        Assert.Equal(DiffResponse.Types.DiffChanges.DiffSome, diff.Changes);
        Assert.Equal(["uri"], diff.Replaces);
        var otherHost = await _client.DiffConfigAsync(new DiffRequest { Olds = Json("""{"host": "kvm1"}"""), OldInputs = Json("""{"host": "kvm1"}"""), News = Json("""{"host": "kvm2"}""") });
        Assert.Equal(["host"], otherHost.Replaces);
        var same = await _client.DiffConfigAsync(new DiffRequest { Olds = Json("""{"uri": "test:///default"}"""), News = Json("""{"uri": "test:///default"}""") });
        Assert.Equal(DiffResponse.Types.DiffChanges.DiffNone, same.Changes);
    }

    [Fact]
    public async Task Configure_accepts_variables_and_answers_the_protocol_flags()
    {
        var request = new ConfigureRequest { AcceptSecrets = true, AcceptResources = true, Id = "x", Urn = "urn:pulumi:dev::lab::pulumi:providers:kvm::default" };
        request.Variables["kvm:config:uri"] = "test:///default";
        var response = await _client.ConfigureAsync(request);
        Assert.True(response.AcceptSecrets);
        Assert.True(response.SupportsPreview);
        Assert.True(response.AcceptResources);
        Assert.False(response.AcceptOutputs);
    }

    [Fact]
    public async Task Configure_refuses_bad_config_with_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await _client.ConfigureAsync(new ConfigureRequest { Args = Json("""{"uri": 7}""") }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("uri", e.Status.Detail);
    }

    [Fact]
    public async Task Unknown_type_tokens_are_InvalidArgument_naming_the_token()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await _client.CheckAsync(new CheckRequest
        {
            Urn = "urn:pulumi:dev::lab::kvm:index:Toaster::t", Type = "kvm:index:Toaster", News = new Struct(),
        }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("kvm:index:Toaster", e.Status.Detail);

        var fromUrn = await Assert.ThrowsAsync<RpcException>(async () => await _client.DeleteAsync(new DeleteRequest { Id = "x", Urn = "urn:pulumi:dev::lab::kvm:index:Toaster::t" }));
        Assert.Contains("kvm:index:Toaster", fromUrn.Status.Detail);

        var none = await Assert.ThrowsAsync<RpcException>(async () => await _client.ReadAsync(new ReadRequest { Id = "x" }));
        Assert.Equal(StatusCode.InvalidArgument, none.StatusCode);
    }

    [Fact]
    public async Task Optional_rpcs_answer_deliberately()
    {
        var invoke = await Assert.ThrowsAsync<RpcException>(async () => await _client.InvokeAsync(new InvokeRequest { Tok = "kvm:index:getHost" }));
        Assert.Equal(StatusCode.Unimplemented, invoke.StatusCode);
        var handshake = await Assert.ThrowsAsync<RpcException>(async () => await _client.HandshakeAsync(new ProviderHandshakeRequest { EngineAddress = "127.0.0.1:1" }));
        Assert.Equal(StatusCode.Unimplemented, handshake.StatusCode);
        await _client.AttachAsync(new PluginAttach { Address = "127.0.0.1:1" });
        await _client.CancelAsync(new Empty());
    }

    [Fact]
    public async Task Nothing_but_the_port_line_ever_reaches_stdout()
    {
        await _client.GetPluginInfoAsync(new Empty());
        await _client.GetSchemaAsync(new GetSchemaRequest());
        await Assert.ThrowsAsync<RpcException>(async () => await _client.CheckAsync(new CheckRequest { Type = "nope" }));
        await _client.CheckConfigAsync(new CheckRequest { News = Json("""{"uri": "bad"}""") });
        await _client.CancelAsync(new Empty());
        Assert.Equal("", _plugin.StdoutAfterPort);
        Assert.False(_plugin.HasExited);
    }
}

public class LaunchTests
{
    [Fact]
    public async Task Engine_flags_are_accepted_and_an_unreachable_engine_only_disables_engine_logging()
    {
        await using var plugin = await ProviderProcess.StartAsync(engineAddress: "127.0.0.1:1", extraArgs: ["--logtostderr", "-v=9", "--tracing", "127.0.0.1:2"]);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{plugin.Port}");
        var client = new ResourceProvider.ResourceProviderClient(channel);
        var info = await client.GetPluginInfoAsync(new Empty());
        Assert.NotEmpty(info.Version);
        Assert.Equal("", plugin.StdoutAfterPort);
    }

    [Fact]
    public async Task Sigterm_stops_the_plugin_cleanly()
    {
        await using var plugin = await ProviderProcess.StartAsync();
        await plugin.Client.GetPluginInfoAsync(new Empty());
        // A graceful stop lets requests in flight finish; dying of the signal would give 143.
        Assert.Equal(0, await plugin.TerminateAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal("", plugin.StdoutAfterPort);
    }

    [Fact]
    public async Task Plugin_starts_without_an_engine_address()
    {
        await using var plugin = await ProviderProcess.StartAsync();
        Assert.InRange(plugin.Port, 1, 65535);
    }
}

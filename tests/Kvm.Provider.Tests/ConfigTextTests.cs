using Google.Protobuf.WellKnownTypes;
using Kvm.Provider.Host;
using Kvm.Provider.Rpc;
using Kvm.Provider.Tests.Networks;

namespace Kvm.Provider.Tests;

/// <summary>Stack configuration as the engine sends it: `pulumi config set kvm:KEY VALUE` arrives as text.</summary>
public class ConfigTextTests
{
    private static async Task<IReadOnlyList<Pulumirpc.CheckFailure>> CheckConfigAsync(string json)
    {
        using var h = NetworkHarness.Untouchable();
        var service = new ResourceProviderService(h.Host, new ResourceRegistry(ResourceCatalog.Create(h.Host)), engineLog: null);
        var response = await service.CheckConfig(new Pulumirpc.CheckRequest
        {
            Urn = "urn:pulumi:dev::lab::pulumi:providers:kvm::default", Type = "pulumi:providers:kvm", Olds = new Struct(), News = Struct.Parser.ParseJson(json),
        }, default);
        return response.Failures;
    }

    [Fact]
    public async Task Numbers_and_booleans_set_as_text_are_read_as_what_the_schema_says()
    {
        Assert.Empty(await CheckConfigAsync("""{"sshControlPersist": "5", "confirmTimeoutSeconds": "7", "libvirtHooksDir": "/srv/hooks"}"""));
        Assert.Empty(await CheckConfigAsync("""{"kvm:config:confirmTimeoutSeconds": " 12 "}"""));
    }

    [Fact]
    public async Task Text_that_is_no_number_is_refused_naming_the_key()
    {
        var failure = Assert.Single(await CheckConfigAsync("""{"confirmTimeoutSeconds": "soon"}"""));
        Assert.Equal("confirmTimeoutSeconds", failure.Property);
        Assert.Contains("\"soon\"", failure.Reason);
        // and a number out of range is refused as one
        Assert.Equal("confirmTimeoutSeconds", Assert.Single(await CheckConfigAsync("""{"confirmTimeoutSeconds": "0"}""")).Property);
    }
}

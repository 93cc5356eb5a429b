using Kvm.Libvirt.Tests.Xml;

namespace Kvm.Libvirt.Tests.Binding;

/// <summary>
/// The models' XML goes through libvirt's own parser and formatter (the test driver uses the real ones):
/// what libvirt reports back must parse to the same model, apart from values libvirt fills in.
/// </summary>
public class LibvirtAgreesTests
{
    [Theory]
    [MemberData(nameof(NetworkXmlCases.All), MemberType = typeof(NetworkXmlCases))]
    public void Network_written_by_the_model_reads_back_the_same_from_libvirt(string name, string xml)
    {
        using var libvirt = TestDriver.Open();
        var model = NetworkXml.Parse(xml);

        using var network = libvirt.DefineNetwork(NetworkXml.Format(model));
        var reported = NetworkXml.Parse(network.GetXmlDesc(NetworkXmlFlags.Inactive));

        Assert.Equal(model.Uuid ?? reported.Uuid, reported.Uuid);
        Assert.Equal(AsLibvirtCompletesIt(model, reported), reported);
        Assert.NotNull(name);
    }

    /// <summary>
    /// What libvirt (9.0) fills in when it defines a network, and so what a provider must not report as drift:
    /// a UUID; a MAC for a bridge it manages (the network driver also picks a virbrN name; the test driver
    /// does not); stp on and delay 0 on a bridge it manages; the forward dev as the one-entry interface pool
    /// of nat/route, and the first pool entry as the dev of bridge/macvtap modes.
    /// </summary>
    private static NetworkDefinition AsLibvirtCompletesIt(NetworkDefinition model, NetworkDefinition reported)
    {
        var managesBridge = model.Forward is null or { Mode: NetworkForwardMode.Nat or NetworkForwardMode.Route or NetworkForwardMode.Open };
        var forward = model.Forward switch
        {
            { Dev: { } dev, Interfaces.Count: 0, Mode: NetworkForwardMode.Nat or NetworkForwardMode.Route } f => f with { Interfaces = [dev] },
            { Dev: null, Interfaces.Count: > 0 } f => f with { Dev = f.Interfaces[0] },
            var f => f,
        };
        var bridge = managesBridge
            ? (model.Bridge ?? new NetworkBridge()) with
            {
                Name = model.Bridge?.Name ?? reported.Bridge?.Name,
                Stp = model.Bridge?.Stp ?? true,
                Delay = model.Bridge?.Delay ?? 0,
            }
            : model.Bridge;
        return model with
        {
            Uuid = reported.Uuid,
            MacAddress = model.MacAddress ?? reported.MacAddress,
            Forward = forward,
            Bridge = bridge,
        };
    }

    [Fact]
    public void Domain_written_by_the_model_reads_back_the_same_from_libvirt()
    {
        using var libvirt = TestDriver.Open();
        var model = DomainXml.Parse(DomainXmlCases.Full) with { Type = "test" };

        using var domain = libvirt.DefineDomain(DomainXml.Format(model));
        var reported = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive | DomainXmlFlags.Secure));

        // The test driver names every NIC testnetN; QEMU drops vnetN-style names from persistent XML too,
        // and libvirt keeps only user aliases (ua-…) there.
        Assert.All(reported.Interfaces, nic => Assert.StartsWith("testnet", nic.TargetDev));
        Assert.Equal(WithoutTargetDevs(model), WithoutTargetDevs(reported));
    }

    private static DomainDefinition WithoutTargetDevs(DomainDefinition domain) =>
        domain with { Interfaces = domain.Interfaces.Select(nic => nic with { TargetDev = null, Alias = nic.Alias is { } a && a.StartsWith("ua-", StringComparison.Ordinal) ? a : null }).ToValueList() };

    [Fact]
    public void Domain_memory_units_are_normalised_like_libvirt_does()
    {
        using var libvirt = TestDriver.Open();
        var xml = TestDriver.DomainXml("units")
            .Replace("<memory unit='KiB'>1048576</memory>", "<memory unit='GiB'>2</memory>")
            .Replace("<currentMemory unit='KiB'>1048576</currentMemory>", "<currentMemory unit='MB'>1000</currentMemory>");
        var ours = DomainXml.Parse(xml);

        using var domain = libvirt.DefineDomain(xml);
        var libvirts = DomainXml.Parse(domain.GetXmlDesc(DomainXmlFlags.Inactive));

        Assert.Equal(libvirts.MemoryKiB, ours.MemoryKiB);
        Assert.Equal(libvirts.CurrentMemoryKiB, ours.CurrentMemoryKiB);
    }
}

using Moq;

namespace Kvm.Libvirt.Tests.Binding;

/// <summary>The provider's controllers depend on the interfaces; these show they mock cleanly.</summary>
public class MockingTests
{
    [Fact]
    public void Find_turns_not_found_into_null_and_lets_other_errors_through()
    {
        var libvirt = new Mock<ILibvirt>(MockBehavior.Strict);
        var gone = Guid.NewGuid();
        var broken = Guid.NewGuid();
        libvirt.Setup(l => l.LookupNetworkByUuid(gone))
            .Throws(new LibvirtException(LibvirtErrorCode.NoNetwork, LibvirtErrorDomain.Network, "Network not found"));
        libvirt.Setup(l => l.LookupNetworkByUuid(broken))
            .Throws(new LibvirtException(LibvirtErrorCode.OperationFailed, LibvirtErrorDomain.Network, "boom"));

        Assert.Null(libvirt.Object.FindNetworkByUuid(gone));
        var e = Assert.Throws<LibvirtException>(() => libvirt.Object.FindNetworkByUuid(broken));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void A_read_through_mocks_parses_the_reported_xml()
    {
        var network = new Mock<ILibvirtNetwork>();
        network.Setup(n => n.GetXmlDesc(NetworkXmlFlags.Inactive)).Returns(Xml.NetworkXmlCases.Isolated);
        network.Setup(n => n.IsActive()).Returns(true);
        var libvirt = new Mock<ILibvirt>();
        libvirt.Setup(l => l.LookupNetworkByName("isolated")).Returns(network.Object);

        using var found = libvirt.Object.FindNetworkByName("isolated")!;
        var definition = NetworkXml.Parse(found.GetXmlDesc(NetworkXmlFlags.Inactive));

        Assert.True(found.IsActive());
        Assert.Equal("isobr0", definition.Bridge!.Name);
    }
}

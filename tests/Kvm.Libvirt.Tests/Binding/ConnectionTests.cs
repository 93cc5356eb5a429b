namespace Kvm.Libvirt.Tests.Binding;

public class ConnectionTests
{
    [Fact]
    public void Opens_test_driver_and_reports_version()
    {
        using var libvirt = TestDriver.Open();

        Assert.True(libvirt.IsAlive);
        Assert.Equal(TestDriver.Uri, libvirt.Uri);
        var version = libvirt.GetLibVersion();
        Assert.True(version >= new Version(9, 0, 0), $"libvirt {version}");
        Assert.Equal(1, libvirt.Openings);
    }

    [Fact]
    public void Opens_the_shared_default_test_driver()
    {
        using var libvirt = LibvirtConnection.Open(TestDriver.SharedUri);

        using var network = libvirt.LookupNetworkByUuid(TestDriver.DefaultNetworkUuid);
        using var domain = libvirt.LookupDomainByUuid(TestDriver.TestDomainUuid);
        Assert.Equal("default", network.Name);
        Assert.Equal("test", domain.Name);
    }

    [Fact]
    public void Each_file_backed_test_connection_has_a_private_host()
    {
        using var first = TestDriver.Open();
        using var second = TestDriver.Open();

        using (first.DefineNetwork(TestDriver.NetworkXml("only-in-first", "firstbr0"))) { }

        Assert.Null(second.FindNetworkByName("only-in-first"));
        Assert.NotNull(first.FindNetworkByName("only-in-first"));
    }

    [Fact]
    public void Open_failure_carries_libvirts_error()
    {
        var e = Assert.Throws<LibvirtException>(() => LibvirtConnection.Open("test:///no/such/file.xml"));

        Assert.NotEqual(LibvirtErrorCode.Ok, e.Code);
        Assert.False(e.IsNotFound);
        Assert.Equal("virConnectOpen", e.Operation);
        Assert.Contains("/no/such/file.xml", e.Message);
        Assert.StartsWith("VIR_ERR_", e.CodeName);
    }

    [Fact]
    public void Lost_connection_is_reopened_and_objects_rebind_by_uuid()
    {
        using var libvirt = TestDriver.Open();
        using var network = libvirt.LookupNetworkByName("default");
        using var domain = libvirt.LookupDomainByName("test");

        // Simulate the daemon going away: the session's connection handle dies under the objects.
        libvirt.Session.Current().Handle.Dispose();
        Assert.False(libvirt.IsAlive);

        // A fresh test driver has the same canned objects with the same UUIDs, so rebinding by UUID finds them.
        Assert.Contains("<name>default</name>", network.GetXmlDesc());
        Assert.Equal(DomainState.Running, domain.GetState().State);
        Assert.Equal(2, libvirt.Openings);
        Assert.True(libvirt.IsAlive);
        Assert.Equal("virbr0", network.GetBridgeName());
    }

    [Fact]
    public void Disposed_connection_refuses_calls()
    {
        var libvirt = TestDriver.Open();
        libvirt.Dispose();

        Assert.Throws<ObjectDisposedException>(() => libvirt.GetLibVersion());
    }

    [Fact]
    public void Error_codes_have_libvirts_symbolic_names()
    {
        Assert.Equal("VIR_ERR_NO_NETWORK", LibvirtErrorCode.NoNetwork.SymbolicName());
        Assert.Equal(43, (int)LibvirtErrorCode.NoNetwork);
        Assert.Equal(42, (int)LibvirtErrorCode.NoDomain);
        Assert.Equal("VIR_WAR_NO_NETWORK", LibvirtErrorCode.WarnNoNetwork.SymbolicName());
        Assert.Equal("VIR_ERR(999)", ((LibvirtErrorCode)999).SymbolicName());
        Assert.Equal("VIR_FROM_NETWORK", LibvirtErrorDomain.Network.SymbolicName());
    }

    [Theory]
    [InlineData(LibvirtErrorCode.NoNetwork, true)]
    [InlineData(LibvirtErrorCode.NoDomain, true)]
    [InlineData(LibvirtErrorCode.OperationInvalid, false)]
    [InlineData(LibvirtErrorCode.NoStoragePool, false)]
    [InlineData(LibvirtErrorCode.InternalError, false)]
    public void Only_missing_networks_and_domains_are_not_found(LibvirtErrorCode code, bool notFound)
    {
        Assert.Equal(notFound, new LibvirtException(code, LibvirtErrorDomain.None, "x").IsNotFound);
    }
}

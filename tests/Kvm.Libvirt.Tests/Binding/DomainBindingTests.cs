namespace Kvm.Libvirt.Tests.Binding;

public class DomainBindingTests
{
    [Fact]
    public void Define_start_shutdown_start_destroy_undefine()
    {
        using var libvirt = TestDriver.Open();

        using var domain = libvirt.DefineDomain(TestDriver.DomainXml("vm1"));
        Assert.Equal("vm1", domain.Name);
        Assert.True(domain.IsPersistent());
        Assert.False(domain.IsActive());
        Assert.Null(domain.GetId());
        Assert.Equal(DomainState.Shutoff, domain.GetState().State);

        domain.Start();
        Assert.True(domain.IsActive());
        Assert.NotNull(domain.GetId());
        Assert.Equal(new DomainStateInfo(DomainState.Running, 1 /* VIR_DOMAIN_RUNNING_BOOTED */), domain.GetState());

        domain.Shutdown();
        Assert.Equal(new DomainStateInfo(DomainState.Shutoff, 1 /* VIR_DOMAIN_SHUTOFF_SHUTDOWN */), domain.GetState());

        domain.Start();
        domain.Destroy();
        Assert.Equal(new DomainStateInfo(DomainState.Shutoff, 2 /* VIR_DOMAIN_SHUTOFF_DESTROYED */), domain.GetState());

        domain.Undefine(DomainUndefineFlags.Nvram | DomainUndefineFlags.ManagedSave);
        var gone = Assert.Throws<LibvirtException>(() => libvirt.LookupDomainByUuid(domain.Uuid));
        Assert.True(gone.IsNotFound);
        Assert.Equal(42, (int)gone.Code);
        Assert.Null(libvirt.FindDomainByName("vm1"));
    }

    [Fact]
    public void Set_memory_live_changes_the_running_domain_only()
    {
        using var libvirt = TestDriver.Open();
        using var domain = libvirt.DefineDomain(TestDriver.DomainXml("mem"));
        domain.Start();

        domain.SetMemory(524288, MemoryModifyFlags.Live);

        Assert.Equal(524288UL, domain.GetInfo().MemoryKiB);
        Assert.Contains("<currentMemory unit='KiB'>524288</currentMemory>", domain.GetXmlDesc());
        Assert.Contains("<currentMemory unit='KiB'>1048576</currentMemory>", domain.GetXmlDesc(DomainXmlFlags.Inactive));
    }

    [Fact]
    public void Set_vcpus_in_config()
    {
        using var libvirt = TestDriver.Open();
        using var domain = libvirt.DefineDomain(TestDriver.DomainXml("cpus"));

        domain.SetVcpus(2, VcpuModifyFlags.Config);

        Assert.Contains("<vcpu placement='static'>2</vcpu>", domain.GetXmlDesc(DomainXmlFlags.Inactive));
    }

    [Fact]
    public void Info_reports_memory_vcpus_and_cpu_time()
    {
        using var libvirt = TestDriver.Open();
        using var domain = libvirt.LookupDomainByUuid(TestDriver.TestDomainUuid);

        var info = domain.GetInfo();

        Assert.Equal(DomainState.Running, info.State);
        Assert.Equal(8388608UL, info.MaxMemoryKiB);
        Assert.Equal(2, info.VcpuCount);
        Assert.True(info.CpuTimeNanoseconds > 0);
    }

    [Fact]
    public void Attach_and_detach_interface_surface_the_test_drivers_refusal()
    {
        // libvirt 9.0's test driver has no device hotplug: the binding must surface VIR_ERR_NO_SUPPORT with
        // libvirt's text. Real attach/detach is exercised against the private libvirtd in the lab.
        using var libvirt = TestDriver.Open();
        using var domain = libvirt.LookupDomainByName("test");
        const string nic = "<interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>";

        try
        {
            domain.AttachDevice(nic, DeviceModifyFlags.Live | DeviceModifyFlags.Config);
        }
        catch (LibvirtException e) when (e.Code == LibvirtErrorCode.NoSupport)
        {
            Assert.Contains("virDomainAttachDeviceFlags", e.Message);
            var detach = Assert.Throws<LibvirtException>(() => domain.DetachDevice(nic, DeviceModifyFlags.Live | DeviceModifyFlags.Config));
            Assert.Equal(LibvirtErrorCode.NoSupport, detach.Code);
            return;
        }

        // A newer test driver that supports hotplug: then the full round trip must work.
        Assert.Contains("52:54:00:11:22:33", domain.GetXmlDesc());
        domain.DetachDevice(nic, DeviceModifyFlags.Live | DeviceModifyFlags.Config);
        Assert.DoesNotContain("52:54:00:11:22:33", domain.GetXmlDesc());
    }

    [Fact]
    public void Autostart_round_trips()
    {
        using var libvirt = TestDriver.Open();
        using var domain = libvirt.DefineDomain(TestDriver.DomainXml("auto"));

        domain.SetAutostart(true);
        Assert.True(domain.GetAutostart());
        domain.SetAutostart(false);
        Assert.False(domain.GetAutostart());
    }

    [Fact]
    public void Secure_xml_includes_the_graphics_password()
    {
        using var libvirt = TestDriver.Open();
        var xml = TestDriver.DomainXml("gfx").Replace("</devices>",
            "<graphics type='vnc' port='-1' autoport='yes' passwd='s3cret'/></devices>");
        using var domain = libvirt.DefineDomain(xml);

        Assert.DoesNotContain("s3cret", domain.GetXmlDesc(DomainXmlFlags.Inactive));
        Assert.Contains("passwd='s3cret'", domain.GetXmlDesc(DomainXmlFlags.Inactive | DomainXmlFlags.Secure));
    }

    [Fact]
    public void Missing_domain_is_not_found_and_bad_xml_is_not()
    {
        using var libvirt = TestDriver.Open();

        var missing = Assert.Throws<LibvirtException>(() => libvirt.LookupDomainByName("nope"));
        Assert.True(missing.IsNotFound);
        Assert.Equal(LibvirtErrorCode.NoDomain, missing.Code);

        var bad = Assert.Throws<LibvirtException>(() => libvirt.DefineDomain("<domain type='test'><name>x</name></domain>"));
        Assert.False(bad.IsNotFound);
        Assert.NotEmpty(bad.Message);
    }

    [Fact]
    public void List_all_and_filter_running()
    {
        using var libvirt = TestDriver.Open();
        using (libvirt.DefineDomain(TestDriver.DomainXml("off"))) { }

        var all = libvirt.ListAllDomains();
        var running = libvirt.ListAllDomains(ListDomainsFlags.Running);
        try
        {
            Assert.Equal(["off", "test"], all.Select(d => d.Name).Order());
            Assert.Equal(["test"], running.Select(d => d.Name));
        }
        finally
        {
            foreach (var d in all.Concat(running)) d.Dispose();
        }
    }
}

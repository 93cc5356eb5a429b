namespace Kvm.Libvirt.Tests.Binding;

public class ParallelTests
{
    [Fact]
    public void Eight_threads_share_one_connection()
    {
        using var libvirt = TestDriver.Open();
        const int threads = 8;
        using var start = new Barrier(threads);
        var failures = new List<Exception>();

        // Dedicated OS threads, as libvirt's error slot is per OS thread.
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (var round = 0; round < 20; round++) Exercise(libvirt, i, round);
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();

        Assert.Empty(failures);
        Assert.Equal(["default"], libvirt.ListAllNetworks().Select(n => { n.Dispose(); return n.Name; }));
        Assert.Equal(1, libvirt.Openings);
    }

    [Fact]
    public void Readers_on_eight_threads_ride_through_reconnects()
    {
        using var libvirt = TestDriver.Open();
        using var network = libvirt.LookupNetworkByName("default");
        using var domain = libvirt.LookupDomainByUuid(TestDriver.TestDomainUuid);
        var failures = new List<Exception>();
        var reads = 0;
        using var done = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            try
            {
                while (!done.IsCancellationRequested)
                {
                    Assert.Contains("virbr0", network.GetXmlDesc());
                    Assert.Equal(DomainState.Running, domain.GetState().State);
                    using (var byName = libvirt.LookupDomainByName("test")) Assert.Equal(TestDriver.TestDomainUuid, byName.Uuid);
                    Assert.True(libvirt.GetLibVersion().Major >= 9);
                    Interlocked.Increment(ref reads);
                }
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToList();
        foreach (var r in readers) r.Start();

        // Each kill is what a daemon restart looks like to the session: its connection is dead.
        for (var kill = 0; kill < 20; kill++)
        {
            Thread.Sleep(10);
            libvirt.Session.Current().Handle.Dispose();
        }
        done.Cancel();
        foreach (var r in readers) r.Join();

        Assert.Empty(failures);
        Assert.True(reads > 0);
        Assert.InRange(libvirt.Openings, 2, 21);
    }

    private static void Exercise(ILibvirt libvirt, int thread, int round)
    {
        var name = $"par-{thread}-{round}";
        var mac = $"52:54:00:00:{thread:x2}:{round:x2}";
        using var network = libvirt.DefineNetwork(TestDriver.NetworkXml(name, $"pbr{thread}x{round}", $"10.{100 + thread}.{round}"));
        network.Start();
        network.Update(NetworkUpdateCommand.AddLast, NetworkUpdateSection.IpDhcpHost, -1,
            $"<host mac='{mac}' ip='10.{100 + thread}.{round}.9'/>",
            NetworkUpdateFlags.Live | NetworkUpdateFlags.Config);
        Assert.Contains(mac, network.GetXmlDesc());

        // Errors are per thread: each thread reads its own not-found, never another's.
        var missing = Assert.Throws<LibvirtException>(() => libvirt.LookupNetworkByName($"missing-{thread}-{round}"));
        Assert.Contains($"missing-{thread}-{round}", missing.Message);

        using var domain = libvirt.DefineDomain(TestDriver.DomainXml(name));
        domain.Start();
        Assert.Equal(DomainState.Running, domain.GetState().State);
        domain.Destroy();
        domain.Undefine();

        network.Destroy();
        network.Undefine();
    }
}

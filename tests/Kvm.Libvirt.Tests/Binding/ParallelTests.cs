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

using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;
using static Kvm.VmTests.BridgeVlanObserver;

namespace Kvm.VmTests;

/// <summary>
/// The remote lab (a workstation and a host with its own sshd, see <see cref="RemoteLab"/>) inside
/// the kernel VM, where VLAN tests of remote hosts will need it. The VM's root is the machine's,
/// read-only, with private tmpfs on /tmp and /run: sshd's state lives in the lab's folders under
/// /tmp, and the sessions' home is the lab's private /root (the VM's own /root cannot be written).
/// The plugin started in the workstation answers GetPluginInfo there.
/// </summary>
public static class RemoteLabScenarios
{
    public static IReadOnlyList<Scenario> All =>
    [
        new("remote_lab_ssh_works", SshWorks),
        new("remote_host_vlan_tables_and_guest_vlans", VlanTablesAndGuestVlans),
    ];

    private static void Ok(RunResult r)
    {
        if (!r.Ok) throw new ScenarioFailure("the run failed: " + StepRenderer.Render(r));
    }

    private static string NetworkingOf(LabNamespace ns) =>
        string.Join("\n", HostSnapshot.Take(ns).Entries.Select(e => $"{e.Key}: {e.Value}")) + ns.Ip("-j", "-4", "addr", "show") + ns.Ip("-j", "route", "show");

    /// <summary>
    /// The plugin in the workstation manages a remote host's VLAN tables and a guest's VLANs on a Linux bridge,
    /// over ssh, exactly as on a local host: VlanFilters created, changed by delta, drift refreshed, imported and
    /// destroyed; a Domain (libvirt's test driver, on the host) whose NIC's tap gets its VLANs and then a trunk, live.
    /// The workstation's own links, addresses and routes never change.
    /// </summary>
    private static async Task VlanTablesAndGuestVlans()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        var ns = h1.Namespace;
        foreach (var p in new[] { "vp1", "vp2" }) ns.Ip("link", "add", p, "type", "veth", "peer", "name", p + "x");
        var workstationBefore = NetworkingOf(lab.Workstation);
        var placement = new PluginPlacement(lab.Workstation.Mounts.EnterPrefix, lab.Workstation.Path);
        await using var stack = await Stack.StartAsync("""{"host": "h1"}""", placement: placement);

        var bridge = Res("kvm:index:Bridge", "br", """{"name": "brv", "vlanFiltering": true, "ports": ["vp1", "vp2"]}""");
        var access = Res("kvm:index:VlanFilter", "vp1", """{"bridge": "${br.name}", "port": "vp1", "access": 100}""");
        var trunk = Res("kvm:index:VlanFilter", "vp2", """{"bridge": "${br.name}", "port": "vp2", "trunk": {"native": 10, "ranges": ["200-299"]}}""");
        Ok(await stack.UpAsync(bridge, access, trunk));
        Expect.Sequence([new Row(100, true, true)], Table(ns, "vp1"), "vp1 on h1");
        Expect.Sequence([new Row(10, true, true), .. Enumerable.Range(200, 100).Select(v => new Row(v, false, false))], Table(ns, "vp2"), "vp2 on h1");
        Expect.True(lab.Workstation.Link("brv") is null, "the workstation has no brv");

        trunk = Res("kvm:index:VlanFilter", "vp2", """{"bridge": "${br.name}", "port": "vp2", "trunk": {"native": 10, "ranges": ["200-249"]}}""");
        Ok(await stack.UpAsync(bridge, access, trunk));
        Expect.Sequence([new Row(10, true, true), .. Enumerable.Range(200, 50).Select(v => new Row(v, false, false))], Table(ns, "vp2"), "vp2 after the delta");

        ns.Exec("bridge", "vlan", "add", "vid", "77", "dev", "vp1");
        Expect.Equal(StepOp.Refresh, (await stack.RefreshAsync())["vp1"].Op, "refresh sees drift made on h1");
        Ok(await stack.UpAsync(bridge, access, trunk));
        Expect.Sequence([new Row(100, true, true)], Table(ns, "vp1"), "vp1 put back");

        stack.Forget("vp1");
        var imported = await stack.ImportAsync("kvm:index:VlanFilter", "vp1", "brv/vp1");
        Ok(imported);
        Ok(await stack.UpAsync(bridge, Res("kvm:index:VlanFilter", "vp1", Props.ToJson(imported["vp1"].Inputs)), trunk));

        // Guest VLANs: libvirt's test driver on h1 (a second provider, as a program with two would have); its guests'
        // NICs are testnetN, made here as taps in a VLAN-filtering bridge of h1.
        ns.Ip("link", "add", "brg", "type", "bridge", "vlan_filtering", "1");
        ns.Ip("link", "set", "brg", "up");
        for (var i = 0; i < 4; i++) DomainScenarios.Tap(ns, $"testnet{i}", "brg");
        await stack.AddProviderAsync("h1-test", """{"host": "h1", "uri": "test:///default"}""", placement: placement);
        string Guest(string vlan) => $$"""{"name": "g", "type": "test", "memoryMib": 64, "vcpus": 1, "interfaces": [{"type": "bridge", "bridge": "brg"{{vlan}}}]}""";
        var guest = Res("kvm:index:Domain", "g", Guest(""", "vlan": {"tags": [10]}""")) with { Provider = "h1-test" };
        Ok(await stack.UpAsync(bridge, access, trunk, guest));
        var tap = stack["g"].Output("interfaces[0].targetDevice")!.StringValue;
        Expect.Sequence([new Row(10, true, true)], Table(ns, tap), $"{tap} on h1 after create");
        guest = Res("kvm:index:Domain", "g", Guest(""", "vlan": {"tags": [30, 10, 20], "nativeTag": 10}""")) with { Provider = "h1-test" };
        Ok(await stack.UpAsync(bridge, access, trunk, guest));
        Expect.Sequence([new Row(10, true, true), new Row(20, false, false), new Row(30, false, false)], Table(ns, tap), $"{tap} as a trunk, live");

        Ok(await stack.DestroyAsync());
        Expect.True(ns.Link("brv") is null, "destroy removed brv from h1");
        Expect.Equal(workstationBefore, NetworkingOf(lab.Workstation), "the workstation's networking");
    }

    private static async Task SshWorks()
    {
        using var lab = RemoteLab.Create(1);
        Console.WriteLine($"remote lab with 1 host created in {lab.CreateTime.TotalMilliseconds:0} ms");
        var h1 = lab.Hosts[0];

        var r = lab.Ssh(h1, "ip", "-j", "link");
        Expect.Equal(0, r.ExitCode, $"ssh h1 ip -j link's exit code (stderr: {r.StdErr.Trim()}) {lab.Diagnostics()}");
        using var links = JsonDocument.Parse(r.StdOut);
        var names = links.RootElement.EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Expect.Sequence(["lo", RemoteLabHost.LinkName], names, "the links h1's session sees (its own namespace's)");

        var home = lab.Ssh(h1, "echo from-workstation > ~/written-over-ssh && echo $HOME");
        Expect.Equal(0, home.ExitCode, $"writing into h1's home (stderr: {home.StdErr.Trim()})");
        Expect.True(File.Exists(Path.Combine(h1.HomeDir, "written-over-ssh")), $"the file written over ssh is in h1's private home {h1.HomeDir}");

        // The plugin placed in the workstation answers there (nsenter -r keeps the VM's root).
        var ws = lab.Workstation;
        await using var plugin = await ProviderProcess.StartAsync(placement: new PluginPlacement(ws.Mounts.EnterPrefix, ws.Path));
        var info = await plugin.Client.GetPluginInfoAsync(new Empty());
        Expect.True(info.Version.Length > 0, "GetPluginInfo from the plugin in the workstation");
    }
}

using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;
using static Kvm.Lifecycle.Tests.NetworkLab;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// LibvirtNetwork through the real plugin, as `pulumi` drives it, against a private libvirtd in a
/// throwaway namespace (each test its own). virsh, ip and a DHCP client are the observers.
/// </summary>
public sealed class NetworkLifecycleTests
{
    private static string Iso(string hosts, int prefix = 24, string name = "lab-iso", string? moreRanges = null) =>
        "{\"name\": \"" + name + "\", \"bridge\": {\"stp\": false}, " +
        "\"ips\": [{\"address\": \"10.77.0.1\", \"prefix\": " + prefix + ", \"dhcp\": {\"ranges\": [{\"start\": \"10.77.0.100\", \"end\": \"10.77.0.200\"}" +
        (moreRanges is null ? "" : ", " + moreRanges) + "], \"hosts\": [" + hosts + "]}}], " +
        "\"dns\": {\"hosts\": [{\"ip\": \"10.77.0.11\", \"hostnames\": [\"g1\"]}]}}";

    private const string G1 = """{"mac": "52:54:00:77:00:01", "name": "g1", "ip": "10.77.0.11"}""";
    private const string Client = """{"mac": "52:54:00:77:00:02", "name": "c2", "ip": "10.77.0.12"}""";

    [Fact]
    public async Task Isolated_network_with_dhcp_live_host_update_keeps_it_up_restart_reattaches_guests_rename_destroy()
    {
        using var lv = PrivateLibvirtd.Start();
        var ns = lv.Namespace;
        await using var stack = await StackAsync(lv);
        var net = Res(NetworkType, "net", Iso(G1));

        // preview: a create is planned, nothing happens, what libvirt chooses is unknown
        var preview = (await stack.PreviewAsync(net)).EnsureOk();
        Assert.Equal(StepOp.Create, preview["net"].Op);
        Assert.Empty(Networks(lv));
        Assert.True(Props.IsUnknown(preview["net"].Outputs!.Fields["bridgeName"]));
        Assert.True(Props.IsUnknown(preview["net"].Outputs!.Fields["uuid"]));

        // up: defined, running, autostarted, dnsmasq serving, on a bridge libvirt named
        var up = (await stack.UpAsync(net)).EnsureOk();
        Assert.Equal("lab-iso", up["net"].Id);
        var info = NetInfo(lv, "lab-iso")!;
        Assert.Equal("yes", info["Active"]);
        Assert.Equal("yes", info["Autostart"]);
        Assert.Equal("yes", info["Persistent"]);
        var bridge = stack["net"].Output("bridgeName")!.StringValue;
        Assert.StartsWith("virbr", bridge);
        Assert.Equal(info["Bridge"], bridge);
        Assert.Equal(stack["net"].Output("uuid")!.StringValue, info["UUID"]);
        Assert.NotNull(Dnsmasq(lv, "lab-iso"));
        Assert.Equal("10.77.0.11", DhcpLease(ns, bridge, "52:54:00:77:00:01")); // the static lease
        var dynamic = DhcpLease(ns, bridge, "52:54:00:77:00:02");
        Assert.Matches(@"^10\.77\.0\.(1\d\d|200)$", dynamic!); // from the range

        // nothing libvirt filled in (uuid, MAC, virbrN, stp delay) shows as a change
        Assert.All((await stack.UpAsync(net)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // a running guest on the network
        StartGuest(lv, "g1", NetworkNic("lab-iso", "52:54:00:77:00:01"));
        var tap = TapOf(ns, "52:54:00:77:00:01");
        Assert.Equal(bridge, ns.MasterOf(tap));

        // a DHCP host added: preview says live, and the up changes nothing else: same bridge, same dnsmasq, the guest stays on it
        var withClient = Res(NetworkType, "net", Iso($"{G1}, {Client}"));
        stack.Engine.ClearLogs();
        var livePreview = (await stack.PreviewAsync(withClient)).EnsureOk();
        Assert.Equal(StepOp.Update, livePreview["net"].Op);
        Assert.Equal(["ips[0].dhcp.hosts[1]"], livePreview["net"].Diff!.DetailedDiff.Keys);
        Assert.Equal(["kvm:live ips[0].dhcp.hosts[1]: applied to the running network without a restart"], Logs(stack, "kvm:"));
        var ifindex = IfIndex(ns, bridge);
        var dnsmasq = Dnsmasq(lv, "lab-iso");
        await using (var watch = new BridgeWatch(ns, bridge))
        {
            await Task.Delay(100);
            (await stack.UpAsync(withClient)).EnsureOk();
            await Task.Delay(100);
            await watch.DisposeAsync();
            Assert.True(watch.Looks >= 5, $"the watcher looked {watch.Looks} times");
            Assert.Equal(0, watch.Missing);
            Assert.Equal([ifindex], watch.IfIndexes);
        }
        Assert.Equal("yes", NetInfo(lv, "lab-iso")!["Active"]);
        Assert.Equal(dnsmasq, Dnsmasq(lv, "lab-iso"));
        Assert.Equal(bridge, ns.MasterOf(tap));
        Assert.Contains("<host mac='52:54:00:77:00:02' name='c2' ip='10.77.0.12'/>", DumpXml(lv, "lab-iso"));
        Assert.Contains("<host mac='52:54:00:77:00:02' name='c2' ip='10.77.0.12'/>", DumpXml(lv, "lab-iso", inactive: true));
        Assert.Equal("10.77.0.12", DhcpLease(ns, bridge, "52:54:00:77:00:02")); // dnsmasq serves the new lease
        Assert.All((await stack.UpAsync(withClient)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // a DHCP range added is live too: libvirt restarts its dnsmasq only; the bridge and the guest stay
        var moreRange = Res(NetworkType, "net", Iso($"{G1}, {Client}", moreRanges: """{"start": "10.77.0.20", "end": "10.77.0.29"}"""));
        stack.Engine.ClearLogs();
        (await stack.PreviewAsync(moreRange)).EnsureOk();
        Assert.Equal(["kvm:live ips[0].dhcp.ranges[1]: applied to the running network without a restart"], Logs(stack, "kvm:"));
        (await stack.UpAsync(moreRange)).EnsureOk();
        Assert.Contains("<range start='10.77.0.20' end='10.77.0.29'/>", DumpXml(lv, "lab-iso"));
        Assert.Equal(ifindex, IfIndex(ns, bridge));
        Assert.Equal(bridge, ns.MasterOf(tap));
        Assert.NotNull(Dnsmasq(lv, "lab-iso"));
        (await stack.UpAsync(withClient)).EnsureOk();
        Assert.DoesNotContain("<range start='10.77.0.20'", DumpXml(lv, "lab-iso"));
        Assert.Equal(ifindex, IfIndex(ns, bridge));

        // a restart-class change: preview warns and names the guest; the up restarts, then puts the guest's tap back
        var wider = Res(NetworkType, "net", Iso($"{G1}, {Client}", prefix: 16));
        stack.Engine.ClearLogs();
        (await stack.PreviewAsync(wider)).EnsureOk();
        var warning = Assert.Single(stack.Engine.Logs, l => l.Message.StartsWith("kvm:restart ", StringComparison.Ordinal));
        Assert.Equal("kvm:restart ips[0].prefix: the network lab-iso will be restarted; attached guests lose connectivity: g1", warning.Message);
        Assert.Equal(Pulumirpc.LogSeverity.Warning, warning.Severity);
        Assert.Equal(stack.Urn(NetworkType, "net"), warning.Urn);
        (await stack.UpAsync(wider)).EnsureOk();
        Assert.Contains("prefix='16'", DumpXml(lv, "lab-iso"));
        Assert.NotEqual(ifindex, IfIndex(ns, bridge));
        Assert.Equal(bridge, ns.MasterOf(tap));
        Assert.Contains(stack.Engine.Logs, l => l.Message == $"re-attached to the restarted bridge {bridge}: g1 ({tap})");
        // while it ran, `pulumi up` showed what the restart was doing, beside the network, as ephemeral status
        Assert.Equal(
            ["restarting network lab-iso: stopping it; g1 loses its link until it is back",
             "restarting network lab-iso: starting it with the new configuration",
             $"network lab-iso: putting 1 guest tap back on {bridge}"],
            stack.Engine.Logs.Where(l => l.Ephemeral && l.Urn == stack.Urn(NetworkType, "net")).Select(l => l.Message));
        Assert.All((await stack.UpAsync(wider)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // drift made outside (live and persistent) shows on refresh, as a live change, and the up removes it
        lv.Virsh("net-update", "lab-iso", "add", "ip-dhcp-host", "<host mac='52:54:00:77:00:09' ip='10.77.0.19'/>", "--live", "--config");
        (await stack.RefreshAsync()).EnsureOk();
        stack.Engine.ClearLogs();
        var drift = (await stack.PreviewAsync(wider)).EnsureOk();
        Assert.Equal(["ips[0].dhcp.hosts[2]"], drift["net"].Diff!.DetailedDiff.Keys);
        Assert.Equal(["kvm:live ips[0].dhcp.hosts[2]: applied to the running network without a restart"], Logs(stack, "kvm:"));
        (await stack.UpAsync(wider)).EnsureOk();
        Assert.DoesNotContain("10.77.0.19", DumpXml(lv, "lab-iso"));
        Assert.DoesNotContain("10.77.0.19", DumpXml(lv, "lab-iso", inactive: true));

        // drift in the running network only (a LIVE-only update) also shows, and is put right in the running network
        lv.Virsh("net-update", "lab-iso", "add", "dns-host", "<host ip='10.77.0.29'><hostname>x</hostname></host>", "--live");
        (await stack.RefreshAsync()).EnsureOk();
        Assert.Contains("dns.hosts", stack["net"].Output("liveDrift")!.ListValue.Values.Select(v => v.StringValue).Single());
        var liveDrift = (await stack.PreviewAsync(wider)).EnsureOk();
        Assert.Equal(StepOp.Update, liveDrift["net"].Op);
        (await stack.UpAsync(wider)).EnsureOk();
        Assert.DoesNotContain("10.77.0.29", DumpXml(lv, "lab-iso"));
        Assert.Empty(stack["net"].Output("liveDrift")!.ListValue.Values);

        // a rename replaces: preview says so, the old network goes first
        var renamed = Res(NetworkType, "net", Iso($"{G1}, {Client}", prefix: 16, name: "lab-iso2"));
        stack.Engine.ClearLogs();
        var replacePreview = (await stack.PreviewAsync(renamed)).EnsureOk();
        Assert.Equal(StepOp.Replace, replacePreview["net"].Op);
        Assert.Equal(["kvm:replace name: the network lab-iso will be deleted and lab-iso2 defined in its place; attached guests lose connectivity: g1"], Logs(stack, "kvm:"));
        var replace = (await stack.UpAsync(renamed)).EnsureOk();
        Assert.True(replace["net"].Diff!.DeleteBeforeReplace);
        Assert.Equal(["lab-iso2"], Networks(lv));

        // destroy removes it; a destroy of what is already gone is fine
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Empty(Networks(lv));
        Assert.Null(ns.Link(bridge));
        (await stack.DestroyAsync()).EnsureOk();
    }

    [Fact]
    public async Task Bridge_mode_and_nat_networks_import_by_name_or_uuid_and_never_adopt()
    {
        using var lv = PrivateLibvirtd.Start();
        var ns = lv.Namespace;
        ns.Ip("link", "add", "br-lab", "type", "bridge");
        ns.Ip("link", "set", "br-lab", "up");
        await using var stack = await StackAsync(lv);

        // a bridge-mode network on a bridge of the namespace: guests join that bridge
        var bridged = Res(NetworkType, "bridged", """{"name": "lab-br", "forward": {"mode": "bridge"}, "bridge": {"name": "br-lab"}}""");
        // a NAT network: libvirt's firewall rules live in the namespace only
        var nat = Res(NetworkType, "nat", """
            {"name": "lab-nat", "forward": {"mode": "nat", "nat": {"portStart": 20000, "portEnd": 30000}}, "bridge": {"name": "virbr-nat", "stp": false},
             "ips": [{"address": "10.78.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.78.0.10", "end": "10.78.0.20"}]}}]}
            """);
        (await stack.UpAsync(bridged, nat)).EnsureOk();
        Assert.Equal("yes", NetInfo(lv, "lab-br")!["Active"]);
        Assert.Equal("br-lab", stack["bridged"].Output("bridgeName")!.StringValue);
        StartGuest(lv, "g2", NetworkNic("lab-br", "52:54:00:78:00:02"));
        Assert.Equal("br-lab", ns.MasterOf(TapOf(ns, "52:54:00:78:00:02")));

        Assert.Equal("yes", NetInfo(lv, "lab-nat")!["Active"]);
        var rules = ns.Exec("iptables-save").EnsureSuccess("iptables-save in the lab namespace").StdOut;
        Assert.Contains("-A LIBVIRT_PRT -s 10.78.0.0/24 ! -d 10.78.0.0/24 -p tcp -j MASQUERADE --to-ports 20000-30000", rules);
        Assert.All((await stack.UpAsync(bridged, nat)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        // a network made by hand: never adopted by a create, imported by name or by UUID with an empty diff after
        lv.VirshXml("net-define", """
            <network>
              <name>hand</name>
              <forward mode='route'/>
              <domain name='hand.example'/>
              <ip address='10.79.0.1' netmask='255.255.255.0'>
                <dhcp><range start='10.79.0.50' end='10.79.0.60'/><host mac='52:54:00:79:00:01' name='h1' ip='10.79.0.5'/></dhcp>
              </ip>
              <ip family='ipv6' address='fd00:79::1' prefix='64'/>
              <portgroup name='pg' default='yes'/>
            </network>
            """);
        lv.Virsh("net-start", "hand");
        var before = DumpXml(lv, "hand");
        var taken = await stack.UpAsync(bridged, nat, Res(NetworkType, "hand", """{"name": "hand", "mtu": 1400}"""));
        Assert.Equal(StepOp.Failed, taken["hand"].Op);
        Assert.Equal(StatusCode.AlreadyExists, taken["hand"].ErrorCode);
        Assert.Contains("pulumi import kvm:index:LibvirtNetwork <resource-name> hand", taken["hand"].Error);
        Assert.Equal(before, DumpXml(lv, "hand"));

        var uuid = NetInfo(lv, "hand")!["UUID"];
        foreach (var id in new[] { "hand", uuid })
        {
            var import = await stack.ImportAsync(NetworkType, "hand", id);
            Assert.True(import.Ok, StepRenderer.Render(import));
            Assert.Equal("hand", import["hand"].Id);
            var imported = Res(NetworkType, "hand", Props.ToJson(import["hand"].Inputs));
            var next = (await stack.UpAsync(bridged, nat, imported)).EnsureOk();
            Assert.All(next.Steps, s => Assert.Equal(StepOp.Same, s.Op));
            Assert.Equal(before, DumpXml(lv, "hand"));
            stack.Forget("hand");
        }

        (await stack.DestroyAsync()).EnsureOk();
        Assert.Equal(["hand"], Networks(lv));
        Assert.DoesNotContain("LIBVIRT_PRT -s 10.78.0.0/24", ns.Exec("iptables-save").StdOut);
    }

    [Fact]
    public async Task Dns_records_lease_times_and_metadata_change_live_forwarders_restart()
    {
        using var lv = PrivateLibvirtd.Start();
        await using var stack = await StackAsync(lv);
        static string Net(string dns, string lease) => "{\"name\": \"lab-dns\", \"bridge\": {\"stp\": false}, " +
            "\"ips\": [{\"address\": \"10.78.0.1\", \"prefix\": 24, \"dhcp\": {\"hosts\": [{\"mac\": \"52:54:00:78:00:01\", \"ip\": \"10.78.0.11\", \"lease\": " + lease + "}]}}], " +
            "\"dns\": " + dns + "}";
        const string Txt = """{"txts": [{"name": "info", "value": "lab one"}]}""";
        (await stack.UpAsync(Res(NetworkType, "net", Net(Txt, """{"expiry": 2, "unit": "hours"}""")))).EnsureOk();
        var bridge = stack["net"].Output("bridgeName")!.StringValue;
        var ifindex = IfIndex(lv.Namespace, bridge);
        Assert.Contains("<txt name='info' value='lab one'/>", DumpXml(lv, "lab-dns"));
        Assert.Contains("<lease expiry='2' unit='hours'/>", DumpXml(lv, "lab-dns"));

        // records and a host's lease time go to the running network without a restart, and to its definition
        const string Records = """{"txts": [{"name": "info", "value": "lab two"}], "srvs": [{"service": "ldap", "protocol": "tcp", "target": "dc.lab.example", "port": 389}]}""";
        var live = Res(NetworkType, "net", Net(Records, """{"expiry": 30, "unit": "minutes"}"""));
        stack.Engine.ClearLogs();
        var preview = (await stack.PreviewAsync(live)).EnsureOk();
        Assert.Equal(["dns.srvs[0]", "dns.txts[0]", "ips[0].dhcp.hosts[0]"], preview["net"].Diff!.DetailedDiff.Keys.Order(StringComparer.Ordinal));
        Assert.All(Logs(stack, "kvm:"), l => Assert.StartsWith("kvm:live ", l));
        (await stack.UpAsync(live)).EnsureOk();
        Assert.Equal(ifindex, IfIndex(lv.Namespace, bridge));
        foreach (var inactive in new[] { false, true })
        {
            var xml = DumpXml(lv, "lab-dns", inactive);
            Assert.Contains("<txt name='info' value='lab two'/>", xml);
            Assert.Contains("<srv service='ldap' protocol='tcp' target='dc.lab.example' port='389'/>", xml);
            Assert.Contains("<lease expiry='30' unit='minutes'/>", xml);
        }
        Assert.All((await stack.UpAsync(live)).EnsureOk().Steps, st => Assert.Equal(StepOp.Same, st.Op));

        // forwarders have no live section in libvirt: the network restarts, and the preview says so
        var forwarded = Res(NetworkType, "net", Net("""{"forwarders": [{"address": "10.78.0.53"}], "txts": [{"name": "info", "value": "lab two"}]}""", """{"expiry": 30, "unit": "minutes"}"""));
        stack.Engine.ClearLogs();
        (await stack.PreviewAsync(forwarded)).EnsureOk();
        Assert.Contains(Logs(stack, "kvm:"), l => l.StartsWith("kvm:restart dns.forwarders", StringComparison.Ordinal));
        (await stack.UpAsync(forwarded)).EnsureOk();
        Assert.Contains("<forwarder addr='10.78.0.53'/>", DumpXml(lv, "lab-dns"));
        Assert.DoesNotContain("<srv", DumpXml(lv, "lab-dns"));
        Assert.All((await stack.UpAsync(forwarded)).EnsureOk().Steps, st => Assert.Equal(StepOp.Same, st.Op));

        // metadata is written to the definition and the network keeps running: nothing reads it at run time
        ifindex = IfIndex(lv.Namespace, bridge);
        var tagged = Res(NetworkType, "net", Net("""{"forwarders": [{"address": "10.78.0.53"}], "txts": [{"name": "info", "value": "lab two"}]}""", """{"expiry": 30, "unit": "minutes"}""")
            .Replace("\"dns\":", "\"metadataXml\": \"<metadata><lab:owner xmlns:lab='https://lab.example/ns'>ops</lab:owner></metadata>\", \"dns\":", StringComparison.Ordinal));
        stack.Engine.ClearLogs();
        (await stack.PreviewAsync(tagged)).EnsureOk();
        Assert.Equal(["kvm:live metadataXml: applied to the running network without a restart"], Logs(stack, "kvm:"));
        (await stack.UpAsync(tagged)).EnsureOk();
        Assert.Equal(ifindex, IfIndex(lv.Namespace, bridge));
        Assert.Contains("<lab:owner xmlns:lab=\"https://lab.example/ns\">ops</lab:owner>", DumpXml(lv, "lab-dns", inactive: true));
        (await stack.RefreshAsync()).EnsureOk();
        Assert.Empty(stack["net"].Output("liveDrift")!.ListValue.Values);
        Assert.All((await stack.UpAsync(tagged)).EnsureOk().Steps, st => Assert.Equal(StepOp.Same, st.Op));
    }

    [Fact]
    public async Task An_address_without_prefix_takes_libvirts_natural_one_and_a_network_made_so_by_hand_imports()
    {
        using var lv = PrivateLibvirtd.Start();
        var ns = lv.Namespace;
        await using var stack = await StackAsync(lv);

        // 10.x is class A: libvirt gives the bridge a /8, and a DHCP range anywhere in 10/8 is inside it
        var classful = Res(NetworkType, "classful", """
            {"name": "lab-classful", "bridge": {"name": "virbr-cls", "stp": false},
             "ips": [{"address": "10.83.0.1", "dhcp": {"ranges": [{"start": "10.200.0.10", "end": "10.200.0.20"}]}}]}
            """);
        (await stack.UpAsync(classful)).EnsureOk();
        Assert.Contains("inet 10.83.0.1/8 ", ns.Ip("-o", "addr", "show", "dev", "virbr-cls"));
        Assert.All((await stack.UpAsync(classful)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        lv.VirshXml("net-define", """
            <network>
              <name>hand-classful</name>
              <ip address='172.20.0.1'><dhcp><range start='172.20.9.10' end='172.20.9.20'/></dhcp></ip>
            </network>
            """);
        var before = DumpXml(lv, "hand-classful");
        var import = await stack.ImportAsync(NetworkType, "hand", "hand-classful");
        Assert.True(import.Ok, StepRenderer.Render(import));
        var imported = Res(NetworkType, "hand", Props.ToJson(import["hand"].Inputs));
        Assert.All((await stack.UpAsync(classful, imported)).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));
        Assert.Equal(before, DumpXml(lv, "hand-classful"));
    }

    [Fact]
    public async Task Open_vswitch_portgroups_tag_guest_ports_and_change_without_a_restart()
    {
        using var ns = LabNamespace.CreateLab();
        using var ovs = OvsSwitch.Start(ns);
        using var lv = PrivateLibvirtd.Start(ns);
        ovs.AddBridge("ovsbr0");
        await using var stack = await StackAsync(lv);
        static ResourceDecl Ovs(string groups) => Res(NetworkType, "ovs",
            "{\"name\": \"lab-ovs\", \"forward\": {\"mode\": \"bridge\"}, \"bridge\": {\"name\": \"ovsbr0\"}, \"virtualPort\": {\"type\": \"openvswitch\"}, \"portGroups\": [" + groups + "]}");
        const string V10 = """{"name": "v10", "isDefault": true, "vlan": {"tags": [{"id": 10}]}}""";
        const string Trunk = """{"name": "trunk", "vlan": {"tags": [{"id": 20}, {"id": 30, "nativeMode": "untagged"}]}}""";
        (await stack.UpAsync(Ovs($"{V10}, {Trunk}"))).EnsureOk();
        Assert.All((await stack.UpAsync(Ovs($"{Trunk}, {V10}"))).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        string Port(string guest) => lv.Virsh("domiflist", guest).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        string Get(string port, string column) => ovs.Vsctl("get", "port", port, column).Trim();
        StartGuest(lv, "access", "<interface type='network'><source network='lab-ovs' portgroup='v10'/><model type='virtio'/><rom enabled='no'/></interface>");
        StartGuest(lv, "trunked", "<interface type='network'><source network='lab-ovs' portgroup='trunk'/><model type='virtio'/><rom enabled='no'/></interface>");
        var access = Port("access");
        Assert.Equal("10", Get(access, "tag"));
        var trunked = Port("trunked");
        Assert.Equal("[20, 30]", Get(trunked, "trunks"));
        Assert.Equal("native-untagged", Get(trunked, "vlan_mode"));

        // v10 now tags 11 and a portgroup v40 appears: both live, the guests' ports stay
        const string V11 = """{"name": "v10", "isDefault": true, "vlan": {"tags": [{"id": 11}]}}""";
        const string V40 = """{"name": "v40", "vlan": {"tags": [{"id": 40}]}}""";
        stack.Engine.ClearLogs();
        var preview = (await stack.PreviewAsync(Ovs($"{V11}, {Trunk}, {V40}"))).EnsureOk();
        Assert.Equal(StepOp.Update, preview["ovs"].Op);
        var line = Assert.Single(Logs(stack, "kvm:"));
        Assert.StartsWith("kvm:live portGroups[", line);
        (await stack.UpAsync(Ovs($"{V11}, {Trunk}, {V40}"))).EnsureOk();
        Assert.Contains("<tag id='11'/>", DumpXml(lv, "lab-ovs"));
        Assert.Contains("<portgroup name='v40'>", DumpXml(lv, "lab-ovs", inactive: true));
        Assert.Equal("yes", NetInfo(lv, "lab-ovs")!["Active"]);
        Assert.Contains(access, ovs.Vsctl("list-ports", "ovsbr0"));
        Assert.Equal("10", Get(access, "tag")); // a running port keeps what it was given
        StartGuest(lv, "later", "<interface type='network'><source network='lab-ovs' portgroup='v10'/><model type='virtio'/><rom enabled='no'/></interface>");
        Assert.Equal("11", Get(Port("later"), "tag"));
        StartGuest(lv, "default", "<interface type='network'><source network='lab-ovs'/><model type='virtio'/><rom enabled='no'/></interface>");
        Assert.Equal("11", Get(Port("default"), "tag"));
        Assert.All((await stack.UpAsync(Ovs($"{V11}, {Trunk}, {V40}"))).EnsureOk().Steps, s => Assert.Equal(StepOp.Same, s.Op));

        foreach (var guest in new[] { "access", "trunked", "later", "default" }) lv.Virsh("destroy", guest);
        (await stack.DestroyAsync()).EnsureOk();
        Assert.Empty(Networks(lv));
    }

    [Fact]
    public async Task A_start_that_fails_after_the_define_is_recorded_so_nothing_is_orphaned()
    {
        using var lv = PrivateLibvirtd.Start();
        var ns = lv.Namespace;
        // libvirt defines the network, then refuses to start it: its subnet is in use in the namespace
        ns.Ip("link", "add", "occ0", "type", "veth", "peer", "name", "occ1");
        ns.Ip("addr", "add", "10.82.0.1/24", "dev", "occ0");
        ns.Ip("link", "set", "occ0", "up");
        await using var stack = await StackAsync(lv);
        var net = Res(NetworkType, "net", """{"name": "lab-busy", "ips": [{"address": "10.82.0.1", "prefix": 24}]}""");

        var failed = await stack.UpAsync(net);
        Assert.Equal(StepOp.Failed, failed["net"].Op);
        Assert.Contains("was defined, but starting it failed", failed["net"].Error);
        Assert.Contains("already in use by interface occ0", failed["net"].Error);
        // the engine recorded the id: the network is in the state, not orphaned on the host
        Assert.Equal("lab-busy", stack["net"].Id);
        Assert.True(stack["net"].InitErrors);
        Assert.Equal("no", NetInfo(lv, "lab-busy")!["Active"]);
        Assert.Equal("yes", NetInfo(lv, "lab-busy")!["Autostart"]);

        // once the subnet is free, the next up finishes the job
        ns.Ip("link", "del", "occ0");
        (await stack.UpAsync(net)).EnsureOk();
        Assert.Equal("yes", NetInfo(lv, "lab-busy")!["Active"]);
        Assert.False(stack["net"].InitErrors);

        (await stack.DestroyAsync()).EnsureOk();
        Assert.Empty(Networks(lv));
    }

    [Fact]
    public async Task Gone_outside_leaves_the_state_on_refresh_and_bad_input_never_reaches_libvirt()
    {
        using var lv = PrivateLibvirtd.Start();
        await using var stack = await StackAsync(lv);
        (await stack.UpAsync(Res(NetworkType, "net", """{"name": "lab-gone"}"""))).EnsureOk();
        var saved = stack["net"];
        lv.Virsh("net-destroy", "lab-gone");
        lv.Virsh("net-undefine", "lab-gone");
        var refresh = await stack.RefreshAsync();
        Assert.Equal(StepOp.Delete, refresh["net"].Op);
        Assert.Empty(stack.State);
        await stack.Provider.Client.DeleteAsync(new Pulumirpc.DeleteRequest { Id = saved.Id, Urn = saved.Urn, Type = NetworkType, Properties = saved.Outputs });
        Assert.Contains(stack.Engine.Logs, l => l.Message.Contains("already gone"));

        var cases = new (string Json, string Property, string Reason)[]
        {
            ("""{"name": "n", "ips": [{"address": "10.80.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.81.0.1", "end": "10.81.0.9"}]}}]}""", "ips[0].dhcp.ranges[0].start", "outside the subnet"),
            ("""{"name": "n", "ips": [{"family": "ipv6", "address": "10.80.0.1", "prefix": 24}]}""", "ips[0].family", "is ipv6, but the address 10.80.0.1 is ipv4"),
            ("""{"name": "n", "forward": {"mode": "nat"}, "vlan": {"tags": [{"id": 10}]}}""", "vlan", "cannot tag"),
            ($$"""{"name": "{{new string('x', 300)}}"}""", "name", "at most 200"),
            ("""{"name": "<lab>&'\""}""", "name", "XML-special"),
        };
        foreach (var (json, property, reason) in cases)
        {
            var result = await stack.UpAsync(Res(NetworkType, "bad", json));
            var failure = Assert.Single(result["bad"].Failures, f => f.Property == property);
            Assert.Contains(reason, failure.Reason);
        }
        Assert.Empty(Networks(lv));
        Assert.Empty(stack.State);
    }
}

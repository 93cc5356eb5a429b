using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.VmTests;

/// <summary>`kvm-vm-tests --demo`: the VLAN part of `make demo`, printed like `pulumi` output.</summary>
public static class VlanDemo
{
    private const string Bridge = "kvm:index:Bridge";
    private const string VlanFilter = "kvm:index:VlanFilter";
    private const string Domain = "kvm:index:Domain";

    /// <summary>A guest of libvirt's test driver with one NIC on br0 and the VLANs given.</summary>
    private static ResourceDecl Guest(string vlan) => Res(Domain, "web", $$"""
        {"name": "web2", "type": "test", "memoryMib": 64, "vcpus": 1,
         "interfaces": [{"type": "bridge", "bridge": "${br.name}", "vlan": {{vlan}}}]}
        """);

    public static async Task<int> RunAsync()
    {
        using var ns = LabNamespace.Create("kvmdemo");
        foreach (var p in new[] { "uplink0", "vm1", "vm2" }) ns.Ip("link", "add", p, "type", "veth", "peer", "name", p + "x");
        // libvirt's test driver (in the plugin's process) stands in for a QEMU host: a nested TCG guest would be far too slow here.
        await using var stack = await Stack.StartAsync($$"""{"uri": "test:///default", "netns": "{{ns.Name}}"}""");
        var pulumi = new PulumiCli(stack);

        var program = new List<ResourceDecl>
        {
            Res(Bridge, "br", """{"name": "br0", "vlanFiltering": true, "ports": ["uplink0", "vm1", "vm2"]}"""),
            Res(VlanFilter, "uplink", """{"bridge": "${br.name}", "port": "uplink0", "trunk": {"native": 1, "ranges": ["10-20", "100-199"]}}"""),
            Res(VlanFilter, "vm1", """{"bridge": "${br.name}", "port": "vm1", "access": 10}"""),
            Res(VlanFilter, "vm2", """{"bridge": "${br.name}", "port": "vm2", "access": 20}"""),
        };
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        Host(ns);

        Console.WriteLine("\n# vm2 moves to VLAN 150:");
        program[3] = Res(VlanFilter, "vm2", """{"bridge": "${br.name}", "port": "vm2", "access": 150}""");
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);

        Console.WriteLine("\n# someone tags VLAN 999 on the uplink by hand:");
        Console.WriteLine("$ bridge vlan add vid 999 dev uplink0");
        ns.Exec("bridge", "vlan", "add", "vid", "999", "dev", "uplink0");
        await pulumi.RefreshAsync();
        await pulumi.UpAsync(program, "the table is owned: VLAN 999 goes");
        Host(ns);

        await GuestVlansAsync(pulumi, ns, program);

        await pulumi.DestroyAsync();
        return 0;
    }

    /// <summary>
    /// A Domain with a VLAN on br0: libvirt refuses &lt;vlan&gt; on a Linux bridge, so the provider
    /// programs the guest's tap itself (and its qemu hook does again at every guest start).
    /// </summary>
    private static async Task GuestVlansAsync(PulumiCli pulumi, LabNamespace ns, List<ResourceDecl> program)
    {
        Console.WriteLine("\n# a guest NIC on br0 on VLAN 30 (the test driver's guests name their NICs testnetN: taps of those names stand in for them)");
        for (var i = 0; i < 4; i++) DomainScenarios.Tap(ns, $"testnet{i}", "br0");
        program.Add(Guest("""{"tags": [30]}"""));
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        var tap = pulumi.Stack["web"].Output("interfaces[0].targetDevice")!.StringValue;
        for (var i = 0; i < 4; i++)
            if ($"testnet{i}" != tap) ns.Ip("link", "del", $"testnet{i}");
        Host(ns);

        var domainId = pulumi.Stack["web"].Output("domainId")!.NumberValue;
        Console.WriteLine($"\n# the guest's NIC becomes a trunk of VLANs 30 and 40, 30 untagged: live, the guest (domain id {domainId}) keeps running");
        program[^1] = Guest("""{"tags": [30, 40], "nativeTag": 30}""");
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        Console.WriteLine($"# domain id after the update: {pulumi.Stack["web"].Output("domainId")!.NumberValue} (not restarted)");
        Host(ns);

        Console.WriteLine($"\n# the guest leaves the program; libvirt would remove its tap, the stand-in {tap} goes by hand");
        program.RemoveAt(program.Count - 1);
        await pulumi.UpAsync(program);
        Console.WriteLine($"\n$ ip link del {tap}");
        ns.Ip("link", "del", tap);
    }

    private static void Host(LabNamespace ns)
    {
        Console.WriteLine("  [host] bridge vlan show:");
        foreach (var line in ns.Exec("bridge", "-compressvlans", "vlan", "show").StdOut.TrimEnd().Split('\n')) Console.WriteLine($"    {line}");
    }
}

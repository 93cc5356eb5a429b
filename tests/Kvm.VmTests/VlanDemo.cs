using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.VmTests;

/// <summary>`kvm-vm-tests --demo`: the VLAN part of `make demo`, printed like `pulumi` output.</summary>
public static class VlanDemo
{
    private const string Bridge = "kvm:index:Bridge";
    private const string VlanFilter = "kvm:index:VlanFilter";

    public static async Task<int> RunAsync()
    {
        using var ns = LabNamespace.Create("kvmdemo");
        foreach (var p in new[] { "uplink0", "vm1", "vm2" }) ns.Ip("link", "add", p, "type", "veth", "peer", "name", p + "x");
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");
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

        await pulumi.DestroyAsync();
        return 0;
    }

    private static void Host(LabNamespace ns)
    {
        Console.WriteLine("  [host] bridge vlan show:");
        foreach (var line in ns.Exec("bridge", "-compressvlans", "vlan", "show").StdOut.TrimEnd().Split('\n')) Console.WriteLine($"    {line}");
    }
}

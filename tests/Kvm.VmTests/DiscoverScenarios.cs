using System.Text.Json;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.VmTests;

/// <summary>
/// `pulumi-resource-kvm discover` on a kernel with bridge VLAN filtering: VLAN tables made by hand
/// with `bridge vlan add` are found, each imports through the real plugin with an empty diff, and
/// nothing on the host changes. There is no libvirt in the VM: discover says it skipped libvirt
/// and still lists the bridges and VLAN filters.
/// </summary>
public static class DiscoverScenarios
{
    public static IReadOnlyList<Scenario> All =>
    [
        new("discover_vlan_tables_made_by_hand_import_with_an_empty_diff", VlanTablesMadeByHand),
    ];

    private static async Task VlanTablesMadeByHand()
    {
        using var ns = LabNamespace.Create("kvmvm");
        void Vlan(params string[] args) => ns.Exec("bridge", ["vlan", "add", .. args]).EnsureSuccess($"bridge vlan add {string.Join(' ', args)}");
        void Port(string port, string bridge)
        {
            ns.Ip("link", "add", port, "type", "veth", "peer", "name", port + "x");
            // left administratively down: a port going up settles its carrier later, by itself,
            // which the before/after snapshots would show as a change nobody made
            ns.Ip("link", "set", port, "master", bridge);
        }
        // brv: a trunk port with a native VLAN, a port left on the default PVID, and an entry of the bridge itself
        ns.Ip("link", "add", "brv", "type", "bridge", "vlan_filtering", "1");
        Port("vp1", "brv");
        Port("vp2", "brv");
        Vlan("dev", "vp1", "vid", "10", "pvid", "untagged");
        Vlan("dev", "vp1", "vid", "20-22");
        Vlan("dev", "brv", "vid", "10", "self");
        // brw: no default PVID (so no entry of its own), a port carrying a range of 100 VLANs
        ns.Ip("link", "add", "brw", "type", "bridge", "vlan_filtering", "1", "vlan_default_pvid", "0");
        Port("vp3", "brw");
        Vlan("dev", "vp3", "vid", "200-299");
        // brn: no VLAN filtering, so no VLAN tables to declare
        ns.Ip("link", "add", "brn", "type", "bridge");
        Port("vp4", "brn");

        var before = HostSnapshot.Take(ns);
        var file = Path.Combine(Path.GetTempPath(), $"discover-{ns.Name}.json");
        var run = Shell.Run(RepoPaths.ProviderBinary, ["discover", "--netns", ns.Name, "--out", file], stdin: null, timeout: TimeSpan.FromMinutes(5));
        Expect.Equal(0, run.ExitCode, $"discover's exit code (stderr: {run.StdErr})");
        Expect.True(run.StdErr.Contains("discover: left out libvirt networks and domains: libvirt at qemu:///system cannot be reached"),
            "stderr says libvirt was skipped: " + run.StdErr);
        // brw has no default PVID, so the bridge itself carries no VLAN: nothing a VlanFilter can declare
        Expect.True(run.StdErr.Contains("discover: left out VLANs of brw itself: the table is empty"), "stderr says brw's own empty table was left out: " + run.StdErr);
        Expect.Equal("", before.Differences(HostSnapshot.Take(ns)), "what discover changed on the host");

        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var entries = doc.RootElement.GetProperty("resources").EnumerateArray()
            .Select(r => (Type: r.GetProperty("type").GetString()!, Name: r.GetProperty("name").GetString()!, Id: r.GetProperty("id").GetString()!)).ToList();
        Expect.Sequence(
            ["Bridge brn brn", "Bridge brv brv", "Bridge brw brw",
             "VlanFilter brv-brv brv/brv", "VlanFilter brv-vp1 brv/vp1", "VlanFilter brv-vp2 brv/vp2", "VlanFilter brw-vp3 brw/vp3"],
            entries.Select(e => $"{e.Type.Split(':')[^1]} {e.Name} {e.Id}"), "the import file");

        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");
        foreach (var (type, name, id) in entries)
        {
            // Read(id, no properties) -> inputs; Check accepts them; Diff(Read state, checked inputs) is DIFF_NONE
            var import = await stack.ImportAsync(type, name, id);
            Expect.True(import.Ok, "import: " + StepRenderer.Render(import));
            Expect.Equal(DiffResponse.Types.DiffChanges.DiffNone, import[name].Diff!.Changes, $"{id}'s diff after import");
        }
        var program = stack.State.Select(s => Res(s.Type, s.Name, Props.ToJson(s.Inputs))).ToArray();
        var preview = await stack.PreviewAsync(program);
        Expect.True(preview.Ok && preview.Steps.All(s => s.Op == StepOp.Same), "the first preview after import: " + StepRenderer.Render(preview));
        Expect.Equal("", before.Differences(HostSnapshot.Take(ns)), "what the imports changed on the host");
    }
}

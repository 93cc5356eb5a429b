using System.Text.Json;
using Kvm.Demo;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;

// The provider's lifecycle against a throwaway lab host (a network namespace with a private
// libvirtd and Open vSwitch), driven through its gRPC protocol the way the Pulumi engine drives it.
// Where a `pulumi` CLI is on PATH, the real engine runs examples/host-network first (RealCliAct).
// Every act keeps the resources of the acts before it; one destroy at the end removes them all,
// also when an act fails, and disposing the lab ends whatever is still running in it.
Title("kvm provider demo");
var pulumiCli = RealCliAct.FindPulumiCli();
if (pulumiCli is null)
{
    Say("Who plays the Pulumi engine: there is no `pulumi` CLI on PATH (it cannot be installed on this project's\n" +
        "# machines), so this repository's engine harness (tests/Kvm.Engine) plays it. It starts the plugin as the\n" +
        "# CLI does, makes the same gRPC calls in the same order (GetPluginInfo, CheckConfig, Configure, Check, Diff,\n" +
        "# Create/Read/Update/Delete), keeps the stack's state, serves the engine's Log service, and prints each\n" +
        "# command the way the CLI prints it. With a pulumi CLI on PATH, the demo first runs examples/host-network\n" +
        "# with it (tests/lab/make-up.sh, also `make up`).");
}
else
{
    Say($"Who plays the Pulumi engine: the real pulumi CLI ({pulumiCli}) for examples/host-network, first; then this\n" +
        "# repository's engine harness (tests/Kvm.Engine) for the acts that look inside (drift made by hand, import\n" +
        "# by id, remote hosts, the kernel VM), printed the way the CLI prints them.");
    await RealCliAct.RunAsync(pulumiCli);
}
Console.WriteLine($"# plugin: {RepoPaths.ProviderBinary}");
var started = DateTime.UtcNow;
using var ns = LabNamespace.CreateLab();
using var libvirtd = PrivateLibvirtd.Start(ns);
using var ovs = OvsSwitch.Start(ns);
Console.WriteLine($"# lab host: network namespace {ns.Name}, private libvirtd at {libvirtd.Uri}, Open vSwitch (userspace datapath)");
var config = JsonSerializer.Serialize(new Dictionary<string, string>
{
    ["uri"] = libvirtd.Uri,
    ["netns"] = ns.Name,
    ["libvirtHooksDir"] = libvirtd.HooksDir,
    ["ovsdbSocket"] = ovs.DbSocket,
});
await using (var stack = await Stack.StartAsync(config))
{
    var pulumi = new PulumiCli(stack);
    var finished = false;
    try
    {
        var program = await BridgeAct.RunAsync(pulumi, ns);
        program = await NetworkAct.RunAsync(pulumi, libvirtd, program);
        program = await OvsAct.RunAsync(pulumi, ns, ovs, program);
        await DomainAct.RunAsync(pulumi, libvirtd, ovs, program);
        finished = true;
    }
    finally
    {
        await DestroyAsync(pulumi, libvirtd, ns, mayThrow: finished);
    }
}
await RemoteAct.RunAsync();
await UplinkAct.RunAsync();
VlanAct.Run(RepoPaths.VmTestsRunner);
Title($"demo finished in {(DateTime.UtcNow - started).TotalSeconds:F0} s; the lab is torn down");

static async Task DestroyAsync(PulumiCli pulumi, PrivateLibvirtd libvirtd, LabNamespace ns, bool mayThrow)
{
    Title(mayThrow ? "Destroy" : "Destroy (after a failure: the lab is cleaned up anyway)");
    try
    {
        await pulumi.DestroyAsync();
    }
    catch (Exception e) when (!mayThrow)
    {
        Console.WriteLine($"# destroy failed too ({e.Message}); disposing the lab ends what is left");
    }
    Host("ip -br link show type bridge", ns.Ip("-br", "link", "show", "type", "bridge"));
    Host("virsh list --all", libvirtd.Virsh("list", "--all"));
    Host("virsh net-list --all", libvirtd.Virsh("net-list", "--all"));
}

using Kvm.Demo;
using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;

// The provider's lifecycle against a throwaway lab host (a network namespace with a private
// libvirtd), driven through its gRPC protocol the way the Pulumi engine drives it.
Title("kvm provider demo");
Say($"plugin: {RepoPaths.ProviderBinary}");
var started = DateTime.UtcNow;
using var ns = LabNamespace.CreateLab();
using var libvirtd = PrivateLibvirtd.Start(ns);
Say($"lab host: network namespace {ns.Name}, private libvirtd at {libvirtd.Uri}");
await using (var stack = await Stack.StartAsync($$"""{"uri": "{{libvirtd.Uri}}", "netns": "{{ns.Name}}"}"""))
{
    await BridgeAct.RunAsync(stack, ns);

    Title("Destroy");
    Command("pulumi destroy");
    Show(await stack.DestroyAsync());
    Host("bridges left in the lab", ns.Ip("-br", "link", "show", "type", "bridge") is { Length: > 0 } left ? left : "(none)");
    var warnings = stack.Engine.Logs.Where(l => l.Severity >= Pulumirpc.LogSeverity.Warning).ToList();
    if (warnings.Count > 0)
    {
        Say("diagnostics the provider sent to the engine:");
        foreach (var w in warnings) Console.WriteLine($"    {w.Severity.ToString().ToLowerInvariant()}: {w.Message}");
    }
}
VlanAct.Run(RepoPaths.VmTestsRunner);
Title($"demo finished in {(DateTime.UtcNow - started).TotalSeconds:F0} s; the lab is torn down");

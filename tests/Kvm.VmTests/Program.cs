using Kvm.VmTests;

// kvm-vm-tests [--list | --demo | --bench vlan | --reboot PHASE DIR] [scenario ...]: run inside the kernel VM by tests/Kvm.Lifecycle.Tests.
IReadOnlyList<Scenario> scenarios = [.. VlanFilterScenarios.All, .. DomainScenarios.All, .. DiscoverScenarios.All, .. RemoteLabScenarios.All, .. UplinkScenarios.All, .. OvsScenarios.All];
if (args is ["--demo"]) return await VlanDemo.RunAsync();
if (args is ["--reboot", var phase, var dir]) return await RebootStack.RunAsync(phase, dir);
if (args is ["--bench", "vlan"]) return await VlanBench.RunAsync();
if (args is ["--list"])
{
    foreach (var s in scenarios) Console.WriteLine(s.Name);
    return 0;
}
var failures = await Runner.RunAsync(scenarios, args);
Console.WriteLine($"KVMTEST DONE {failures} failed");
return Math.Min(failures, 100);

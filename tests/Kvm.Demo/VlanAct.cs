using Kvm.Lab;
using static Kvm.Demo.Narrator;

namespace Kvm.Demo;

/// <summary>
/// VLAN filtering needs a kernel this machine lacks: this act runs the demo scenario of the kernel
/// VM runner (tests/Kvm.VmTests) and shows what it printed.
/// </summary>
public static class VlanAct
{
    public static void Run(string runner)
    {
        Title("VLAN filtering (in the kernel VM: Debian's kernel under qemu, with bridge VLAN filtering)");
        if (!File.Exists(runner))
        {
            Say($"skipped: {runner} is missing (make build publishes it)");
            return;
        }
        var result = KernelVm.Run($"""
            ip link set lo up
            cd /tmp
            exec {runner} --demo
            """, TimeSpan.FromMinutes(10));
        Console.WriteLine(result.Output.TrimEnd());
        Say($"(the VM booted, ran the demo and powered off in {result.Elapsed.TotalSeconds:F1} s)");
        if (result.ExitCode != 0) throw new InvalidOperationException($"the VLAN demo failed in the kernel VM (exit code {result.ExitCode})");
    }
}

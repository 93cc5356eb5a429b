using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// One boot of the lab's kernel VM (a kernel with bridge VLAN filtering) running every scenario of
/// tests/Kvm.VmTests, the NativeAOT runner `make build` publishes to bin/vmtests.
/// </summary>
public sealed class KernelVmRun
{
    public static string Runner => RepoPaths.VmTestsRunner;

    private readonly Lazy<KernelVmResult> _result = new(() => KernelVm.Run($"""
        # the VM's own loopback (never the host's): the plugin and its engine talk over it
        ip link set lo up
        cd /tmp
        exec {Runner} {Only}
        """, TimeSpan.FromMinutes(25)));

    /// <summary>KVM_VM_SCENARIOS="a b": boot the VM for those scenarios only (with a matching --filter, while working on them).</summary>
    private static string Only => string.Join(' ', (Environment.GetEnvironmentVariable("KVM_VM_SCENARIOS") ?? "")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(n => n.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')));

    public KernelVmResult Result => _result.Value;

    /// <summary>What one scenario printed, from its start marker to the next.</summary>
    public string OutputOf(string scenario)
    {
        var output = Result.Output;
        var start = output.IndexOf($"KVMTEST START {scenario}\n", StringComparison.Ordinal);
        if (start < 0) return output;
        var next = output.IndexOf("KVMTEST START ", start + 14, StringComparison.Ordinal);
        return next < 0 ? output[start..] : output[start..next];
    }
}

public sealed class KernelVmScenarioTests(KernelVmRun vm) : IClassFixture<KernelVmRun>
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        if (!File.Exists(KernelVmRun.Runner))
        {
            data.Add("(the runner is missing: run `make build`)");
            return data;
        }
        foreach (var name in Shell.Check(KernelVmRun.Runner, "--list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            data.Add(name.Trim());
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_passes_on_a_kernel_with_bridge_vlan_filtering(string scenario)
    {
        Assert.True(File.Exists(KernelVmRun.Runner), $"{KernelVmRun.Runner} is missing: run `make build`");
        var output = vm.OutputOf(scenario);
        // Figures a scenario measured (the VLAN fuzz run) go where the lab's own runs put theirs.
        var reports = output.Split('\n').Where(l => l.StartsWith($"KVMTEST REPORT {scenario} ", StringComparison.Ordinal)).ToList();
        if (reports.Count > 0)
            File.WriteAllLines(Path.Combine(Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts")).FullName, $"{scenario}.md"),
                [$"# {scenario} (kernel VM)", "", .. reports.Select(l => l[$"KVMTEST REPORT {scenario} ".Length..])]);
        Assert.True(output.Contains($"KVMTEST PASS {scenario} "), $"in the kernel VM (exit code {vm.Result.ExitCode}):\n{output}");
    }
}

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
        exec {Runner}
        """, TimeSpan.FromMinutes(25)));

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
        Assert.True(output.Contains($"KVMTEST PASS {scenario} "), $"in the kernel VM (exit code {vm.Result.ExitCode}):\n{output}");
    }
}

using Kvm.Engine;

namespace Kvm.Bench;

/// <summary>
/// Issue 4: a 4,094-VLAN trunk (vids 1-4094) on 8 ports of a vlan_filtering bridge, through the
/// plugin's VlanFilter Create (measured by the NativeAOT runner, `kvm-vm-tests --bench vlan`), against
/// one `bridge vlan add` process per VLAN (bench/Kvm.Bench/vlan-baseline.sh), in the same VM boot.
/// The baseline is a sample extrapolated linearly: the full 32,752 processes take hours under TCG.
/// </summary>
public static class VlanBench
{
    public static Comparison Run()
    {
        var baselineScript = Path.Combine(RepoPaths.Root, "bench", "Kvm.Bench", "vlan-baseline.sh");
        var output = VmBench.Run($"""
            sh {baselineScript} 128
            {VmBench.Runner} --bench vlan
            """, TimeSpan.FromMinutes(30));
        var ours = VmBench.Line(output, "vlan ours");
        var baseline = VmBench.Line(output, "vlan baseline");
        var batch = VmBench.Line(output, "vlan batch");
        var comparison = new Comparison("4,094-VLAN trunk on 8 ports, in the kernel VM (TCG)",
            $"8 x VlanFilter Create through the plugin (median of {ours["rounds"]})", ours.Number("ms"),
            $"one `bridge vlan add` process per VLAN (32,752; extrapolated from {baseline["processes"]} processes, {baseline["vids_per_port"]} vids per port)",
            baseline.Number("extrapolated_ms"), 20);
        Console.WriteLine(comparison);
        Console.WriteLine($"  baseline sample: {baseline["processes"]} processes in {baseline.Number("sample_ms"):F0} ms " +
            $"({baseline.Number("sample_ms") / baseline.Number("processes"):F1} ms per process); x 4094/{baseline["vids_per_port"]} -> {baseline.Number("extrapolated_ms") / 1000:F0} s");
        Console.WriteLine($"  for reference, one `bridge -batch` process with the {batch["commands"]} adds: {batch.Number("ms"):F0} ms " +
            $"(ours is {batch.Number("ms") / ours.Number("ms"):F1}x faster than that too)");
        return comparison;
    }
}

using Kvm.Libvirt;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Domains;

namespace Kvm.Provider.Tests.Domains;

/// <summary>`cpuXml` and `vcpuCpuset`: written verbatim, reported in the program's shape, filled by import only when the CPU says more than a mode.</summary>
public class GuestCpuTests
{
    private static readonly IReadOnlyDictionary<string, DomainVlanArgs> NoVlans = new Dictionary<string, DomainVlanArgs>();
    private const string Custom = "<cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>";

    private static DomainArgs Guest(string? cpuXml = null, string? cpuMode = null, string? cpuset = null) =>
        new() { Name = "g1", Type = "qemu", MemoryMib = 256, Vcpus = 2, CpuXml = cpuXml, CpuMode = cpuMode, VcpuCpuset = cpuset };

    private static DomainDefinition Build(DomainArgs a, DomainArgs? old = null, DomainDefinition? existing = null) =>
        DomainXml.Parse(DomainMapping.BuildXml(a, old, existing, _ => false, out _));

    [Fact]
    public void Cpu_xml_is_written_verbatim_and_read_back_in_the_programs_spelling()
    {
        var def = Build(Guest(Custom));
        Assert.Equal("qemu64", def.Origin.Element!.Element("cpu")!.Element("model")!.Value);

        // libvirt adds check='none' (and would a vendor): the program's shorter form is still what it sees.
        var filled = DomainXml.Parse(def.Origin.Element.ToString().Replace("match=\"exact\"", "match=\"exact\" check=\"none\"", StringComparison.Ordinal));
        Assert.Equal(XmlFragment.Canonical(Custom), DomainMapping.ToArgs(filled, NoVlans, Guest(Custom)).CpuXml);
        // ...and the program's form is not written over what libvirt filled in.
        Assert.Equal("none", Build(Guest(Custom), Guest(Custom), filled).Origin.Element!.Element("cpu")!.Attribute("check")?.Value);
    }

    [Fact]
    public void A_cpu_changed_by_hand_is_reported_as_the_host_has_it()
    {
        var drifted = DomainXml.Parse(Build(Guest(Custom)).Origin.Element!.ToString().Replace("qemu64", "Haswell", StringComparison.Ordinal));
        Assert.Contains("Haswell", DomainMapping.ToArgs(drifted, NoVlans, Guest(Custom)).CpuXml, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_reports_cpu_xml_only_for_a_cpu_that_is_more_than_a_mode()
    {
        var bare = DomainXml.Parse("<domain type='kvm'><name>g</name><cpu mode='host-passthrough' check='none' migratable='on'/></domain>");
        Assert.Equal(("host-passthrough", null), (DomainMapping.ToArgs(bare, NoVlans, null).CpuMode, DomainMapping.ToArgs(bare, NoVlans, null).CpuXml));

        var custom = DomainXml.Parse($"<domain type='kvm'><name>g</name>{Custom}</domain>");
        Assert.Equal(XmlFragment.Canonical(Custom), DomainMapping.ToArgs(custom, NoVlans, null).CpuXml);
    }

    [Fact]
    public void Dropping_cpu_xml_leaves_the_mode_or_libvirts_default()
    {
        var existing = Build(Guest(Custom));
        Assert.Null(Build(Guest(), Guest(Custom), existing).Cpu);
        var mode = Build(Guest(cpuMode: "host-model"), Guest(Custom), existing).Origin.Element!.Element("cpu")!;
        Assert.Equal(("host-model", false), (mode.Attribute("mode")?.Value, mode.HasElements));
    }

    [Fact]
    public void The_vcpu_cpuset_is_written_read_back_and_dropped()
    {
        var def = Build(Guest(cpuset: "0-3,^2"));
        Assert.Equal("0-3,^2", def.Vcpu!.Cpuset);
        Assert.Equal("0-3,^2", DomainMapping.ToArgs(def, NoVlans, null).VcpuCpuset);
        Assert.Null(Build(Guest(), Guest(cpuset: "0-3,^2"), def).Vcpu!.Cpuset);
        Assert.Equal("0-3,^2", Build(Guest(), Guest(), def).Vcpu!.Cpuset);
    }

    [Theory]
    [InlineData("0-1", null)]
    [InlineData("0-7,^4,9", null)]
    [InlineData("3-1", "ends before it starts")]
    [InlineData("^1", "includes none")]
    [InlineData("0,,1", "not a CPU list")]
    public void Cpuset_syntax(string cpuset, string? problem)
    {
        var found = GuestCpu.CpusetProblem(cpuset);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found, StringComparison.Ordinal);
    }
}

using Kvm.Libvirt;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Domains;

/// <summary>libvirt keeps memory in KiB: a size that is not whole MiB must come back exactly, never rounded.</summary>
public class DomainMemoryTests
{
    private static readonly IReadOnlyDictionary<string, DomainVlanArgs> NoVlans = new Dictionary<string, DomainVlanArgs>();

    private static DomainArgs Guest(int? mib = null, long? kib = null, int? maxMib = null, long? maxKib = null) => new()
    {
        Name = "g1", Type = "qemu", Vcpus = 1, MemoryMib = mib, MemoryKib = kib, MaxMemoryMib = maxMib, MaxMemoryKib = maxKib,
    };

    private static Bound<DomainArgs> Bind(DomainArgs a) => PropertyBinder.Bind<DomainArgs>(Writer.Write(a, inputsOnly: true));

    [Fact]
    public void A_size_that_is_not_whole_MiB_is_written_and_read_back_in_KiB()
    {
        var a = Guest(kib: 219100);
        var def = DomainXml.Parse(DomainMapping.BuildXml(a, null, null, _ => false, out _));
        Assert.Equal(219100UL, def.CurrentMemoryKiB);
        Assert.Equal(219100UL, def.MemoryKiB);

        var back = DomainMapping.ToArgs(def, NoVlans, null);
        Assert.Equal((null, 219100L), (back.MemoryMib, back.MemoryKib));
        Assert.Equal((null, 219100L), (back.MaxMemoryMib, back.MaxMemoryKib));
    }

    [Fact]
    public void Whole_MiB_is_always_spelled_in_MiB_whichever_the_program_used()
    {
        var news = DomainMemory.Normalize(Writer.Write(Guest(kib: 262144, maxKib: 300000), inputsOnly: true));
        Assert.Equal(256, ((NumberValue)news["memoryMib"]!).Value);
        Assert.Null(news["memoryKib"]);
        Assert.Equal(300000, ((NumberValue)news["maxMemoryKib"]!).Value);
        Assert.Equal((512, null), DomainMemory.Spell(524288));
        Assert.Equal((null, 524289L), DomainMemory.Spell(524289));
    }

    [Theory]
    [InlineData(null, null, null, null, "memoryMib", "set memoryMib (or memoryKib")]
    [InlineData(256, 262144L, null, null, "memoryKib", "not both")]
    [InlineData(256, null, 512, 524288L, "maxMemoryKib", "not both")]
    [InlineData(null, 219100L, 200, null, "memoryKib", "219100 KiB is more than the maximum (200 MiB)")]
    public void Check_names_the_memory_input_at_fault(int? mib, long? kib, int? maxMib, long? maxKib, string property, string reason)
    {
        var failures = DomainValidation.Static(Bind(Guest(mib, kib, maxMib, maxKib))).ToList();
        Assert.Contains(failures, f => f.Property == property && f.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Memory_within_the_maximum_in_either_unit_passes_Check() =>
        Assert.DoesNotContain(DomainValidation.Static(Bind(Guest(kib: 219100, maxMib: 256))), f => f.Property.Contains("emory", StringComparison.Ordinal));
}

using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The guest's memory, which libvirt keeps in KiB and programs mostly write in MiB. There is one
/// spelling of each size: whole MiB as <c>memoryMib</c>, anything else as <c>memoryKib</c>, so that
/// what the host reports and what the program says compare without rounding.
/// </summary>
internal static class DomainMemory
{
    public const ulong KiBPerMiB = 1024;

    public static ulong? CurrentKiB(DomainArgs a) => KiB(a.MemoryMib, a.MemoryKib);

    public static ulong? MaxKiB(DomainArgs a) => KiB(a.MaxMemoryMib, a.MaxMemoryKib);

    public static T WithCurrent<T>(T a, ulong? kib) where T : DomainArgs
    {
        var (mib, k) = Spell(kib);
        return a with { MemoryMib = mib, MemoryKib = k };
    }

    public static T WithMax<T>(T a, ulong? kib) where T : DomainArgs
    {
        var (mib, k) = Spell(kib);
        return a with { MaxMemoryMib = mib, MaxMemoryKib = k };
    }

    /// <summary>A size as (MiB, KiB) with exactly one set, or neither for no size.</summary>
    public static (int? Mib, long? Kib) Spell(ulong? kib) => kib switch
    {
        null => (null, null),
        { } k when k % KiBPerMiB == 0 && k / KiBPerMiB <= int.MaxValue => ((int)(k / KiBPerMiB), null),
        { } k => (null, (long)Math.Min(k, long.MaxValue)),
    };

    /// <summary>A size as a reader writes it: "2048 MiB", or "219100 KiB" when it is not whole MiB.</summary>
    public static string Show(ulong kib) => Spell(kib) is (int mib, null) ? $"{mib} MiB" : $"{kib} KiB";

    /// <summary>A program's <c>memoryKib</c> of whole MiB becomes <c>memoryMib</c> (and the same for the maximum).</summary>
    public static ObjectValue Normalize(ObjectValue news) =>
        Normalize(Normalize(news, DomainArgs.Paths.MemoryMib, DomainArgs.Paths.MemoryKib), DomainArgs.Paths.MaxMemoryMib, DomainArgs.Paths.MaxMemoryKib);

    private static ObjectValue Normalize(ObjectValue news, string mibPath, string kibPath) =>
        news[kibPath] is NumberValue { Value: var k } && news[mibPath] is null && k > 0 && k % KiBPerMiB == 0 && k / KiBPerMiB <= int.MaxValue
            ? news.Without(kibPath).With(mibPath, PropertyValue.Of(k / KiBPerMiB))
            : news;

    private static ulong? KiB(int? mib, long? kib) => kib is { } k ? (ulong)k : mib is { } m ? (ulong)m * KiBPerMiB : null;
}

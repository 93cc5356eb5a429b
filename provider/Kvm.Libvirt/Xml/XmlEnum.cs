namespace Kvm.Libvirt;

/// <summary>An enum's spelling in libvirt XML, as an explicit table (no reflection, so NativeAOT-safe).</summary>
internal sealed class XmlEnum<T>(params (T Value, string Text)[] map)
    where T : struct, Enum
{
    public T Parse(string text, string where)
    {
        foreach (var (value, spelling) in map)
            if (spelling == text) return value;
        throw new FormatException($"{where}: unknown value '{text}' (expected one of {string.Join(", ", map.Select(m => m.Text))})");
    }

    public T? ParseOrNull(string? text, string where) => text is null ? null : Parse(text, where);

    public string Format(T value)
    {
        foreach (var (candidate, spelling) in map)
            if (EqualityComparer<T>.Default.Equals(candidate, value)) return spelling;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"no XML spelling for {typeof(T).Name} {value}");
    }

    public string? FormatOrNull(T? value) => value is { } v ? Format(v) : null;
}

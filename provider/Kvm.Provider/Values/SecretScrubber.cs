using System.Text.RegularExpressions;

namespace Kvm.Provider.Values;

/// <summary>
/// Keeps values that arrived secret out of what the provider says back: Check failures, error
/// messages and log lines name the property and say "a secret value" instead. Rules that print an
/// input's value do not know whether it was secret, so the text is scrubbed once, where it leaves.
/// </summary>
internal sealed class SecretScrubber
{
    private const string Placeholder = "a secret value";
    private readonly string[] _texts;
    private readonly string[] _numbers;

    private SecretScrubber(IEnumerable<string> texts, IEnumerable<string> numbers)
    {
        // Longest first, so a secret that contains another is replaced whole.
        _texts = [.. texts.Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(t => t.Length)];
        _numbers = [.. numbers.Distinct(StringComparer.Ordinal)];
    }

    public static SecretScrubber None { get; } = new([], []);

    // The secrets of the request being served, for what it logs on the way (announcements, warnings):
    // log lines are written deep inside appliers that do not know which values arrived secret.
    private static readonly AsyncLocal<SecretScrubber?> s_current = new();

    /// <summary>The scrubber of the request this code runs for (None outside one).</summary>
    public static SecretScrubber Current => s_current.Value ?? None;

    /// <summary>Makes <paramref name="scrubber"/> <see cref="Current"/> until the scope is disposed.</summary>
    public static Scope Enter(SecretScrubber scrubber)
    {
        var previous = s_current.Value;
        s_current.Value = scrubber;
        return new Scope(previous);
    }

    public readonly struct Scope(SecretScrubber? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }

    /// <summary>The secrets among <paramref name="values"/> (at any depth), as the text a message would show them in.</summary>
    public static SecretScrubber Of(params PropertyValue?[] values)
    {
        var texts = new List<string>();
        var numbers = new List<string>();
        foreach (var v in values) Collect(v, inSecret: false, texts, numbers);
        return texts.Count + numbers.Count == 0 ? None : new SecretScrubber(texts, numbers);
    }

    public bool IsEmpty => _texts.Length + _numbers.Length == 0;

    public string Scrub(string text)
    {
        foreach (var secret in _texts)
            text = text.Replace(secret, Placeholder, StringComparison.Ordinal);
        // A number only where it stands alone: "1" in "ips[1]" is not the secret 1.
        foreach (var number in _numbers)
            text = Regex.Replace(text, $@"(?<![\w.]){Regex.Escape(number)}(?![\w.])", Placeholder, RegexOptions.None, TimeSpan.FromSeconds(1));
        return text;
    }

    public CheckFailure Scrub(CheckFailure f) => IsEmpty ? f : f with { Reason = Scrub(f.Reason) };

    private static void Collect(PropertyValue? v, bool inSecret, List<string> texts, List<string> numbers)
    {
        switch (v)
        {
            case SecretValue s:
                Collect(s.Inner, inSecret: true, texts, numbers);
                break;
            case ArrayValue a:
                foreach (var item in a.Items) Collect(item, inSecret, texts, numbers);
                break;
            case ObjectValue o:
                foreach (var field in o.Fields.Values) Collect(field, inSecret, texts, numbers);
                break;
            case StringValue str when inSecret:
                texts.Add(str.Value);
                break;
            case NumberValue n when inSecret:
                numbers.Add(n.Display());
                break;
        }
    }
}

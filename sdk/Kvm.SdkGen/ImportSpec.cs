using System.Text.RegularExpressions;

namespace Kvm.SdkGen;

/// <summary>
/// How a resource is imported, stated in its schema description. The convention: the
/// description's last paragraph reads
/// <code>Import: `pulumi import kvm:index:Bridge br0 br0` (id: the bridge name)</code>
/// i.e. <c>Import:</c>, the exact command in backticks (type token, a resource name, an example
/// id), and in parentheses what the id is. The schema stays valid Pulumi schema (it is only
/// description text), the SDK's XML docs keep it, and the docs pages render it as an Import section.
/// </summary>
public sealed partial record ImportSpec(string Command, string Token, string Name, string Id, string IdDescription)
{
    [GeneratedRegex(@"^Import:\s*`(?<cmd>pulumi import (?<token>\S+) (?<name>\S+) (?<id>[^`]+?))`\s*(?:\(id:\s*(?<what>[^)]*)\))?\s*\.?\s*$", RegexOptions.Singleline)]
    private static partial Regex Pattern();

    /// <summary>
    /// Splits <paramref name="description"/> into the text before the import paragraph and the
    /// parsed import spec (null when the last paragraph is not an import paragraph).
    /// </summary>
    public static (string Text, ImportSpec? Import) Split(string description)
    {
        var text = description.Replace("\r\n", "\n").TrimEnd();
        var cut = text.LastIndexOf("\n\n", StringComparison.Ordinal);
        var last = cut < 0 ? text : text[(cut + 2)..];
        var m = Pattern().Match(last.Trim());
        if (!m.Success) return (text, null);
        var spec = new ImportSpec(m.Groups["cmd"].Value, m.Groups["token"].Value, m.Groups["name"].Value,
            m.Groups["id"].Value.Trim(), m.Groups["what"].Success ? m.Groups["what"].Value.Trim() : "");
        return (cut < 0 ? "" : text[..cut].TrimEnd(), spec);
    }
}

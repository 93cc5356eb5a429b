namespace Kvm.SdkGen;

/// <summary>XML doc comments from schema descriptions, with the rules of Pulumi's <c>printComment</c>.</summary>
internal static class DocComments
{
    /// <summary>Escapes the characters XML gives a meaning to (<c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>).</summary>
    public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>
    /// Writes <c>/// &lt;summary&gt;</c> ... for <paramref name="comment"/>: escaped, code blocks in
    /// languages other than C#, sh and JSON dropped, headings kept only when text follows them,
    /// trailing blank lines trimmed. Writes nothing for an empty comment.
    /// </summary>
    public static void Write(CodeWriter w, string comment, bool escape = true)
    {
        if (escape) comment = Escape(comment);
        comment = comment.Replace("\r\n", "\n").Replace('\r', '\n');
        var lines = new List<string>();
        var pending = new List<string>();
        var emitLine = true;
        foreach (var l in comment.Split('\n'))
        {
            if (l is "&lt;!--End PulumiCodeChooser --&gt;" or "&lt;!--Start PulumiCodeChooser --&gt;") continue;
            if (l.StartsWith("```", StringComparison.Ordinal))
            {
                if (l == "```")
                {
                    if (emitLine) lines.Add(l);
                    emitLine = true;
                    continue;
                }
                emitLine = l is "```csharp" or "```sh" or "```json";
            }
            if (!emitLine) continue;
            if (pending.Count > 0 && l.Trim(' ').Length == 0)
            {
                pending.Add(l);
                continue;
            }
            if (l.StartsWith('#'))
            {
                pending = [l];
                continue;
            }
            if (pending.Count > 0)
            {
                lines.AddRange(pending);
                pending = [];
            }
            lines.Add(l);
        }
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) return;
        w.Line("/// <summary>");
        foreach (var l in lines) w.Line("/// " + l);
        w.Line("/// </summary>");
    }
}

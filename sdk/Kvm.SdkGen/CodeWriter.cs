using System.Text;

namespace Kvm.SdkGen;

/// <summary>
/// Text with four-space indentation applied to every non-empty line (the same rules as Pulumi's
/// <c>BufferWithIndent</c>), always with LF line endings.
/// </summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _level;
    private bool _indented;

    public void Push() => _level++;

    public void Pop() => _level--;

    /// <summary>Writes <paramref name="text"/>; each <c>\n</c> ends a line, and a line's indent is written with its first character.</summary>
    public void Write(string text)
    {
        while (text.Length > 0)
        {
            var nl = text.IndexOf('\n');
            var before = nl < 0 ? text : text[..nl];
            if (before.Length > 0)
            {
                if (!_indented)
                {
                    _sb.Append(' ', 4 * _level);
                    _indented = true;
                }
                _sb.Append(before);
            }
            if (nl < 0) break;
            _sb.Append('\n');
            _indented = false;
            text = text[(nl + 1)..];
        }
    }

    /// <summary>Writes <paramref name="line"/> followed by a line break.</summary>
    public void Line(string line = "") => Write(line + "\n");

    public void OpenBrace()
    {
        Write("{\n");
        Push();
    }

    public void CloseBrace(string suffix = "")
    {
        Pop();
        Write("}" + suffix + "\n");
    }

    public override string ToString() => _sb.ToString();
}

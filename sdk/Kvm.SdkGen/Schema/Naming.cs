using System.Text;

namespace Kvm.SdkGen.Schema;

/// <summary>C# names derived from schema names, following Pulumi's dotnet codegen.</summary>
public static class Naming
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    public static bool IsKeyword(string s) => Keywords.Contains(s);

    /// <summary>Upper-cases the first letter only (Pulumi's <c>Title</c>): <c>vlanFiltering</c> becomes <c>VlanFiltering</c>.</summary>
    public static string Title(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>The member name of a token: <c>kvm:index:bridge</c> becomes <c>Bridge</c>.</summary>
    public static string TokenToName(string token)
    {
        var parts = token.Split(':');
        if (parts.Length != 3) throw new SchemaException($"malformed token \"{token}\"");
        return Identifier(Title(parts[2]));
    }

    /// <summary>
    /// The PascalCase member name of a property: Pulumi's <c>Title</c>, made a valid identifier
    /// (a leading <c>$</c> dropped, other characters that cannot appear in an identifier act as word
    /// breaks: <c>foo-bar</c> becomes <c>FooBar</c>).
    /// </summary>
    public static string PropertyName(string wireName) => Identifier(Title(wireName.TrimStart('$')));

    /// <summary>A parameter or local name for a wire name: <c>default</c> becomes <c>@default</c> (Pulumi's <c>csharpIdentifier</c>).</summary>
    public static string ParameterName(string wireName)
    {
        var s = Identifier(wireName.TrimStart('$'));
        return Keywords.Contains(s) ? "@" + s : s;
    }

    /// <summary>A field name for a wire name (<c>_name</c>).</summary>
    public static string FieldName(string wireName) => "_" + Identifier(wireName.TrimStart('$'));

    /// <summary>Joins the identifier-safe runs of <paramref name="s"/>, capitalising each run after the first break.</summary>
    public static string Identifier(string s)
    {
        var sb = new StringBuilder(s.Length);
        var upperNext = false;
        foreach (var c in s)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_' || (c > 127 && char.IsLetterOrDigit(c)))
            {
                sb.Append(upperNext && sb.Length > 0 ? char.ToUpperInvariant(c) : c);
                upperNext = false;
            }
            else
            {
                upperNext = true;
            }
        }
        if (sb.Length == 0) sb.Append('_');
        if (char.IsDigit(sb[0])) sb.Insert(0, '_');
        return sb.ToString();
    }
}

using System.Globalization;
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

    /// <summary>Members every generated class already has (from its base classes or from the generator).</summary>
    public static readonly string[] ObjectMembers = ["Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals"];
    public static readonly string[] ResourceMembers = [.. ObjectMembers, "Id", "Urn", "Get", "MakeResourceOptions", "MakeArgs", "GetResourceType", "GetResourceName"];
    public static readonly string[] ArgsMembers = [.. ObjectMembers, "Empty"];

    /// <summary>
    /// C# member names for <paramref name="props"/> inside class <paramref name="className"/>: the
    /// schema's <c>language.csharp.name</c> or the Title-cased wire name, with <c>Value</c> appended
    /// when that would clash with the class name, an inherited member or an earlier property.
    /// </summary>
    public static Dictionary<string, string> MemberNames(IEnumerable<Property> props, string className, IEnumerable<string> reserved)
    {
        var used = new HashSet<string>(reserved, StringComparer.Ordinal) { className };
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in props)
        {
            var n = p.CSharpName is { Length: > 0 } cs ? Naming.Identifier(cs) : Naming.PropertyName(p.Name);
            if (used.Contains(n)) n += "Value";
            var candidate = n;
            for (var i = 2; used.Contains(candidate); i++) candidate = n + i.ToString(CultureInfo.InvariantCulture);
            used.Add(candidate);
            names[p.Name] = candidate;
        }
        return names;
    }
}

using System.Text;

namespace Kvm.Provider.Host;

/// <summary>
/// systemd's escaping of a path into a unit name (`systemd-escape --path`), so a unit instance can name a folder:
/// /var/lib/pulumi-kvm is var-lib-pulumi\x2dkvm, which the unit reads back as %f.
/// </summary>
internal static class SystemdEscape
{
    public static string Path(string path)
    {
        var trimmed = string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (trimmed.Length == 0) return "-";
        var result = new StringBuilder();
        var bytes = Encoding.UTF8.GetBytes(trimmed);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == '/') result.Append('-');
            else if ((b == '.' && i == 0) || !IsPlain(b)) result.Append($"\\x{b:x2}");
            else result.Append((char)b);
        }
        return result.ToString();
    }

    /// <summary>The path a unit instance escaped by <see cref="Path"/> names (what systemd gives as %f).</summary>
    public static string Unpath(string escaped)
    {
        if (escaped == "-") return "/";
        var bytes = new List<byte> { (byte)'/' };
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '-') bytes.Add((byte)'/');
            else if (escaped[i] == '\\' && i + 3 < escaped.Length && escaped[i + 1] == 'x')
            {
                bytes.Add(Convert.ToByte(escaped.Substring(i + 2, 2), 16));
                i += 3;
            }
            else bytes.Add((byte)escaped[i]);
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    // The characters systemd leaves as they are in a unit name; '-' is escaped because it stands for '/'.
    private static bool IsPlain(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)':' or (byte)'_' or (byte)'.';
}

using System.Text;

namespace Kvm.Netlink;

/// <summary>The kernel's rules for interface names (dev_valid_name), checked before a request is sent.</summary>
public static class LinkName
{
    /// <summary>IFNAMSIZ - 1: names are at most 15 bytes.</summary>
    public const int MaxLength = 15;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && Encoding.UTF8.GetByteCount(name) <= MaxLength
        && name is not "." and not ".."
        && !name.Any(c => c == '/' || c == ':' || c == '\0' || char.IsWhiteSpace(c));

    public static void Validate(string name, string parameterName = "name")
    {
        if (!IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid interface name (1-{MaxLength} bytes, no '/', ':' or whitespace)", parameterName);
    }
}

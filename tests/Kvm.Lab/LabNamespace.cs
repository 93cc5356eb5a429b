using System.Text.Json;

namespace Kvm.Lab;

/// <summary>
/// A throwaway network namespace for one test. The default namespace is never touched:
/// every interface a test makes lives in here and disappears with it.
/// </summary>
public sealed class LabNamespace : IDisposable
{
    public string Name { get; }

    /// <summary>The path netlink code opens to enter this namespace.</summary>
    public string Path => $"/run/netns/{Name}";

    private LabNamespace(string name) => Name = name;

    public static LabNamespace Create(string prefix = "kvmt")
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
        Shell.Check("ip", "netns", "add", name);
        var ns = new LabNamespace(name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    /// <summary>Runs <c>ip</c> inside the namespace and returns stdout; throws on failure.</summary>
    public string Ip(params string[] args) => Shell.Check("ip", ["-n", Name, .. args]);

    /// <summary>Runs any command inside the namespace.</summary>
    public ShellResult Exec(string file, params string[] args) => Shell.Run("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary><c>ip -j -d link show</c>: the independent observer of link state.</summary>
    public JsonElement Links() => JsonDocument.Parse(Ip("-j", "-d", "link", "show")).RootElement.Clone();

    /// <summary>One link as <c>ip -j -d link show dev NAME</c> reports it, or null when it does not exist.</summary>
    public JsonElement? Link(string name)
    {
        var r = Shell.Run("ip", "-n", Name, "-j", "-d", "link", "show", "dev", name);
        if (r.ExitCode != 0) return null;
        var arr = JsonDocument.Parse(r.StdOut).RootElement;
        return arr.GetArrayLength() == 0 ? null : arr[0].Clone();
    }

    public void Dispose()
    {
        // Deleting the namespace removes every virtual link inside it.
        Shell.Run("ip", "netns", "delete", Name);
    }
}

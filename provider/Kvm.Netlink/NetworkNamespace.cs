namespace Kvm.Netlink;

/// <summary>The network namespace a <see cref="NetlinkSocket"/> is opened in.</summary>
public sealed record NetworkNamespace
{
    private NetworkNamespace(string? path) => Path = path;

    /// <summary>The namespace file (/run/netns/NAME, /proc/PID/ns/net, ...), or null for the process's own namespace.</summary>
    public string? Path { get; }

    /// <summary>The namespace the process runs in.</summary>
    public static NetworkNamespace Current { get; } = new((string?)null);

    /// <summary>A namespace made with <c>ip netns add NAME</c>, i.e. /run/netns/NAME.</summary>
    public static NetworkNamespace Named(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/') || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a namespace name", nameof(name));
        return new NetworkNamespace($"/run/netns/{name}");
    }

    /// <summary>Any namespace file, e.g. /proc/1234/ns/net.</summary>
    public static NetworkNamespace FromPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!System.IO.Path.IsPathRooted(path))
            throw new ArgumentException($"'{path}' is not an absolute path", nameof(path));
        return new NetworkNamespace(path);
    }

    public override string ToString() => Path ?? "(current namespace)";
}

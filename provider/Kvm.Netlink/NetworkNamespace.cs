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

    /// <summary>
    /// Runs <paramref name="create"/> inside this namespace and returns what it made (a socket, which
    /// stays in the namespace it was created in whichever thread uses it later). setns moves only the
    /// calling thread, so this happens on a thread of its own that enters the namespace and then ends:
    /// no pool thread ever runs in a foreign namespace. The process's own namespace runs it in place.
    /// </summary>
    public T Create<T>(Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (Path is null) return create();
        var path = Path;
        T? created = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var namespaceFile = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (Interop.SetNs(namespaceFile, Interop.CLONE_NEWNET) != 0)
                    throw new NetlinkException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), $"setns({path})");
                created = create();
            }
            catch (Exception e)
            {
                failure = e;
            }
            // The thread ends here, and with it the only thread that ever entered the namespace.
        })
        {
            IsBackground = true,
            Name = "netns entry",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return created!;
    }

    public override string ToString() => Path ?? "(current namespace)";
}

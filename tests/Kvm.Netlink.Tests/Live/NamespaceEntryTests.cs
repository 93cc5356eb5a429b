namespace Kvm.Netlink.Tests.Live;

[CollectionDefinition(nameof(NamespaceEntryTests), DisableParallelization = true)]
public sealed class NamespaceEntryCollection;

/// <summary>
/// Opening a socket in a lab namespace must leave no thread of this process in it. Runs alone:
/// other tests opening sockets at the same moment briefly have their entry thread in a lab.
/// </summary>
[Collection(nameof(NamespaceEntryTests))]
[Trait("Category", "Live")]
public sealed class NamespaceEntryTests
{
    [Fact]
    public async Task No_thread_of_the_process_stays_in_the_lab_namespace()
    {
        var home = new FileInfo("/proc/self/ns/net").LinkTarget ?? throw new InvalidOperationException("no /proc/self/ns/net"); // "net:[inode]"
        using var lab = LabNetlink.Create();

        await lab.Links.CreateBridgeAsync(new NewBridge("br0"));

        // Thread.Join returns when the entry thread's managed work is done; the OS thread may still be
        // on its way out for a moment (and listed under /proc/self/task). It must be gone soon after.
        string[] threadNamespaces = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(10))
        {
            threadNamespaces = ThreadNamespaces();
            if (threadNamespaces.SequenceEqual([home])) break;
        }
        Assert.StartsWith("net:[", home);
        Assert.Equal([home], threadNamespaces);
    }

    private static string[] ThreadNamespaces() =>
        Directory.GetDirectories("/proc/self/task")
            .Select(task => TryReadLink(Path.Combine(task, "ns", "net")))
            .OfType<string>()
            .Distinct()
            .ToArray();

    private static string? TryReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null; // the thread ended while we looked
        }
    }
}

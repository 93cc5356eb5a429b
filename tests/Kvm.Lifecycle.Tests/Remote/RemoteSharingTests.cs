using Kvm.Engine;
using Kvm.Lab;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// The SSH connection outlives a plugin process by sshControlPersist seconds, so the next `pulumi`
/// command (a new plugin) does not log in again; 0 closes it with the plugin.
/// </summary>
public sealed class RemoteSharingTests(ITestOutputHelper output)
{
    private static int Logins(RemoteLabHost host) =>
        File.ReadAllLines(host.SshdLogPath).Count(l => l.Contains("Accepted publickey", StringComparison.Ordinal));

    /// <summary>The ssh masters the plugin left in the workstation (they name themselves after their socket).</summary>
    private static IReadOnlyList<int> Masters(RemoteLab lab) => RemoteStacks.Processes(lab.Workstation, "ssh: /root/.pulumi-kvm/ssh/");

    private static Task<Stack> StackAsync(RemoteLab lab, int persist) =>
        Stack.StartAsync($$"""{"host": "h1", "sshControlPersist": {{persist}}}""", placement: RemoteStacks.Workstation(lab));

    [Fact]
    public async Task The_next_command_reuses_the_connection_until_it_expires()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        var br = Res("kvm:index:Bridge", "br", """{"name": "br-share"}""");
        await using (var first = await StackAsync(lab, persist: 3))
            (await first.UpAsync(br)).EnsureOk();
        var logins = Logins(h1);
        output.WriteLine($"logins after the first command: {logins}");
        Assert.Single(Masters(lab));

        await using (var second = await StackAsync(lab, persist: 3))
        {
            second.LoadState([new ResourceState("kvm:index:Bridge", "br", second.Urn("kvm:index:Bridge", "br"), "br-share", Props.Parse("""{"name": "br-share"}"""), Props.Parse("{}"))]);
            Assert.Equal(StepOp.Refresh, (await second.RefreshAsync())["br"].Op);
        }
        // A second plugin process, the same login: its session went over the master's connection.
        Assert.Equal(logins, Logins(h1));

        // With nobody using it, the master closes its connection after sshControlPersist seconds.
        Poll.Until(() => Masters(lab).Count == 0, TimeSpan.FromMinutes(1), "the shared connection to close");
    }

    [Fact]
    public async Task Zero_closes_the_connection_with_the_plugin()
    {
        using var lab = RemoteLab.Create(1);
        await using (var stack = await StackAsync(lab, persist: 0))
            (await stack.UpAsync(Res("kvm:index:Bridge", "br", """{"name": "br-noshare"}"""))).EnsureOk();
        Assert.Empty(Masters(lab));
        Poll.Until(() => RemoteStacks.Processes(lab.Workstation, "/usr/bin/ssh").Count == 0, TimeSpan.FromSeconds(30), "ssh to end with the plugin");
    }
}

using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;
using Xunit.Abstractions;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests.Remote;

/// <summary>
/// What goes wrong between a workstation and a host, as a user meets it: every fault is an error that
/// names the host and what to check, nothing is half-applied without the engine knowing, and Cancel
/// ends work in flight on the host cleanly.
/// </summary>
public sealed class RemoteFaultTests(ITestOutputHelper output)
{
    private const string Bridge = "kvm:index:Bridge", Domain = "kvm:index:Domain";

    private async Task<RpcException> ConfigureFailsAsync(RemoteLab lab, string host, IDictionary<string, string>? more = null)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => RemoteStacks.StartAsync(lab, host, more));
        output.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        return e;
    }

    [Fact]
    public async Task A_host_whose_sshd_is_down_is_unavailable_naming_the_host()
    {
        using var lab = RemoteLab.Create(1);
        lab.Hosts[0].StopSshd();
        var e = await ConfigureFailsAsync(lab, "h1");
        Assert.Contains("h1 refused the SSH connection", e.Status.Detail);
        Assert.Contains("check that sshd runs there", e.Status.Detail);
    }

    [Fact]
    public async Task A_refused_key_is_unavailable_and_never_prompts()
    {
        using var lab = RemoteLab.Create(1);
        lab.Hosts[0].RevokeWorkstationKey();
        var e = await ConfigureFailsAsync(lab, "h1");
        Assert.Contains("h1 refused the SSH login", e.Status.Detail);
        Assert.Contains("Permission denied (publickey)", e.Status.Detail);
        Assert.Contains("authorized_keys", e.Status.Detail);
    }

    [Fact]
    public async Task A_changed_host_key_is_refused_as_a_possible_attack()
    {
        using var lab = RemoteLab.Create(1);
        lab.Hosts[0].ReplaceHostKey();
        var e = await ConfigureFailsAsync(lab, "h1");
        Assert.Contains("the SSH host key of h1 has changed", e.Status.Detail);
        Assert.Contains("ssh-keygen -R h1", e.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_host_key_is_refused_without_asking()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        // The destination by address, with a known_hosts of its own that has no entry for it (a qemu+ssh URI's known_hosts parameter).
        var e = await ConfigureFailsAsync(lab, h1.Destination, new Dictionary<string, string>
        {
            ["uri"] = $"qemu+ssh://{h1.Destination}/system?known_hosts=/root/.ssh/known_hosts_without_h1",
        });
        Assert.Contains($"the SSH host key of {h1.Destination} is not in known_hosts", e.Status.Detail);
        Assert.Empty(RemoteStacks.InstalledAgents(h1));
    }

    [Fact]
    public async Task An_agent_that_cannot_be_installed_says_where_and_why_and_a_later_run_installs_it()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        var blocker = Path.Combine(h1.HomeDir, ".pulumi-kvm");
        File.WriteAllText(blocker, "a file where the provider's folder should be");
        var e = await ConfigureFailsAsync(lab, "h1");
        Assert.Contains("cannot install the provider's agent in ~/.pulumi-kvm/bin on h1", e.Status.Detail);
        Assert.Contains(".pulumi-kvm", e.Status.Detail);

        File.Delete(blocker);
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        Assert.Single(RemoteStacks.InstalledAgents(h1));
    }

    /// <summary>A running guest whose firmware ignores ACPI: its graceful shutdown takes the whole timeout.</summary>
    private static ResourceDecl SlowGuest(string name, int shutdownSeconds) =>
        Res(Domain, "g", $$"""{"name": "{{name}}", "type": "qemu", "memoryMib": 128, "vcpus": 1, "machine": "q35", "shutdownTimeoutSeconds": {{shutdownSeconds}}, "interfaces": []}""");

    private static DeleteRequest DeleteOf(Stack stack, string name)
    {
        var r = stack[name];
        return new DeleteRequest { Id = r.Id, Urn = r.Urn, Name = r.Name, Type = r.Type, Properties = r.Outputs, OldInputs = r.Inputs, Timeout = 300 };
    }

    /// <summary>Waits until the agent on the host has received a call of <paramref name="method"/> (its -v=9 trace comes back on the plugin's stderr).</summary>
    private static void WaitForAgentCall(Stack stack, string method) =>
        Poll.Until(() => stack.Provider.Stderr.Contains($": {method}\n", StringComparison.Ordinal) || stack.Provider.Stderr.EndsWith($": {method}", StringComparison.Ordinal),
            TimeSpan.FromMinutes(1), $"the agent to receive {method}", () => stack.Provider.Stderr);

    [Fact]
    public async Task A_session_lost_mid_delete_fails_the_call_the_host_finishes_it_and_refresh_sees_it()
    {
        using var lab = RemoteLab.Create(1, libvirt: true);
        var h1 = lab.Hosts[0];
        await using var stack = await RemoteStacks.StartAsync(lab, "h1", extraArgs: ["-v=9"]);
        (await stack.UpAsync(SlowGuest("slow", shutdownSeconds: 15))).EnsureOk();
        Assert.Equal("running", h1.Libvirtd!.Virsh("domstate", "slow").Trim());

        var delete = stack.Provider.Client.DeleteAsync(DeleteOf(stack, "g")).ResponseAsync;
        WaitForAgentCall(stack, "Delete");
        // The connection dies: the host's end of the session is killed (as a reboot of a router would do it).
        var sessions = RemoteStacks.Processes(h1.Namespace, "sshd: root@notty");
        Assert.NotEmpty(sessions);
        Shell.Check("kill", ["-KILL", .. sessions.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var e = await Assert.ThrowsAsync<RpcException>(() => delete);
        output.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains("the connection to h1 was lost while Delete was running there", e.Status.Detail);
        Assert.Contains("whether it changed the host is unknown", e.Status.Detail);

        // The agent did not stop halfway: it finishes the delete (after the guest's shutdown timeout) and exits.
        Poll.Until(() => !h1.Libvirtd.Virsh("list", "--all", "--name").Contains("slow"), TimeSpan.FromMinutes(2), "the host to finish the delete");
        Poll.Until(() => RemoteStacks.Processes(h1.Namespace, ".pulumi-kvm/bin/").Count == 0, TimeSpan.FromMinutes(1), "the old agent to exit");
        // The next operation opens a new session by itself; the engine still had the resource, refresh drops it.
        var refresh = await stack.RefreshAsync();
        Assert.Equal(StepOp.Delete, refresh["g"].Op);
        Assert.Empty(stack.State);
    }

    [Fact]
    public async Task A_link_that_dies_mid_create_is_noticed_and_the_maybe_created_object_is_tracked()
    {
        using var lab = RemoteLab.Create(1);
        var h1 = lab.Hosts[0];
        h1.Namespace.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        await using var stack = await RemoteStacks.StartAsync(lab, "h1");
        var br = Res(Bridge, "br", """{"name": "br-lost", "ports": ["eth1"]}""");
        var planned = (await stack.PreviewAsync(br)).EnsureOk()["br"];

        // The engine's Create, as `pulumi up` sends it after Check; meanwhile the link goes dead without a word
        // (no reset), and ssh's keep-alive notices within half a minute.
        h1.CutLink();
        var e = await Assert.ThrowsAsync<RpcException>(() => stack.Provider.Client.CreateAsync(new CreateRequest
        {
            Urn = planned.Urn, Name = "br", Type = Bridge, Properties = planned.Inputs, Timeout = 300,
        }).ResponseAsync);
        // Whether the Create reaches the host is open: the kernel still holds it, unsent, and would deliver it
        // when the link comes back. The host's end of the session is ended first, so here it never does.
        Shell.Check("kill", ["-KILL", .. RemoteStacks.Processes(h1.Namespace, "sshd: root@notty").Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        Poll.Until(() => RemoteStacks.Processes(h1.Namespace, ".pulumi-kvm/bin/").Count == 0, TimeSpan.FromMinutes(1), "the old agent to exit");
        h1.RestoreLink();
        // The neighbour entry went stale while the link was down: wait until the host answers again.
        Poll.Until(() => lab.Ssh(h1, "true").ExitCode == 0, TimeSpan.FromMinutes(1), "h1 to answer ssh again");
        output.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
        Assert.Contains("the connection to h1 was lost while Create was running there", e.Status.Detail);
        Assert.Contains("stopped answering", e.Status.Detail);
        Assert.Contains("recorded under id \"br-lost\"", e.Status.Detail);
        // ErrorResourceInitFailed: the engine records the resource under that id, so nothing the host may hold is orphaned.
        var init = Stack.InitFailure(e) ?? throw new Xunit.Sdk.XunitException("no ErrorResourceInitFailed detail");
        Assert.Equal("br-lost", init.Id);
        Assert.Equal("br-lost", init.Properties.Fields["name"].StringValue);

        // Here the Create never reached the host: the engine's next refresh (a new session) finds nothing under that id.
        Assert.Null(h1.Namespace.Link("br-lost"));
        var read = await stack.Provider.Client.ReadAsync(new ReadRequest { Id = init.Id, Urn = planned.Urn, Name = "br", Type = Bridge, Properties = init.Properties, Inputs = init.Inputs });
        Assert.Equal("", read.Id);
        Assert.Equal(StepOp.Create, (await stack.UpAsync(br)).EnsureOk()["br"].Op);
        Assert.NotNull(h1.Namespace.Link("br-lost"));
    }

    [Fact]
    public async Task Cancel_stops_work_in_flight_on_the_host_at_its_next_step_and_leaves_it_whole()
    {
        using var lab = RemoteLab.Create(1, libvirt: true);
        var h1 = lab.Hosts[0];
        await using var stack = await RemoteStacks.StartAsync(lab, "h1", extraArgs: ["-v=9"]);
        (await stack.UpAsync(SlowGuest("busy", shutdownSeconds: 600))).EnsureOk();

        var delete = stack.Provider.Client.DeleteAsync(DeleteOf(stack, "g")).ResponseAsync;
        WaitForAgentCall(stack, "Delete");
        await stack.Provider.Client.CancelAsync(new Empty());
        var e = await Assert.ThrowsAsync<RpcException>(() => delete);
        output.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        Assert.Contains("on h1: Delete was cancelled", e.Status.Detail);
        // Nothing half-done: the guest was asked to shut down but is still defined, and still running.
        Assert.Equal("running", h1.Libvirtd!.Virsh("domstate", "busy").Trim());
        Assert.Contains("cancel", stack.Provider.Stderr);
    }

    [Fact]
    public async Task A_secret_never_reaches_a_command_line_or_a_log_on_either_side()
    {
        const string password = "q7f3c1e9"; // VNC passwords have at most 8 characters
        using var lab = RemoteLab.Create(1, libvirt: true);
        var h1 = lab.Hosts[0];
        await using var stack = await RemoteStacks.StartAsync(lab, "h1", extraArgs: ["-v=9"]);
        var guest = Res(Domain, "g", """
            {"name": "vnc1", "type": "qemu", "memoryMib": 128, "vcpus": 1, "machine": "q35", "shutdownTimeoutSeconds": 0, "interfaces": [],
             "graphics": {"type": "vnc", "listen": "127.0.0.1", "password": {"$secret": "PASSWORD"}}}
            """.Replace("PASSWORD", password, StringComparison.Ordinal));
        (await stack.UpAsync(guest)).EnsureOk();
        Assert.Contains(password, h1.Libvirtd!.Virsh("dumpxml", "--security-info", "vnc1"));

        var everyProcess = new[] { lab.Workstation.Name, h1.Namespace.Name }
            .SelectMany(ns => Shell.Run("ip", "netns", "pids", ns).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => RemoteStacks.CommandLine(int.Parse(p))).ToList();
        Assert.Contains(everyProcess, c => c.Contains("/ssh -T ", StringComparison.Ordinal));
        Assert.True(everyProcess.Any(c => c.Contains(" agent", StringComparison.Ordinal)), string.Join("\n", everyProcess));
        Assert.DoesNotContain(everyProcess, c => c.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(password, stack.Provider.Stderr);
        Assert.DoesNotContain(stack.Engine.Logs, l => l.Message.Contains(password, StringComparison.Ordinal));
        // The state keeps it secret.
        Assert.True(Props.IsSecret(stack["g"].Outputs.Fields["graphics"].StructValue.Fields["password"]));
    }
}

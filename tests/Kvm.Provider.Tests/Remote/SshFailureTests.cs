using Kvm.Provider.Remote;

namespace Kvm.Provider.Tests.Remote;

/// <summary>ssh's own words, turned into a message that names the host and says what to check.</summary>
public class SshFailureTests
{
    private static readonly SshDestination Host = new("root", "kvm1", 2222);

    [Theory]
    [InlineData(255, "ssh: connect to host 10.250.1.2 port 2222: Connection refused", "refused the SSH connection (port 2222)", "sshd runs")]
    [InlineData(255, "ssh: connect to host 10.250.1.2 port 22: Connection timed out", "cannot reach root@kvm1:2222 over SSH", "network")]
    [InlineData(255, "ssh: connect to host 10.250.1.2 port 22: No route to host", "cannot reach", "host is up")]
    [InlineData(255, "ssh: Could not resolve hostname kvm1: Name or service not known", "cannot resolve the host name", "~/.ssh/config")]
    [InlineData(255, "root@10.250.1.2: Permission denied (publickey).", "refused the SSH login", "authorized_keys")]
    [InlineData(255, "No ED25519 host key is known for [10.250.1.2]:2222 and you have requested strict checking.\nHost key verification failed.", "not in known_hosts", "connect once by hand")]
    [InlineData(255, "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nHost key verification failed.", "has changed", "ssh-keygen -R kvm1")]
    [InlineData(255, "Timeout, server 10.250.1.2 not responding.", "stopped answering", "went away")]
    [InlineData(255, "kex_exchange_identification: read: Connection reset by peer", "was closed", "sshd's log")]
    [InlineData(126, "bash: line 1: .pulumi-kvm/bin/x: cannot execute binary file: Exec format error", "cannot run the provider's binary", "x86-64")]
    [InlineData(1, ".pulumi-kvm/bin/x: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by .pulumi-kvm/bin/x)", "C library", "glibc")]
    [InlineData(3, "something odd", "ended with exit code 3", "something odd")]
    public void Each_failure_names_the_host_and_what_to_check(int exitCode, string stderr, string what, string check)
    {
        var message = SshFailure.Describe(Host, exitCode, stderr);
        Assert.Contains("kvm1", message);
        Assert.Contains(what, message);
        Assert.Contains(check, message);
    }

    [Theory]
    [InlineData(127, "sh: 1: .pulumi-kvm/bin/x: not found", true)]
    [InlineData(127, "bash: line 1: .pulumi-kvm/bin/x: No such file or directory", true)]
    [InlineData(126, "bash: line 1: .pulumi-kvm/bin/x: Not a directory", true)]
    [InlineData(126, "bash: line 1: .pulumi-kvm/bin/x: Exec format error", false)]
    [InlineData(255, "Connection refused", false)]
    public void A_missing_agent_is_told_apart_from_a_failure(int exitCode, string stderr, bool missing) =>
        Assert.Equal(missing, SshFailure.IsMissingProgram(exitCode, stderr));

    [Theory]
    [InlineData("6.1.0-27-amd64", null)]
    [InlineData("4.20.0", null)]
    [InlineData("5.4.0-150-generic", null)]
    [InlineData("4.19.0-26-amd64", "4.19.0-26-amd64 is too old")]
    [InlineData("3.10.0-1160.el7.x86_64", "needs 4.20 or later")]
    [InlineData("weird", null)]
    public void Kernels_older_than_strict_netlink_checking_are_refused(string release, string? problem)
    {
        var found = AgentProtocol.KernelProblem(release);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }
}

using Kvm.Provider.Host;
using Kvm.Provider.Remote;

namespace Kvm.Provider.Tests.Remote;

/// <summary>The ssh client's argv: the user's configuration applies, and nothing can prompt, forward or be read as an option.</summary>
public class SshCommandTests
{
    private static readonly string[] Safety =
    [
        "-T", "-x", "-a", "-e", "none",
        "-o", "BatchMode=yes", "-o", "ClearAllForwardings=yes", "-o", "PermitLocalCommand=no",
        "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3",
    ];

    [Fact]
    public void A_plain_alias_leaves_user_port_and_keys_to_the_ssh_config()
    {
        var target = new ProviderConfig { Host = "kvm1" }.Remote!;
        Assert.Equal([.. Safety, "--", "kvm1", ".pulumi-kvm/bin/x", "agent"], SshCommand.Session(target, [".pulumi-kvm/bin/x", "agent"]));
        Assert.Equal([.. Safety, "-s", "--", "kvm1", "sftp"], SshCommand.Sftp(target));
    }

    [Fact]
    public void User_port_and_uri_settings_become_options_before_the_destination()
    {
        var target = new ProviderConfig { Uri = "qemu+ssh://ops@[fd00::5]:2222/system?keyfile=/k/id&known_hosts=/k/kh&no_verify=1" }.Remote!;
        Assert.Equal(
            [.. Safety, "-i", "/k/id", "-o", "UserKnownHostsFile=/k/kh", "-o", "StrictHostKeyChecking=accept-new", "-l", "ops", "-p", "2222", "--", "fd00::5", "cmd"],
            SshCommand.Session(target, ["cmd"]));
    }

    [Fact]
    public void Connection_sharing_options_go_before_the_destination()
    {
        var target = new ProviderConfig { Host = "kvm1" }.Remote!;
        string[] options = ["-o", "ControlMaster=auto", "-o", "ControlPath=/home/u/.pulumi-kvm/ssh/abc", "-o", "ControlPersist=60", "-E", "/home/u/.pulumi-kvm/ssh/abc.log"];
        var sharing = new SshSharing(options, "/home/u/.pulumi-kvm/ssh/abc.log");
        Assert.Equal([.. Safety, .. options, "--", "kvm1", "x"], SshCommand.Session(target, ["x"], sharing));
        Assert.Equal([.. Safety, .. options, "-s", "--", "kvm1", "sftp"], SshCommand.Sftp(target, sharing));
    }

    [Fact]
    public void The_agent_is_named_by_version_and_content_hash_in_a_fixed_folder()
    {
        var binary = new PluginBinary("/x", "0.1.0", "0123456789abcdef" + new string('0', 48));
        Assert.Equal(".pulumi-kvm/bin/pulumi-resource-kvm-0.1.0-0123456789abcdef", binary.RemotePath);
        // Words of the remote command go through the remote user's shell: only characters no shell treats specially.
        Assert.Matches("^[A-Za-z0-9._/-]+$", binary.RemotePath);
    }
}

using Kvm.Provider.Host;
using Kvm.Provider.Remote;

namespace Kvm.Provider.Tests.Remote;

/// <summary>Where a provider configuration acts: this machine, or one remote host, and never a mix.</summary>
[Collection(EnvironmentCollection.Name)]
public class RemoteConfigTests
{
    private static Dictionary<string, string> Failures(ProviderConfig config) =>
        config.Validate().GroupBy(f => f.Property).ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(f => f.Reason)));

    [Fact]
    public void No_host_means_this_machine()
    {
        var config = new ProviderConfig { Uri = "qemu:///system" };
        Assert.Empty(Failures(config));
        Assert.Null(config.Remote);
    }

    [Theory]
    [InlineData("kvm1", null, "kvm1", null)]
    [InlineData("root@kvm1", "root", "kvm1", null)]
    [InlineData("root@10.0.0.5:2222", "root", "10.0.0.5", 2222)]
    [InlineData("ssh://admin@kvm1.example.org:22", "admin", "kvm1.example.org", 22)]
    [InlineData("[fd00::5]:2222", null, "fd00::5", 2222)]
    [InlineData("ops@[fd00::5]", "ops", "fd00::5", null)]
    public void A_host_is_an_ssh_destination(string host, string? user, string name, int? port)
    {
        var config = new ProviderConfig { Host = host };
        Assert.Empty(Failures(config));
        Assert.Equal(new SshDestination(user, name, port), config.Remote!.Destination);
        Assert.Equal(host.Replace("ssh://", ""), config.Remote.Destination.ToString());
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("-oProxyCommand=x", "neither a host name")]
    [InlineData("root@kvm1 extra", "spaces")]
    [InlineData("ro ot@kvm1", "spaces")]
    [InlineData("-l@kvm1", "not a login name")]
    [InlineData("kvm1:0", "outside 1-65535")]
    [InlineData("kvm1:70000", "outside 1-65535")]
    [InlineData("kvm1:ssh", "outside 1-65535")]
    [InlineData("fd00::5", "several ':'")]
    [InlineData("[kvm1]:22", "not an IPv6 address")]
    [InlineData("[fd00::5", "never closes")]
    [InlineData("kvm;1", "neither a host name")]
    [InlineData("kvm1\u0001", "control characters")]
    public void A_bad_host_is_refused_naming_the_key(string host, string reason)
    {
        var failures = Failures(new ProviderConfig { Host = host });
        Assert.Contains(reason, failures["host"]);
    }

    [Fact]
    public void A_qemu_ssh_uri_names_the_host_by_itself()
    {
        var config = new ProviderConfig { Uri = "qemu+ssh://root@kvm1:2222/system?keyfile=/keys/id_kvm&known_hosts=/keys/known&no_verify=1&socket=/run/libvirt/libvirt-sock" };
        Assert.Empty(Failures(config));
        var remote = config.Remote!;
        Assert.Equal(new SshDestination("root", "kvm1", 2222), remote.Destination);
        Assert.Equal(new SshOptions("/keys/id_kvm", "/keys/known", AcceptNewHostKeys: true, ControlPersistSeconds: ProviderConfig.DefaultSshControlPersist), remote.Ssh);
        // On the host, libvirt is local: the transport and its parameters stay here, the socket goes there.
        Assert.Equal("qemu:///system?socket=%2Frun%2Flibvirt%2Flibvirt-sock", remote.OnHost.Uri);
    }

    [Fact]
    public void The_connection_stays_open_a_minute_for_the_next_command_unless_told_otherwise()
    {
        Assert.Equal(60, new ProviderConfig { Host = "kvm1" }.Remote!.Ssh.ControlPersistSeconds);
        Assert.Equal(0, new ProviderConfig { Host = "kvm1", SshControlPersist = 0 }.Remote!.Ssh.ControlPersistSeconds);
        Assert.Equal(600, new ProviderConfig { Uri = "qemu+ssh://kvm1/system", SshControlPersist = 600 }.Remote!.Ssh.ControlPersistSeconds);
    }

    [Fact]
    public void With_a_host_a_local_uri_is_opened_on_that_host()
    {
        var config = new ProviderConfig { Host = "root@kvm1", Uri = "qemu:///system", HostNetns = "tenant1", LibvirtHooksDir = "/srv/hooks", PersistDir = "/var/lib/kvm", OvsdbSocket = "/var/run/ovs/db.sock" };
        Assert.Empty(Failures(config));
        Assert.Equal(new ProviderConfig { Uri = "qemu:///system", Netns = "tenant1", LibvirtHooksDir = "/srv/hooks", PersistDir = "/var/lib/kvm", OvsdbSocket = "/var/run/ovs/db.sock" }, config.Remote!.OnHost);
        // Unset stays unset: the host's own default applies there.
        Assert.Null(new ProviderConfig { Host = "kvm1" }.Remote!.OnHost.Uri);
    }

    [Fact]
    public void The_host_and_a_qemu_ssh_uri_may_say_the_same_thing()
    {
        Assert.Empty(Failures(new ProviderConfig { Host = "root@kvm1", Uri = "qemu+ssh://kvm1/system" }));
        var clash = Failures(new ProviderConfig { Host = "root@kvm1", Uri = "qemu+ssh://root@kvm2/system" });
        Assert.Contains("names the host root@kvm2, but host is root@kvm1", clash["uri"]);
    }

    [Theory]
    [InlineData("qemu+tcp://kvm1/system")]
    [InlineData("qemu://kvm1/system")]
    [InlineData("qemu+tls://kvm1/system")]
    [InlineData("qemu+ext:///system?command=/bin/x")]
    public void Remote_libvirt_without_ssh_would_split_the_work_and_is_refused(string uri)
    {
        var failures = Failures(new ProviderConfig { Uri = uri });
        Assert.Contains("bridges and VLANs would be programmed on this one", failures["uri"]);
        Assert.Contains("qemu+ssh://", failures["uri"]);
        var withHost = Failures(new ProviderConfig { Uri = uri, Host = "kvm1" });
        Assert.Contains("with host set, write the uri as the host sees it", withHost["uri"]);
    }

    [Fact]
    public void A_libvirt_ssh_setting_the_provider_does_not_use_is_refused()
    {
        var failures = Failures(new ProviderConfig { Uri = "qemu+ssh://root@kvm1/system?netcat=/bin/nc" });
        Assert.Contains("?netcat=", failures["uri"]);
        Assert.Contains("~/.ssh/config", failures["uri"]);
    }

    [Fact]
    public void An_ssh_path_with_a_space_is_refused()
    {
        Assert.Contains("keyfile path with a space", Failures(new ProviderConfig { Uri = "qemu+ssh://kvm1/system?keyfile=/my%20keys/id" })["uri"]);
    }

    [Fact]
    public void Netns_with_a_host_must_say_whose_namespace_it_is()
    {
        var failures = Failures(new ProviderConfig { Host = "kvm1", Netns = "lab1" });
        Assert.Contains("hostNetns", failures["netns"]);
        Assert.Contains("kvm1", failures["netns"]);
        var viaUri = Failures(new ProviderConfig { Uri = "qemu+ssh://kvm1/system", Netns = "lab1" });
        Assert.Contains("hostNetns", viaUri["netns"]);
    }

    [Fact]
    public void HostNetns_without_a_host_is_refused()
    {
        var failures = Failures(new ProviderConfig { HostNetns = "lab1" });
        Assert.Contains("no host is set", failures["hostNetns"]);
        Assert.Contains("netns", failures["hostNetns"]);
    }

    [Fact]
    public void HostNetns_is_checked_for_form_here_and_for_existence_on_the_host()
    {
        Assert.Contains("neither a namespace name", Failures(new ProviderConfig { Host = "kvm1", HostNetns = "a b" })["hostNetns"]);
        Assert.Empty(Failures(new ProviderConfig { Host = "kvm1", HostNetns = "no-such-namespace-here" }));
        // On the host (the agent), the same setting arrives as netns and is named as the user wrote it.
        var onHost = new ProviderConfig { Netns = "no-such-namespace-xyz" }.Validate(onRemoteHost: true).ToList();
        Assert.Equal("hostNetns", Assert.Single(onHost).Property);
    }

    [Fact]
    public void The_environment_uri_counts_like_the_uri_key()
    {
        var saved = Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI");
        try
        {
            Environment.SetEnvironmentVariable("LIBVIRT_DEFAULT_URI", "qemu+ssh://root@kvm9/system");
            Assert.Equal(new SshDestination("root", "kvm9", null), new ProviderConfig().Remote!.Destination);
            Environment.SetEnvironmentVariable("LIBVIRT_DEFAULT_URI", "qemu+tcp://kvm9/system");
            Assert.Contains("LIBVIRT_DEFAULT_URI", Failures(new ProviderConfig())["host"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LIBVIRT_DEFAULT_URI", saved);
        }
    }

    [Theory]
    [InlineData("192.168.0.1", "192.168.0.1:22")]
    [InlineData("192.168.0.1:443", "192.168.0.1:443")]
    [InlineData("[fd00::1]:22", "[fd00::1]:22")]
    public void A_reachability_probe_is_an_address_and_a_port_22_by_default(string probe, string target)
    {
        Assert.Empty(new ProviderConfig { ReachabilityProbe = probe }.Validate());
        Assert.True(TcpProbe.TryParse(probe, out var endpoint));
        Assert.Equal(target, endpoint.ToString());
    }

    [Fact]
    public void A_reachability_probe_is_refused_when_it_is_no_address_or_the_host_is_remote()
    {
        Assert.Contains("is not ADDRESS[:PORT]", Assert.Single(new ProviderConfig { ReachabilityProbe = "gateway" }.Validate(), f => f.Property == "reachabilityProbe").Reason);
        Assert.Contains("confirmed over the provider's own SSH session", Assert.Single(new ProviderConfig { Host = "kvm1", ReachabilityProbe = "10.0.0.1" }.Validate(), f => f.Property == "reachabilityProbe").Reason);
    }

    [Fact]
    public void The_agent_on_the_host_gets_the_confirmation_timeout_it_rolls_back_by()
    {
        Assert.Equal(5, new ProviderConfig { Host = "kvm1", ConfirmTimeoutSeconds = 5 }.Remote!.OnHost.ConfirmTimeoutSeconds);
    }
}

/// <summary>Tests that set process environment variables run alone: the others read them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";

    [Theory]
    [InlineData("db.sock", "\"db.sock\" is not an absolute path")]
    [InlineData("/run/ovs\n/db.sock", "must not contain control characters")]
    public void The_ovsdb_socket_must_be_an_absolute_path(string value, string reason)
    {
        var failure = Assert.Single(new ProviderConfig { OvsdbSocket = value }.Validate());
        Assert.Equal(("ovsdbSocket", reason), (failure.Property, failure.Reason));
        Assert.Equal("/run/openvswitch/db.sock", new ProviderConfig().EffectiveOvsdbSocket);
    }
}

namespace Kvm.Provider.Remote;

/// <summary>Where and how ssh reaches a host; the provider's configuration (Host.RemoteTarget) adds what runs there.</summary>
internal interface ISshTarget
{
    SshDestination Destination { get; }
    SshOptions Ssh { get; }
}

/// <summary>SSH settings taken from a qemu+ssh URI's parameters and the provider's sshControlPersist; everything else comes from the user's ssh configuration.</summary>
internal sealed record SshOptions(string? IdentityFile = null, string? KnownHostsFile = null, bool AcceptNewHostKeys = false, int ControlPersistSeconds = 0);

using Kvm.Provider.Remote;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Host;

/// <summary>The provider's configuration (`kvm:uri`, `kvm:host`, ... in Pulumi config).</summary>
internal sealed partial record ProviderConfig
{
    public const string DefaultUri = "qemu:///system";

    /// <summary>The provider type's description in the schema (and so in the SDK and docs/installation-configuration.md).</summary>
    public const string Description = """
        The provider type for the kvm package: which KVM host it manages (the machine running Pulumi, or a remote `host` reached over SSH), which libvirt daemon there, and which network namespace.

        ## Remote hosts

        Set `host` (or a `qemu+ssh://` `uri`) and every resource of the provider lives on that host: bridges, VLAN tables, libvirt networks and domains, guest VLANs and the qemu hook; `preview`, `up`, `refresh`, `import` and `destroy` behave exactly as on the machine running Pulumi, and nothing touches that machine's own networking. The plugin starts `ssh HOST .pulumi-kvm/bin/pulumi-resource-kvm-VERSION-HASH agent` with the system's OpenSSH client and sends every operation over that one session; the agent is the provider's own binary, acting on the host's kernel (rtnetlink) and libvirt as the provider does locally. ssh runs with BatchMode (it never prompts), so your `~/.ssh/config`, ssh-agent, keys, jump hosts and known_hosts apply, and a host key that is unknown or changed is an error. The connection stays open for `sshControlPersist` seconds (60) after the plugin exits, so the next `pulumi` command reuses it instead of logging in again (OpenSSH's ControlMaster, its socket and log in `~/.pulumi-kvm/ssh/`; your own ssh configuration's sharing takes precedence). When the agent is missing on the host or of another version, the plugin installs it: it uploads its own binary through the host's sftp subsystem into `~/.pulumi-kvm/bin/` of the remote user, checks that the copy runs and has the same SHA-256, and renames it into place. Nothing else is run or written on the host beyond what the resources do (the qemu hook in `libvirtHooksDir`).

        The remote user needs: an SSH login by key without prompts, with the host's key in known_hosts; the sftp subsystem (part of Debian's openssh-server); a home folder where it may write and run `~/.pulumi-kvm/bin/`; and the rights the resources use there: CAP_NET_ADMIN in the network namespace (bridges, VLANs), libvirt's system socket (root, or the libvirt group), and write access to `libvirtHooksDir`. In practice: root. The host must be x86-64 Linux with kernel 4.20 or later.

        Several hosts in one program: one explicit `Kvm.Provider` per host, passed to each resource with `new CustomResourceOptions { Provider = ... }`.
        """;

    [Input("uri", "The libvirt connection URI, e.g. `qemu:///system`. With `host` set it is opened on that host (`qemu:///system` there). A `qemu+ssh://[user@]host[:port]/system` URI names the host by itself (as if `host` were set; its `keyfile`, `known_hosts` and `no_verify` parameters apply to the SSH connection). Defaults to the `LIBVIRT_DEFAULT_URI` environment variable, else `qemu:///system`.", MaxLength = 1024, ReplaceOnChanges = true)]
    public string? Uri { get; init; }

    [Input("host", "The KVM host to manage, as an OpenSSH destination `[user@]host[:port]`: a host name, an address or an alias of your `~/.ssh/config`. Every operation of every resource then happens on that host: the provider runs its own binary there through the system's `ssh` client (so your ssh configuration, agent, keys, jump hosts and known_hosts apply; it never prompts), and installs that binary into `~/.pulumi-kvm/bin/` of the remote user when it is missing or of another version. The remote user must be root, or may create bridges (CAP_NET_ADMIN), use libvirt's system socket and write `libvirtHooksDir`. Unset: the machine running Pulumi, unless `uri` is a `qemu+ssh://` URI.", MaxLength = 1024, ReplaceOnChanges = true)]
    public string? Host { get; init; }

    [Input("netns", "The network namespace in which bridges and VLANs are managed, on the machine running Pulumi: a name under /run/netns or an absolute path to a namespace file. Defaults to the provider's own namespace. With a remote `host`, use `hostNetns`.", MaxLength = 1024, ReplaceOnChanges = true)]
    public string? Netns { get; init; }

    [Input("hostNetns", "A network namespace on the remote `host` in which bridges and VLANs are managed: a name under /run/netns there or an absolute path to a namespace file there. Defaults to the namespace the remote user's SSH sessions run in.", MaxLength = 1024, ReplaceOnChanges = true)]
    public string? HostNetns { get; init; }

    public const int DefaultSshControlPersist = 60;

    [Input("sshControlPersist", "With a remote `host`: how many seconds the SSH connection to it stays open after the plugin exits, so the next `pulumi` command reuses it instead of logging in again (OpenSSH's ControlMaster/ControlPersist; its socket and log are in ~/.pulumi-kvm/ssh/). 0 closes the connection with the plugin. When your ssh configuration sets up connection sharing for the host itself, yours applies and this is not used. Defaults to 60.", Min = 0, Max = 86400)]
    public int? SshControlPersist { get; init; }

    public const string DefaultHooksDir = "/etc/libvirt/hooks";

    [Input("libvirtHooksDir", "The folder of libvirt's hook scripts on the KVM host (the remote `host` when set), where the provider installs its qemu hook that re-applies guest VLANs on Linux bridges when libvirt starts a guest (only when a Domain needs it). Defaults to /etc/libvirt/hooks.", MaxLength = 4096)]
    public string? LibvirtHooksDir { get; init; }

    public const int DefaultConfirmTimeoutSeconds = 30;

    [Input("confirmTimeoutSeconds", "A change to the links that carry the host's default route or the address the provider's SSH session comes in on (a bridge taking over the uplink, say) is checkpointed first and must then be confirmed: over that SSH session for a remote `host`, else by `reachabilityProbe`. Without a confirmation within this many seconds the host rolls the change back by itself and the update fails saying so. Defaults to 30.", Min = 1, Max = 3600)]
    public int? ConfirmTimeoutSeconds { get; init; }

    [Input("reachabilityProbe", "On the machine running Pulumi (no `host`): what must still answer after a change to the links carrying its default route, as `ADDRESS[:PORT]` (port 22 when left out), e.g. the gateway or the CI runner's address. A TCP connection is tried from the managed namespace; any answer counts, a refusal too. Unset: such a change is checkpointed and rolled back if it fails half-way, but not confirmed.", MaxLength = 64)]
    public string? ReachabilityProbe { get; init; }

    [Input("persistDir", "A folder on the KVM host (the remote `host` when set) where the provider keeps the desired state of the host networking it manages, so that it survives a reboot of the host: `desired-state.json` there lists, per network namespace, every Bridge (its inputs as applied: settings, ports, port options, addresses, gateways, routes), OvsBridge (whose internal ports' up, addresses and routes restore puts back; Open vSwitch keeps the rest in its own database) and VlanFilter of the stack, kept in step by create, update, import and delete. At boot, `pulumi-resource-kvm restore --state DIR/desired-state.json` re-applies it with the provider's own netlink code, before libvirtd starts the autostart guests: the provider installs and enables a systemd unit for that (`pulumi-kvm-restore@.service` in `systemdUnitDir`, one instance per persistDir) that runs a copy of its binary kept in this folder, and removes them when the last entry is deleted. A refresh warns when the file no longer holds what the stack applied, and the next `up` rewrites it. Guests' VLANs on Linux bridges come back with the guests: the qemu hook re-applies them when libvirt starts each one. Unset: nothing is persisted, and what the provider made is gone after a reboot until the next `pulumi up`.", MaxLength = 4096)]
    public string? PersistDir { get; init; }

    public const string DefaultOvsdbSocket = "/run/openvswitch/db.sock";

    [Input("ovsdbSocket", "The unix socket of Open vSwitch's database server (ovsdb-server) on the KVM host (the remote `host` when set), which OvsBridge resources speak OVSDB's JSON-RPC (RFC 7047) to. Defaults to /run/openvswitch/db.sock.", MaxLength = 4096)]
    public string? OvsdbSocket { get; init; }

    /// <summary>The OVSDB socket actually used.</summary>
    public string EffectiveOvsdbSocket => OvsdbSocket ?? DefaultOvsdbSocket;

    public const string DefaultSystemdUnitDir = "/etc/systemd/system";

    [Input("systemdUnitDir", "With `persistDir`: the folder on the KVM host where the provider installs and enables the systemd unit that re-applies the persisted host networking at boot (`pulumi-kvm-restore@.service`, one instance per persistDir, enabled through a symlink in multi-user.target.wants). Defaults to /etc/systemd/system. When the folder does not exist (a host without systemd), no unit is installed and the preview says so: run `restore` from the host's own boot scripts.", MaxLength = 4096)]
    public string? SystemdUnitDir { get; init; }

    [Input("hostRoot", "The root folder under which the provider reads the host's own network configuration to tell which links NetworkManager, systemd-networkd or ifupdown manage (etc/network/interfaces, etc/systemd/network, etc/NetworkManager and their state under run/). Defaults to / when the provider works in the host's own namespace; with `netns`/`hostNetns` nothing is looked at unless this is set (those managers act in the host's main namespace), e.g. to a container's root whose namespace `netns` names.", MaxLength = 4096)]
    public string? HostRoot { get; init; }

    /// <summary>The hooks folder actually used.</summary>
    public string EffectiveHooksDir => LibvirtHooksDir ?? DefaultHooksDir;

    /// <summary>The systemd unit folder actually used.</summary>
    public string EffectiveSystemdUnitDir => SystemdUnitDir ?? DefaultSystemdUnitDir;

    /// <summary>
    /// Where the host's network managers' files are read from: hostRoot, else / in the provider's own namespace,
    /// else nowhere (null): NetworkManager, networkd and ifupdown manage the host's main namespace, and a link of
    /// another namespace that shares a name or an ifindex with one of theirs is not theirs.
    /// </summary>
    public string? EffectiveHostRoot => HostRoot ?? (Netns is null ? "/" : null);

    /// <summary>The URI actually used: configured, else from the environment, else the system daemon.</summary>
    public string EffectiveUri => Uri ?? EnvironmentUri ?? DefaultUri;

    private static string? EnvironmentUri => Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI") is { Length: > 0 } env ? env : null;

    /// <summary>The config key (or environment variable) the effective URI came from, for messages.</summary>
    private string UriSource => Uri is not null ? "uri" : "LIBVIRT_DEFAULT_URI";

    /// <summary>The namespace file to enter, or null to stay in the provider's own namespace.</summary>
    public string? NetnsPath => NamespacePath(Netns);

    private static string? NamespacePath(string? ns) => ns switch
    {
        null or "" => null,
        var p when p.StartsWith('/') => p,
        var name => $"/run/netns/{name}",
    };

    /// <summary>URI parameters that still mean something on the host itself (the rest configure libvirt's own transport).</summary>
    private static readonly HashSet<string> OnHostParameters = ["socket", "mode"];

    /// <summary>URI parameters of libvirt's SSH transport that the provider's own SSH connection honours.</summary>
    private static readonly HashSet<string> SshParameters = ["keyfile", "known_hosts", "no_verify", "no_tty"];

    /// <summary>The remote host this configuration manages and how to reach it; null for the machine running Pulumi. Only meaningful once <see cref="Validate"/> found nothing.</summary>
    public RemoteTarget? Remote => Resolve(failures: null);

    /// <param name="onRemoteHost">
    /// The configuration is the one the plugin's agent runs with on a remote host (see <see cref="RemoteTarget.OnHost"/>):
    /// its netns is what the user set as hostNetns, and failures say so.
    /// </param>
    public IEnumerable<CheckFailure> Validate(bool onRemoteHost = false)
    {
        var failures = new List<CheckFailure>();
        if (Uri is not null && LibvirtUri.TryParse(Uri) is null)
            failures.Add(new CheckFailure("uri", $"\"{Uri}\" is not a libvirt URI (expected driver[+transport]://[host]/path, e.g. qemu:///system)"));
        var remote = Resolve(failures);
        // A host named at all (even one refused above) means the user does not want this machine.
        var elsewhere = remote?.Destination.ToString() ?? Host;
        if (elsewhere is not null && Netns is not null)
            failures.Add(new CheckFailure("netns",
                $"names a namespace of the machine running Pulumi, but everything happens on the host {elsewhere}; to work inside a namespace of that host set hostNetns instead"));
        if (remote is null && HostNetns is not null && !failures.Any(f => f.Property is "host" or "uri"))
            failures.Add(new CheckFailure("hostNetns", "is a namespace of the remote host, but no host is set (host, or a qemu+ssh:// uri); for a namespace of this machine use netns"));
        if (NamespaceProblem("hostNetns", HostNetns, checkExists: false) is { } badHostNs) failures.Add(badHostNs);
        if (NamespaceProblem(onRemoteHost ? "hostNetns" : "netns", Netns, checkExists: elsewhere is null) is { } badNs) failures.Add(badNs);
        if (LibvirtHooksDir is { } hooks && !Path.IsPathFullyQualified(hooks))
            failures.Add(new CheckFailure("libvirtHooksDir", $"\"{hooks}\" is not an absolute path"));
        if (OvsdbSocket is { } socket)
        {
            if (socket.Any(char.IsControl))
                failures.Add(new CheckFailure("ovsdbSocket", "must not contain control characters"));
            else if (!Path.IsPathFullyQualified(socket))
                failures.Add(new CheckFailure("ovsdbSocket", $"\"{socket}\" is not an absolute path"));
        }
        if (PersistDir is { } persist)
        {
            if (persist.Any(char.IsControl))
                failures.Add(new CheckFailure("persistDir", "must not contain control characters"));
            else if (!Path.IsPathFullyQualified(persist))
                failures.Add(new CheckFailure("persistDir", $"\"{persist}\" is not an absolute path"));
            else if (persist.Any(char.IsWhiteSpace))
                failures.Add(new CheckFailure("persistDir", $"\"{persist}\" contains whitespace, which the boot unit's command line and RequiresMountsFor= would split"));
            else if (persist.Split('/').Any(part => part is "." or ".."))
                failures.Add(new CheckFailure("persistDir", $"\"{persist}\" is not normalized (a \".\" or \"..\" part): the boot unit is named after the folder, so write it as it is"));
        }
        foreach (var (key, dir) in new[] { ("systemdUnitDir", SystemdUnitDir), ("hostRoot", HostRoot) })
        {
            if (dir is null) continue;
            if (dir.Any(char.IsControl)) failures.Add(new CheckFailure(key, "must not contain control characters"));
            else if (!Path.IsPathFullyQualified(dir)) failures.Add(new CheckFailure(key, $"\"{dir}\" is not an absolute path"));
        }
        if (ReachabilityProbe is { } probe)
        {
            if (!TcpProbe.TryParse(probe, out _))
                failures.Add(new CheckFailure("reachabilityProbe", $"\"{probe}\" is not ADDRESS[:PORT] (e.g. 192.168.0.1 or 192.168.0.1:22, [fd00::1]:22)"));
            else if (elsewhere is not null && !onRemoteHost)
                failures.Add(new CheckFailure("reachabilityProbe", $"is for the machine running Pulumi; a change on the host {elsewhere} is confirmed over the provider's own SSH session"));
        }
        return failures;
    }

    private static CheckFailure? NamespaceProblem(string key, string? ns, bool checkExists)
    {
        if (ns is null) return null;
        if (ns.Length == 0)
            return new CheckFailure(key, "must not be empty; leave it unset to use the provider's own namespace");
        if (ns.Any(char.IsControl))
            return new CheckFailure(key, "must not contain control characters");
        if (!ns.StartsWith('/') && ns.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            return new CheckFailure(key, $"\"{ns}\" is neither a namespace name (letters, digits, '-', '_', '.') nor an absolute path");
        if (checkExists && !File.Exists(NamespacePath(ns)))
            return new CheckFailure(key, $"no network namespace at {NamespacePath(ns)}");
        return null;
    }

    /// <summary>
    /// Decides where the provider acts. A host comes from <see cref="Host"/> or from an SSH libvirt URI;
    /// a URI that reaches another machine any other way would split the work (libvirt there, bridges
    /// here) and is refused, as is a URI that names a host other than <see cref="Host"/>.
    /// </summary>
    private RemoteTarget? Resolve(List<CheckFailure>? failures)
    {
        SshDestination? destination = null;
        if (Host is not null)
        {
            destination = SshDestination.TryParse(Host, out var error);
            if (destination is null)
            {
                failures?.Add(new CheckFailure("host", $"\"{Host}\" is not an SSH destination [user@]host[:port]: it {error}"));
                return null;
            }
        }

        var uri = LibvirtUri.TryParse(EffectiveUri);
        var persist = SshControlPersist ?? DefaultSshControlPersist;
        if (uri is null) return destination is null ? null : new RemoteTarget(destination, new SshOptions(ControlPersistSeconds: persist), OnHostConfig(null));
        var source = UriSource;
        if (!uri.IsRemote) return destination is null ? null : new RemoteTarget(destination, new SshOptions(ControlPersistSeconds: persist), OnHostConfig(uri.OnHost(OnHostParameters)));

        if (!uri.IsSsh || string.IsNullOrEmpty(uri.Host))
        {
            failures?.Add(new CheckFailure(source == "uri" ? "uri" : "host", destination is null
                ? $"libvirt at {EffectiveUri} ({source}) is on another machine, but bridges and VLANs would be programmed on this one; reach the KVM host over SSH instead: set host (e.g. root@kvm1) with a local uri such as qemu:///system, or write the uri as qemu+ssh://root@kvm1/system"
                : $"libvirt at {EffectiveUri} ({source}) is reached another way than the host {destination}; with host set, write the uri as the host sees it (e.g. qemu:///system)"));
            return null;
        }

        var fromUri = new SshDestination(uri.User, uri.Host, uri.Port);
        if (destination is not null && !SameHost(destination, fromUri))
        {
            failures?.Add(new CheckFailure(source == "uri" ? "uri" : "host",
                $"{EffectiveUri} ({source}) names the host {fromUri}, but host is {destination}; set one of them, or make them name the same host"));
            return null;
        }
        var unsupported = uri.Parameters.Select(p => p.Key).Where(k => !OnHostParameters.Contains(k) && !SshParameters.Contains(k)).Distinct().ToList();
        if (unsupported.Count > 0)
        {
            failures?.Add(new CheckFailure(source == "uri" ? "uri" : "host",
                $"{EffectiveUri} ({source}) has {string.Join(", ", unsupported.Select(k => $"?{k}="))}, a setting of libvirt's own SSH transport that the provider's SSH connection does not use; configure it in ~/.ssh/config instead"));
            return null;
        }
        if (uri.Parameters.Where(p => SshParameters.Contains(p.Key)).FirstOrDefault(p => p.Value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) is { Key: { } spaced })
        {
            // ssh reads -o values as config lines, where a space separates several files.
            failures?.Add(new CheckFailure(source == "uri" ? "uri" : "host", $"{EffectiveUri} ({source}) has a {spaced} path with a space or control character, which ssh cannot take"));
            return null;
        }
        var ssh = new SshOptions(
            IdentityFile: uri.Parameter("keyfile") is { Length: > 0 } key ? key : null,
            KnownHostsFile: uri.Parameter("known_hosts") is { Length: > 0 } kh ? kh : null,
            AcceptNewHostKeys: uri.Parameter("no_verify") is { Length: > 0 } nv && nv != "0",
            ControlPersistSeconds: persist);
        return new RemoteTarget(destination ?? fromUri, ssh, OnHostConfig(uri.OnHost(OnHostParameters)));
    }

    private static bool SameHost(SshDestination a, SshDestination b) =>
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && (a.User is null || b.User is null || a.User == b.User)
        && (a.Port is null || b.Port is null || a.Port == b.Port);

    /// <summary>The configuration the plugin on the host runs with: the same settings, seen from there.</summary>
    private ProviderConfig OnHostConfig(string? onHostUri) => new()
    {
        Uri = Uri is null && EnvironmentUri is null ? null : onHostUri,
        Netns = HostNetns,
        LibvirtHooksDir = LibvirtHooksDir,
        // The agent opens the host's own ovsdb-server socket, as it opens the host's netlink and libvirt.
        OvsdbSocket = OvsdbSocket,
        // Resources run in the agent, so the desired state is kept on the host they act on.
        PersistDir = PersistDir,
        SystemdUnitDir = SystemdUnitDir,
        HostRoot = HostRoot,
        // The agent confirms its changes over the session and rolls them back by itself: it needs the timeout.
        ConfirmTimeoutSeconds = ConfirmTimeoutSeconds,
    };
}

/// <summary>A remote KVM host: where to reach it, how, and the configuration the plugin runs with there.</summary>
internal sealed record RemoteTarget(SshDestination Destination, SshOptions Ssh, ProviderConfig OnHost) : ISshTarget;

using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Host;

/// <summary>The provider's configuration (`kvm:uri`, `kvm:netns` in Pulumi config).</summary>
public sealed record ProviderConfig
{
    public const string DefaultUri = "qemu:///system";

    [Input("uri", "The libvirt connection URI, e.g. `qemu:///system` or `qemu+ssh://root@host/system`. Defaults to the `LIBVIRT_DEFAULT_URI` environment variable, else `qemu:///system`.", MaxLength = 1024, ReplaceOnChanges = true)]
    public string? Uri { get; init; }

    [Input("netns", "The network namespace in which bridges and VLANs are managed: a name under /run/netns or an absolute path to a namespace file. Defaults to the provider's own namespace.", MaxLength = 1024, ReplaceOnChanges = true)]
    public string? Netns { get; init; }

    public const string DefaultHooksDir = "/etc/libvirt/hooks";

    [Input("libvirtHooksDir", "The folder of libvirt's hook scripts on this host, where the provider installs its qemu hook that re-applies guest VLANs on Linux bridges when libvirt starts a guest (only for a local libvirt, and only when a Domain needs it). Defaults to /etc/libvirt/hooks.", MaxLength = 4096)]
    public string? LibvirtHooksDir { get; init; }

    /// <summary>The hooks folder actually used.</summary>
    public string EffectiveHooksDir => LibvirtHooksDir ?? DefaultHooksDir;

    /// <summary>The URI actually used: configured, else from the environment, else the system daemon.</summary>
    public string EffectiveUri => Uri ?? (Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI") is { Length: > 0 } env ? env : DefaultUri);

    /// <summary>The namespace file to enter, or null to stay in the provider's own namespace.</summary>
    public string? NetnsPath => Netns switch
    {
        null or "" => null,
        var p when p.StartsWith('/') => p,
        var name => $"/run/netns/{name}",
    };

    public IEnumerable<CheckFailure> Validate()
    {
        if (Uri is not null && !LooksLikeLibvirtUri(Uri))
            yield return new CheckFailure("uri", $"\"{Uri}\" is not a libvirt URI (expected driver[+transport]://[host]/path, e.g. qemu:///system)");
        if (Netns is { } ns)
        {
            if (ns.Length == 0)
                yield return new CheckFailure("netns", "must not be empty; leave it unset to use the provider's own namespace");
            else if (!ns.StartsWith('/') && ns.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                yield return new CheckFailure("netns", $"\"{ns}\" is neither a namespace name (letters, digits, '-', '_', '.') nor an absolute path");
            else if (!File.Exists(NetnsPath))
                yield return new CheckFailure("netns", $"no network namespace at {NetnsPath}");
        }
        if (LibvirtHooksDir is { } hooks && !Path.IsPathFullyQualified(hooks))
            yield return new CheckFailure("libvirtHooksDir", $"\"{hooks}\" is not an absolute path");
    }

    private static bool LooksLikeLibvirtUri(string uri)
    {
        var sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) return false;
        var scheme = uri[..sep];
        return scheme.All(c => char.IsAsciiLetterOrDigit(c) || c == '+') && char.IsAsciiLetter(scheme[0])
            && !uri.Any(char.IsWhiteSpace);
    }
}

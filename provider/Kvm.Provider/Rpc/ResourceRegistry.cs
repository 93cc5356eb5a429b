using Grpc.Core;
using Kvm.Provider.Resources;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Rpc;

/// <summary>The resources this provider serves, by type token, and the schema derived from them.</summary>
internal sealed class ResourceRegistry(IEnumerable<IResource> resources)
{
    private readonly Dictionary<string, IResource> _byToken = resources.ToDictionary(r => r.Token, StringComparer.Ordinal);
    private readonly Lazy<string> _schema = new(() => SchemaBuilder.Build(resources.OrderBy(r => r.Token, StringComparer.Ordinal)));

    public IReadOnlyCollection<IResource> All => _byToken.Values;

    public string SchemaJson => _schema.Value;

    /// <summary>The resource named by the request's type, or by the type part of its URN (older engines send only the URN).</summary>
    public IResource Resolve(string type, string urn)
    {
        var token = type.Length > 0 ? type : TypeFromUrn(urn);
        if (token.Length == 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the request names no resource type (both type and urn are empty)"));
        if (_byToken.TryGetValue(token, out var resource)) return resource;
        throw new RpcException(new Status(StatusCode.InvalidArgument,
            $"unknown resource type \"{(token.Length > 200 ? token[..200] + "..." : token)}\"; the kvm provider manages {string.Join(", ", _byToken.Keys.Order(StringComparer.Ordinal))}"));
    }

    /// <summary>urn:pulumi:stack::project::parent$type::name: the type is the last $-part of the third segment.</summary>
    public static string TypeFromUrn(string urn)
    {
        var parts = urn.Split("::");
        if (parts.Length < 4 || !parts[0].StartsWith("urn:pulumi:", StringComparison.Ordinal)) return "";
        var qualified = parts[2];
        var dollar = qualified.LastIndexOf('$');
        return dollar >= 0 ? qualified[(dollar + 1)..] : qualified;
    }
}

using System.Collections.Concurrent;

namespace Kvm.Provider.Host;

/// <summary>
/// What the running program has declared so far, as seen by Check: one provider process serves a
/// whole deployment, and the engine checks a resource before the ones that depend on it. So a
/// VlanFilter's Check can see that the Bridge it names is declared with vlanFiltering false, and a
/// Domain's Check that the network its NIC names is declared by the same program.
/// </summary>
internal sealed class DeclaredResources
{
    private readonly ConcurrentDictionary<(string Token, string HostName), object> _declared = new();

    public void Record(string token, string hostName, object args) => _declared[(token, hostName)] = args;

    /// <summary>The last checked inputs of the resource of this type that manages the named host object, if the program declares one.</summary>
    public TArgs? Find<TArgs>(string token, string hostName) where TArgs : class =>
        _declared.TryGetValue((token, hostName), out var args) ? args as TArgs : null;
}

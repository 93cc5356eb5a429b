using Kvm.Provider.Host;

namespace Kvm.Provider.Tests.Layout;

/// <summary>
/// The plugin's namespaces form layers: a namespace may use those below it, never one that uses it
/// back, so each can be read (and changed) knowing only what is under it. DEVELOPERS.md shows the layers.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly NamespaceDependencies Plugin = NamespaceDependencies.Of(
        typeof(ProviderHost).Assembly.Location, ns => ns.StartsWith("Kvm.Provider", StringComparison.Ordinal));

    [Fact]
    public void No_namespace_of_the_plugin_uses_one_that_uses_it_back()
    {
        var cycles = Plugin.Cycles();
        var report = cycles.Select(cycle => string.Join("\n", cycle.SelectMany(from =>
            Plugin.Uses[from].Where(e => cycle.Contains(e.Key)).Select(e => $"  {from} -> {e.Key} ({e.Value})"))));
        Assert.True(cycles.Count == 0, "namespaces that use each other:\n" + string.Join("\n\n", report));
    }

    [Theory]
    [InlineData("Kvm.Provider", "Kvm.Provider.Rpc")]
    [InlineData("Kvm.Provider.Agent", "Kvm.Provider.Rpc")]
    [InlineData("Kvm.Provider.Rpc", "Kvm.Provider.Resources")]
    [InlineData("Kvm.Provider.Rpc", "Kvm.Provider.Remote")]
    [InlineData("Kvm.Provider.Resources.Bridges", "Kvm.Provider.Resources")]
    [InlineData("Kvm.Provider.Resources", "Kvm.Provider.Host")]
    [InlineData("Kvm.Provider.Host", "Kvm.Provider.Remote")]
    [InlineData("Kvm.Provider.Values", "Kvm.Provider.Schema")]
    public void The_reader_sees_the_uses_the_layers_rest_on(string user, string used) =>
        Assert.Contains(used, Plugin.Uses[user].Keys);
}

namespace Kvm.Engine;

/// <summary>
/// Where the plugin runs when not beside the harness: <paramref name="LaunchPrefix"/> is put
/// before the plugin's command line (e.g. <c>nsenter -t PID -m -n -r --</c>, which execs the plugin
/// in that process's namespaces, so its pid is the plugin's), and <paramref name="NetnsPath"/> is
/// the network namespace it then listens in (a /run/netns/NAME or /proc/PID/ns/net file): the
/// harness, which stays in its own namespace, opens its gRPC connections there, and a
/// <see cref="FakeEngine"/> started for it listens there too. Null: the harness's namespace.
/// </summary>
public sealed record PluginPlacement(IReadOnlyList<string> LaunchPrefix, string? NetnsPath);

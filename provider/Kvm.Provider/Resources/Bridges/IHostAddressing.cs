namespace Kvm.Provider.Resources.Bridges;

/// <summary>
/// The host's own layer 3 on a switch: the addresses, default routes and static routes of the host's link on it
/// (a Linux bridge's own interface, an Open vSwitch bridge's internal port), and whether that link is up. One set
/// of rules (<see cref="BridgeAddressRules"/>), one diff (<see cref="BridgeAddressing"/>) and one uplink take-over
/// (<see cref="UplinkTakeover"/>) serve every resource that declares it, under the same input names.
/// </summary>
internal interface IHostAddressing
{
    /// <summary>The input names, the same on every resource that declares them (so paths in failures read alike).</summary>
    public const string AddressesPath = "addresses", GatewayPath = "gateway", Gateway6Path = "gateway6", RoutesPath = "routes", UpPath = "up";

    string[]? Addresses { get; }
    string? Gateway { get; }
    string? Gateway6 { get; }
    BridgeRouteArgs[]? Routes { get; }
    bool? Up { get; }

    /// <summary>Whether <paramref name="name"/> is one of these inputs.</summary>
    public static bool IsInput(string name) => name is AddressesPath or GatewayPath or Gateway6Path or RoutesPath or UpPath;

    /// <summary>Whether anything of layer 3 is declared (the link then has to be up to serve it).</summary>
    public bool DeclaresLayer3 => Addresses is not null || Gateway is not null || Gateway6 is not null || Routes is not null;
}

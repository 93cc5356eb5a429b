namespace Kvm.Libvirt;

/// <summary>virNetworkXMLFlags.</summary>
[Flags]
public enum NetworkXmlFlags : uint
{
    /// <summary>The live definition when the network is active.</summary>
    None = 0,
    /// <summary>The persistent definition, i.e. what the network will be after its next start.</summary>
    Inactive = 1 << 0,
}

/// <summary>virNetworkUpdateCommand.</summary>
public enum NetworkUpdateCommand : uint
{
    Modify = 1,
    Delete = 2,
    AddLast = 3,
    AddFirst = 4,
}

/// <summary>virNetworkUpdateSection: which part of the network XML an update edits.</summary>
public enum NetworkUpdateSection : uint
{
    Bridge = 1,
    Domain = 2,
    Ip = 3,
    IpDhcpHost = 4,
    IpDhcpRange = 5,
    Forward = 6,
    ForwardInterface = 7,
    ForwardPf = 8,
    PortGroup = 9,
    DnsHost = 10,
    DnsTxt = 11,
    DnsSrv = 12,
}

/// <summary>virNetworkUpdateFlags.</summary>
[Flags]
public enum NetworkUpdateFlags : uint
{
    /// <summary>The live network if it is active, otherwise the persistent definition.</summary>
    Current = 0,
    Live = 1 << 0,
    Config = 1 << 1,
}

/// <summary>virConnectListAllNetworksFlags; flags of one group (active/inactive, ...) are OR-ed, groups AND-ed.</summary>
[Flags]
public enum ListNetworksFlags : uint
{
    All = 0,
    Inactive = 1 << 0,
    Active = 1 << 1,
    Persistent = 1 << 2,
    Transient = 1 << 3,
    Autostart = 1 << 4,
    NoAutostart = 1 << 5,
}

using System.Collections.Immutable;
using Kvm.Provider.Schema;

namespace Kvm.Provider.Tests;

[SchemaType("kvm:test:Port", "A test port.")]
internal sealed partial record PortArgs
{
    [Input("name", "Port name.", Required = true)]
    public string? Name { get; init; }

    [Input("cost", "Path cost.", Min = 1, Max = 65535)]
    public int? Cost { get; init; }
}

internal partial record ThingArgs
{
    [Input("name", "Name.", Required = true, ReplaceOnChanges = true, MaxLength = 15)]
    public string? Name { get; init; }

    [Input("mtu", "MTU.", Min = 68, Max = 65535)]
    public int? Mtu { get; init; }

    [Input("ratio", "A ratio.", Min = 0, Max = 1)]
    public double? Ratio { get; init; }

    [Input("up", "Up.", Default = true)]
    public bool? Up { get; init; }

    [Input("protocol", "Protocol.", OneOf = ["802.1Q", "802.1ad"])]
    public string? Protocol { get; init; }

    [Input("password", "A secret.", Secret = true)]
    public string? Password { get; init; }

    [Input("tags", "Tags, in any order.", Unordered = true)]
    public string[]? Tags { get; init; }

    [Input("ports", "Ports.")]
    public PortArgs[]? Ports { get; init; }

    [Input("labels", "Labels: a string map.", MaxLength = 3)]
    public ImmutableSortedDictionary<string, string>? Labels { get; init; }
}

internal sealed partial record ThingState : ThingArgs
{
    [Output("ifindex", "Index.", Required = true)]
    public int? Ifindex { get; init; }
}

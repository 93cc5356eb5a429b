using Kvm.Provider.Schema;

namespace Kvm.Provider.Resources.VlanFilters;

/// <summary>One row of a VLAN table: a vid or a range, with its flags.</summary>
[SchemaType("kvm:index:VlanEntry", "One row of a bridge VLAN table (`bridge vlan` semantics): a single `vid` or a `range`, with its flags.")]
internal sealed partial record VlanEntryArgs
{
    [Input("vid", "A single VLAN id.", Min = 1, Max = 4094)]
    public int? Vid { get; init; }

    [Input("range", "A range of VLAN ids, both ends included, written \"200-299\".", MaxLength = 9)]
    public string? Range { get; init; }

    [Input("pvid", "Untagged frames arriving on the port join this VLAN (the port's PVID; a single vid, at most one per table).")]
    public bool? Pvid { get; init; }

    [Input("untagged", "Frames of this VLAN leave the port without a tag.")]
    public bool? Untagged { get; init; }
}

/// <summary>A trunk: tagged VLANs, and an optional native VLAN.</summary>
[SchemaType("kvm:index:VlanTrunk", "A trunk port: tagged VLANs by id or range, and an optional native VLAN carried untagged.")]
internal sealed partial record VlanTrunkArgs
{
    [Input("vids", "Tagged VLAN ids.", Min = 1, Max = 4094, MaxLength = 4094, Unordered = true)]
    public int[]? Vids { get; init; }

    [Input("ranges", "Tagged VLAN ranges, each written \"200-299\".", MaxLength = 4094, Unordered = true)]
    public string[]? Ranges { get; init; }

    [Input("native", "The native VLAN: the port's PVID, sent and received untagged.", Min = 1, Max = 4094)]
    public int? Native { get; init; }
}

/// <summary>The inputs of a VlanFilter: the whole VLAN table of one bridge port or of the bridge itself.</summary>
internal partial record VlanFilterArgs
{
    [Input("bridge", "The bridge (with vlanFiltering on) the port belongs to.", Required = true, ReplaceOnChanges = true, MaxLength = 15)]
    public string? Bridge { get; init; }

    [Input("port", "The port whose table this is: an interface enslaved to the bridge, or the bridge's own name for its self entries (what the host itself sees on the bridge).", Required = true, ReplaceOnChanges = true, MaxLength = 15)]
    public string? Port { get; init; }

    [Input("vlans", "The table, entry by entry. Exactly one of `vlans`, `access` and `trunk` is given.", MaxLength = 4094)]
    public VlanEntryArgs[]? Vlans { get; init; }

    [Input("access", "An access port: this one VLAN, as PVID and untagged. Exactly one of `vlans`, `access` and `trunk` is given.", Min = 1, Max = 4094)]
    public int? Access { get; init; }

    [Input("trunk", "A trunk port: tagged VLANs and an optional native VLAN. Exactly one of `vlans`, `access` and `trunk` is given.")]
    public VlanTrunkArgs? Trunk { get; init; }
}

/// <summary>A VLAN table as the kernel reports it.</summary>
internal sealed partial record VlanFilterState : VlanFilterArgs
{
    [Output("table", "The table as the kernel reports it, consecutive vids with the same flags compressed into ranges.", Required = true)]
    public VlanEntryArgs[]? Table { get; init; }

    [Output("ifindex", "The kernel's interface index of the port.", Required = true)]
    public int? Ifindex { get; init; }
}

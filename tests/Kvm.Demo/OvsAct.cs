using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Demo.Narrator;
using static Kvm.Engine.Decl;

namespace Kvm.Demo;

/// <summary>
/// The Open vSwitch bridge the guests of the next act use, declared as an OvsBridge (OVSDB, no ovs-vsctl):
/// an uplink trunk and the host's management port in VLAN 99 with the host's address (set by netlink on the
/// port's link, which Open vSwitch makes down and bare); a change whose preview says what it interrupts; a tag
/// changed by hand with ovs-vsctl found by refresh and put back.
/// </summary>
public static class OvsAct
{
    public const string OvsBridge = "kvm:index:OvsBridge";
    public const string Name = "br-trunk";

    /// <summary>The switch as the program declares it; the guest's NIC names it as `${trunk.name}`.</summary>
    public static ResourceDecl Switch(string trunks) => Res(OvsBridge, "trunk", $$"""
        {"name": "{{Name}}", "datapathType": "netdev", "failMode": "standalone",
         "otherConfig": {"mac-aging-time": "600"}, "externalIds": {"owner": "pulumi"}, "forceDestroy": true,
         "ports": [
           {"name": "uplink0", "vlanMode": "trunk", "trunks": [{{trunks}}]},
           {"name": "mgmt", "type": "internal", "tag": 99, "addresses": ["10.99.0.2/24"]}
         ]}
        """);

    /// <summary>Runs the act after <paramref name="earlier"/> (kept in the program); returns the program at the end.</summary>
    public static async Task<IReadOnlyList<ResourceDecl>> RunAsync(PulumiCli pulumi, LabNamespace ns, OvsSwitch ovs, IReadOnlyList<ResourceDecl> earlier)
    {
        Title("Open vSwitch (OVSDB's JSON-RPC on ovsdb-server's socket, no ovs-vsctl)");
        Command("ip link add uplink0 type veth peer name uplink0-peer");
        ns.Ip("link", "add", "uplink0", "type", "veth", "peer", "name", "uplink0-peer");

        Say("The management port carries the host's address, so deleting the switch could cut the host off: the program says forceDestroy for the demo's final destroy (without it, destroy refuses and says why)");
        ResourceDecl[] program = [.. earlier, Switch("10, 20")];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        Host("ovs-vsctl show", ovs.Vsctl("show"));
        Host("ip -br addr show mgmt", ns.Ip("-br", "addr", "show", "mgmt"));

        Say("The program adds VLAN 30 to the uplink's trunk: one OVSDB transaction, guarded by a wait on the rows as read");
        program = [.. earlier, Switch("10, 20, 30")];
        await pulumi.PreviewAsync(program);
        await pulumi.UpAsync(program);
        Host("ovs-vsctl get port uplink0 trunks", ovs.Vsctl("get", "port", "uplink0", "trunks"));

        Say("Someone moves the management port to VLAN 1 by hand:");
        Command("ovs-vsctl set port mgmt tag=1");
        ovs.Vsctl("set", "port", "mgmt", "tag=1");
        await pulumi.RefreshAsync();
        await pulumi.PreviewAsync(program, "the program says tag 99");
        await pulumi.UpAsync(program);
        Host("ovs-vsctl get port mgmt tag", ovs.Vsctl("get", "port", "mgmt", "tag"));
        return program;
    }
}

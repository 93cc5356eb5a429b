// two-hosts: a small fleet of KVM hypervisors, managed from wherever `pulumi up` runs (a laptop or
// a CI runner), not from the hypervisors themselves.
//
//   workstation ──ssh──> kvm1: br-storage (MTU 9000), libvirt network "guests" 10.80.1.0/24
//               └─ssh──> kvm2: br-storage (MTU 9000), libvirt network "guests" 10.80.2.0/24
//
// One explicit provider per host: every resource passed that provider lives on its host. The
// provider runs its own binary there over the system's ssh client (your ~/.ssh/config, agent and
// known_hosts apply) and installs it into ~/.pulumi-kvm/bin on first use. Nothing on the machine
// running Pulumi changes.
using Pulumi;
using Kvm = Pulumi.Kvm;
using Pulumi.Kvm.Inputs;

return await Deployment.RunAsync(() =>
{
    var config = new Config();
    var hosts = config.RequireObject<string[]>("hosts");
    var networks = new Dictionary<string, object?>();

    for (var i = 0; i < hosts.Length; i++)
    {
        var name = $"kvm{i + 1}";
        var host = new Kvm.Provider(name, new() { Host = hosts[i] });
        var onHost = new CustomResourceOptions { Provider = host };

        // The same bridge on every host: bridge names are unique per host, not per program.
        // Each host has its own address on the storage network, so hosts reach each other's storage over it.
        new Kvm.Bridge($"{name}-storage", new()
        {
            Name = "br-storage",
            Mtu = 9000,
            Stp = false,
            Addresses = { $"10.90.0.{i + 1}/24" },
        }, onHost);

        var subnet = $"10.80.{i + 1}";
        var network = new Kvm.LibvirtNetwork($"{name}-guests", new()
        {
            Name = "guests",
            Forward = new NetworkForwardArgs { Mode = "nat" },
            Bridge = new NetworkBridgeArgs { Stp = false },
            Ips =
            {
                new NetworkIpArgs
                {
                    Address = $"{subnet}.1",
                    Prefix = 24,
                    Dhcp = new NetworkDhcpArgs { Ranges = { new NetworkDhcpRangeArgs { Start = $"{subnet}.100", End = $"{subnet}.199" } } },
                },
            },
            Autostart = true,
        }, onHost);
        networks[name] = network.BridgeName;
    }

    return networks;
});

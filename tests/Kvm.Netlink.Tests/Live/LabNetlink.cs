using Kvm.Lab;
using Kvm.Netlink;

namespace Kvm.Netlink.Tests.Live;

/// <summary>
/// A fresh lab namespace with a netlink socket opened inside it. Disposing closes the socket
/// and deletes the namespace, so every link a test made goes with it, pass or fail.
/// </summary>
internal sealed class LabNetlink : IDisposable
{
    private LabNetlink(LabNamespace lab, NetlinkSocket socket)
    {
        Lab = lab;
        Socket = socket;
        Links = new LinkService(socket);
        Vlans = new BridgeVlanService(socket);
    }

    public LabNamespace Lab { get; }
    public NetlinkSocket Socket { get; }
    public LinkService Links { get; }
    public BridgeVlanService Vlans { get; }

    public static LabNetlink Create()
    {
        var lab = LabNamespace.Create("kvmnl");
        try
        {
            return new LabNetlink(lab, NetlinkSocket.Open(NetworkNamespace.Named(lab.Name)));
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>A veth pair made with <c>ip</c> as a test fixture (the library under test is not used to make it).</summary>
    public void AddVethPair(string name, string peer) => Lab.Ip("link", "add", name, "type", "veth", "peer", "name", peer);

    public void Dispose()
    {
        try
        {
            Socket.Dispose();
        }
        finally
        {
            Lab.Dispose();
        }
    }
}

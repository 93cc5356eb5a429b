using System.Net;
using System.Net.Sockets;
using Kvm.Netlink;

namespace Kvm.Provider.Host;

/// <summary>
/// After a change to the links that carry the host's default route or its management session: is the
/// host still reachable? No confirmation within the timeout rolls the change back (see LinkCheckpoint).
/// </summary>
internal interface IReachability
{
    /// <summary>What answers, for messages: "the provider's SSH session", "192.168.0.1:22".</summary>
    string Description { get; }

    /// <summary>True when the host was confirmed reachable within <paramref name="timeout"/>.</summary>
    Task<bool> ConfirmAsync(TimeSpan timeout, CancellationToken ct);
}

/// <summary>
/// The local probe (`reachabilityProbe`): a TCP connection to ADDRESS:PORT from the managed namespace.
/// Any answer counts, a refusal too: a host that sends back a reset is reached. Only silence fails.
/// </summary>
internal sealed class TcpProbe(NetworkNamespace ns, IPEndPoint target) : IReachability
{
    public string Description => $"{target} (reachabilityProbe)";

    public async Task<bool> ConfirmAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (!deadline.IsCancellationRequested)
        {
            using var socket = ns.Create(() => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                await socket.ConnectAsync(target, deadline.Token).ConfigureAwait(false);
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
            catch (SocketException)
            {
                // unreachable for now (no route yet, no ARP answer): try again until the deadline
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>ADDRESS:PORT, [IPv6]:PORT, or an address alone (port 22).</summary>
    public static bool TryParse(string text, out IPEndPoint endpoint)
    {
        if (IPEndPoint.TryParse(text, out var parsed) && parsed is not null)
        {
            endpoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 22) : parsed;
            return true;
        }
        endpoint = new IPEndPoint(IPAddress.None, 0);
        return false;
    }
}

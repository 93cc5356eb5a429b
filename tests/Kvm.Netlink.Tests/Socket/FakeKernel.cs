using System.Net.Sockets;
using System.Runtime.InteropServices;
using Kvm.Netlink.Protocol;

namespace Kvm.Netlink.Tests.Socket;

/// <summary>
/// Plays the kernel at the other end of a Unix datagram socketpair, so the socket's exchange
/// logic (sequence matching, multipart dumps, NLM_F_DUMP_INTR, errors) can be driven with
/// exactly the replies a test wants. Unix datagrams keep message boundaries and support
/// MSG_PEEK|MSG_TRUNC like netlink does.
/// </summary>
internal sealed class FakeKernel : IDisposable
{
    private const int AF_UNIX = 1;
    private const int SOCK_DGRAM = 2;
    private const int SOCK_CLOEXEC = 0x80000;

    private readonly System.Net.Sockets.Socket _kernelEnd;

    private FakeKernel(System.Net.Sockets.Socket kernelEnd, NetlinkSocket client)
    {
        _kernelEnd = kernelEnd;
        Client = client;
    }

    /// <summary>The NetlinkSocket under test.</summary>
    public NetlinkSocket Client { get; }

    public static FakeKernel Create()
    {
        var fds = new int[2];
        if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) != 0)
            throw new InvalidOperationException($"socketpair failed: errno {Marshal.GetLastPInvokeError()}");
        var clientEnd = new System.Net.Sockets.Socket(new SafeSocketHandle(fds[0], ownsHandle: true));
        var kernelEnd = new System.Net.Sockets.Socket(new SafeSocketHandle(fds[1], ownsHandle: true))
        {
            // Only a broken test ever waits this long; it fails instead of hanging the run.
            ReceiveTimeout = 60_000,
        };
        return new FakeKernel(kernelEnd, NetlinkSocket.FromConnectedSocket(clientEnd));
    }

    /// <summary>Waits for the next request and returns its header.</summary>
    public NetlinkHeader ReceiveRequest()
    {
        var buffer = new byte[65536];
        var length = _kernelEnd.Receive(buffer);
        return NetlinkHeader.Read(buffer.AsSpan(0, length));
    }

    /// <summary>Sends one datagram holding the given messages back to back.</summary>
    public void Send(params byte[][] messages) => _kernelEnd.Send(messages.SelectMany(m => m).ToArray());

    public static byte[] Message(ushort type, NetlinkMessageFlags flags, uint sequence, byte[] payload)
    {
        var padded = NetlinkAlignment.Align(payload.Length);
        var bytes = new byte[NetlinkHeader.Size + padded];
        new NetlinkHeader((uint)(NetlinkHeader.Size + payload.Length), type, flags, sequence, 0).Write(bytes);
        payload.CopyTo(bytes, NetlinkHeader.Size);
        return bytes;
    }

    /// <summary>An RTM_NEWLINK dump entry with just an ifindex and a name.</summary>
    public static byte[] Link(uint sequence, int index, string name, NetlinkMessageFlags extraFlags = NetlinkMessageFlags.None)
    {
        var writer = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkMessageFlags.Multi | extraFlags);
        writer.Write(new IfInfoMessage(0, 1, index, 0, 0));
        writer.AddString(3, name);
        return writer.ToRequest().Encode(sequence);
    }

    public static byte[] Done(uint sequence, int status = 0, NetlinkMessageFlags extraFlags = NetlinkMessageFlags.None) =>
        Message(NetlinkMessageType.Done, NetlinkMessageFlags.Multi | extraFlags, sequence, BitConverter.GetBytes(status));

    /// <summary>NLMSG_ERROR, capped, with the extended-ack message when given.</summary>
    public static byte[] Error(uint sequence, int error, string? text = null)
    {
        var payload = new List<byte>(BitConverter.GetBytes(error));
        payload.AddRange(new byte[NetlinkHeader.Size]);
        var flags = NetlinkMessageFlags.Capped;
        if (text is not null)
        {
            flags |= NetlinkMessageFlags.AckTlvs;
            var value = System.Text.Encoding.UTF8.GetBytes(text + "\0");
            payload.AddRange(BitConverter.GetBytes((ushort)(4 + value.Length)));
            payload.AddRange(BitConverter.GetBytes((ushort)1));
            payload.AddRange(value);
        }
        return Message(NetlinkMessageType.Error, flags, sequence, payload.ToArray());
    }

    /// <summary>Closes the kernel's end, as if the kernel went away.</summary>
    public void Vanish() => _kernelEnd.Dispose();

    public void Dispose()
    {
        Client.Dispose();
        _kernelEnd.Dispose();
    }

    // A test-only call: plain DllImport keeps the test project free of unsafe code.
    [DllImport("libc", SetLastError = true)]
    private static extern int socketpair(int domain, int type, int protocol, [Out] int[] fds);
}

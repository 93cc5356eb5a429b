using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Kvm.Ovsdb.Tests.Codec;

/// <summary>
/// The client against a scripted server on a unix socket of a temporary folder (no lab): the server's echo
/// requests are answered, a reply split across reads still arrives whole, and a connection the server closes
/// fails what was in flight and is opened again by the next request.
/// </summary>
public sealed class ClientProtocolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kvm-ovsdb-").FullName;
    private readonly Socket _listener;

    public ClientProtocolTests()
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen();
    }

    private string SocketPath => Path.Combine(_dir, "db.sock");

    public void Dispose()
    {
        _listener.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Reads one JSON object off the socket (the test's own, simplest splitter: a byte at a time).</summary>
    private static async Task<JsonElement> ReceiveAsync(Socket s)
    {
        var splitter = new JsonStreamSplitter();
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await s.ReceiveAsync(one) == 0) throw new IOException("client closed");
            bytes.Add(one[0]);
            if (splitter.FindEnd(bytes.ToArray()) > 0) return JsonDocument.Parse(bytes.ToArray()).RootElement.Clone();
        }
    }

    private static async Task SendAsync(Socket s, string json) => await s.SendAsync(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task The_server_s_echo_is_answered_and_a_reply_split_across_reads_arrives_whole()
    {
        using var client = new OvsdbClient(SocketPath);
        var call = client.ListDatabasesAsync();
        using var server = await _listener.AcceptAsync();
        var request = await ReceiveAsync(server);
        Assert.Equal("list_dbs", request.GetProperty("method").GetString());

        await SendAsync(server, """{"method":"echo","params":["probe",1],"id":"echo"}""");
        var echo = await ReceiveAsync(server);
        Assert.Equal("""{"id":"echo","result":["probe",1],"error":null}""", echo.GetRawText());

        var id = request.GetProperty("id").GetInt64();
        var reply = $$"""{"id":{{id}},"result":["Open_vSwitch","_Server"],"error":null}""";
        await SendAsync(server, reply[..10]);
        await Task.Delay(50);   // gives the client a chance to read the first part alone (the test holds either way)
        await SendAsync(server, reply[10..]);
        Assert.Equal(["Open_vSwitch", "_Server"], await call);
    }

    [Fact]
    public async Task A_closed_connection_fails_the_request_in_flight_and_the_next_one_connects_again()
    {
        using var client = new OvsdbClient(SocketPath);
        var first = client.ListDatabasesAsync();
        using (var server = await _listener.AcceptAsync())
        {
            await ReceiveAsync(server);
        }
        var e = await Assert.ThrowsAsync<OvsdbConnectionException>(() => first);
        Assert.Equal($"ovsdb-server at unix:{SocketPath} closed the connection", e.Message);

        var second = client.ListDatabasesAsync();
        using var again = await _listener.AcceptAsync();
        var request = await ReceiveAsync(again);
        await SendAsync(again, $$"""{"id":{{request.GetProperty("id").GetInt64()}},"result":["Open_vSwitch"],"error":null}""");
        Assert.Equal(["Open_vSwitch"], await second);
    }
}

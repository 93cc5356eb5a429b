using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Net.Client;
using Pulumirpc;

namespace Kvm.Engine;

/// <summary>
/// The real plugin, started the way the engine starts it: exec, read the port line from stdout,
/// then talk gRPC. Stdout is watched after the port line too, because nothing else may appear there.
/// </summary>
public sealed class ProviderProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _extraStdout = new();
    private readonly GrpcChannel _channel;

    public int Port { get; }
    public ResourceProvider.ResourceProviderClient Client { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the plugin wrote to stderr so far.</summary>
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Anything the plugin wrote to stdout after its port line (must stay empty).</summary>
    public string StdoutAfterPort { get { lock (_extraStdout) return _extraStdout.ToString(); } }

    private ProviderProcess(Process process, int port, string? netnsPath)
    {
        _process = process;
        Port = port;
        var options = new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 400 * 1024 * 1024,
            MaxSendMessageSize = 400 * 1024 * 1024,
        };
        // The plugin listens on 127.0.0.1 of its own namespace: connect from a socket made there.
        if (netnsPath is not null)
            options.HttpHandler = new SocketsHttpHandler { ConnectCallback = (context, ct) => ConnectInNamespaceAsync(netnsPath, context.DnsEndPoint.Port, ct) };
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", options);
        Client = new ResourceProvider.ResourceProviderClient(_channel);
    }

    private static async ValueTask<Stream> ConnectInNamespaceAsync(string netnsPath, int port, CancellationToken ct)
    {
        var socket = NetnsSocket.CreateTcp(netnsPath);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the plugin (<paramref name="binary"/>, else the built one) and reads its port. With a
    /// <paramref name="placement"/>, it is started behind the placement's launch prefix (e.g. in
    /// a lab workstation's namespaces) and reached inside the placement's network namespace.
    /// </summary>
    public static async Task<ProviderProcess> StartAsync(string? engineAddress = null, IEnumerable<string>? extraArgs = null,
        IDictionary<string, string>? environment = null, string? binary = null, PluginPlacement? placement = null)
    {
        var plugin = binary ?? RepoPaths.ProviderBinary;
        if (!File.Exists(plugin))
            throw new FileNotFoundException($"the provider binary {plugin} does not exist: run `make build` first");
        var prefix = placement?.LaunchPrefix ?? [];
        var psi = new ProcessStartInfo(prefix.Count > 0 ? prefix[0] : plugin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (prefix.Count > 0)
        {
            foreach (var a in prefix.Skip(1)) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(plugin);
        }
        foreach (var a in extraArgs ?? []) psi.ArgumentList.Add(a);
        if (engineAddress is not null) psi.ArgumentList.Add(engineAddress);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stdout = process.StandardOutput.BaseStream;
        var line = await ReadPortLineAsync(stdout).ConfigureAwait(false);
        if (!int.TryParse(line, out var port) || port is <= 0 or > 65535)
        {
            var err = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new InvalidOperationException($"the provider's first stdout line was \"{line}\", not a port. stderr: {err}");
        }
        var p = new ProviderProcess(process, port, placement?.NetnsPath);
        p.Pump(process.StandardError.BaseStream, p._stderr);
        p.Pump(stdout, p._extraStdout);
        return p;
    }

    /// <summary>Reads byte by byte up to the first newline, so nothing after it is consumed here.</summary>
    private static async Task<string> ReadPortLineAsync(Stream stdout)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var n = await stdout.ReadAsync(one, deadline.Token).ConfigureAwait(false);
            if (n == 0 || one[0] == (byte)'\n') break;
            bytes.Add(one[0]);
            if (bytes.Count > 64) break;
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private void Pump(Stream stream, StringBuilder into) => _ = Task.Run(async () =>
    {
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                var text = Encoding.UTF8.GetString(buffer, 0, n);
                lock (into) into.Append(text);
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    });

    /// <summary>Sends SIGTERM, as the engine does when it is done with a plugin, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }
}

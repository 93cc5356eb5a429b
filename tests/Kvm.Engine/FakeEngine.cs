using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pulumirpc;

namespace Kvm.Engine;

/// <summary>
/// The engine's Log service, as the real engine offers it to providers: what the provider logs
/// here is what a user would see in `pulumi preview` / `pulumi up`.
/// </summary>
public sealed class FakeEngine : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LogSink _sink;

    public string Address { get; }

    public IReadOnlyList<LogRequest> Logs => [.. _sink.Messages];

    private FakeEngine(WebApplication app, LogSink sink, string address)
    {
        _app = app;
        _sink = sink;
        Address = address;
    }

    /// <summary>
    /// Starts the engine's Log service on 127.0.0.1 (a free port): of the harness's network
    /// namespace, or of the one behind <paramref name="netnsPath"/> where a plugin placed there
    /// (<see cref="PluginPlacement"/>) can reach it.
    /// </summary>
    public static async Task<FakeEngine> StartAsync(string? netnsPath = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        if (netnsPath is not null)
        {
            // Kestrel listens on whatever socket this returns (bound here, listen() is Kestrel's).
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = endpoint =>
            {
                var socket = NetnsSocket.CreateTcp(netnsPath);
                socket.Bind(endpoint);
                return socket;
            });
        }
        builder.Services.AddGrpc();
        var sink = new LogSink();
        builder.Services.AddSingleton(sink);
        var app = builder.Build();
        app.MapGrpcService<LogSink>();
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeEngine(app, sink, $"127.0.0.1:{new Uri(address).Port}");
    }

    public void ClearLogs() => _sink.Messages.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class LogSink : Pulumirpc.Engine.EngineBase
    {
        public readonly ConcurrentQueue<LogRequest> Messages = new();

        public override Task<Empty> Log(LogRequest request, ServerCallContext context)
        {
            Messages.Enqueue(request);
            return Task.FromResult(new Empty());
        }
    }
}

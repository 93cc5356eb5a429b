using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Kvm.Provider.Agent;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Remote;
using Kvm.Provider.Resources;
using Kvm.Provider.Rpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Kvm.Provider;

internal static class Program
{
    /// <summary>The engine's cap on one message (it sends whole resource states in one request).</summary>
    private const int MaxMessageBytes = 400 * 1024 * 1024;

    public static async Task<int> Main(string[] args)
    {
        // The port line is the only thing stdout ever carries: anything else written by accident
        // would corrupt the engine's handshake, so the console's Out goes to stderr from here on.
        var stdout = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);

        // libvirt's qemu hook (installed by the Domain resource) runs the plugin as `qemu-hook ...`.
        if (args is [Resources.Domains.QemuHook.Command, ..]) return await Resources.Domains.QemuHook.MainAsync(args[1..]).ConfigureAwait(false);

        // On a remote host, the plugin on the workstation runs this binary as `agent` over ssh.
        if (args is [Remote.AgentProtocol.Command, ..]) return await Agent.AgentCommand.RunAsync(args[1..], Console.OpenStandardInput(), stdout).ConfigureAwait(false);

        var options = CommandLine.Parse(args);
        if (options.Error is { } error)
        {
            Console.Error.WriteLine($"pulumi-resource-kvm: {error}");
            Console.Error.WriteLine(CommandLine.Usage);
            return 2;
        }

        switch (options.Command)
        {
            case "discover":
                return await Discovery.DiscoverCommand.RunAsync(args[1..], stdout, Console.Error).ConfigureAwait(false);
            case Restore.RestoreCommand.Command:
                return await Restore.RestoreCommand.RunAsync(args[1..], Console.Error).ConfigureAwait(false);
            case "schema":
                WriteRaw(stdout, SchemaText());
                return 0;
            case "help":
                WriteRaw(stdout, CommandLine.Usage + "\n");
                return 0;
        }

        // The listening socket comes first and the port line goes out at once: the engine can connect
        // while the server is still being built (connections wait in the kernel's backlog), and the
        // server then takes this socket over.
        var listener = ListenOnLoopback();
        WriteRaw(stdout, $"{((IPEndPoint)listener.LocalEndPoint!).Port}\n");

        using var engineLog = new EngineLog(options.LogToStderr, options.Verbosity);
        engineLog.Attach(options.EngineAddress);
        void Stderr(string line)
        {
            lock (Console.Error) Console.Error.WriteLine($"pulumi-resource-kvm: {line}");
        }
        using var host = new ProviderHost(engineLog, trace: options.Verbosity >= 9 ? Stderr : null,
            reachRemote: target => new Remote.RemoteHost(target, engineLog, options.Verbosity, Stderr));

        // Nothing but Kestrel, routing and gRPC: the default builders read appsettings files and
        // watch the content root (the engine's working folder, walked recursively) for changes,
        // which costs start-up time in proportion to whatever folder the plugin is started in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenHandle((ulong)listener.Handle, l => l.Protocols = HttpProtocols.Http2);
            k.Limits.MaxRequestBodySize = MaxMessageBytes;
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = MaxMessageBytes;
            o.MaxSendMessageSize = MaxMessageBytes;
        });
        builder.Services.AddSingleton(host);
        builder.Services.AddSingleton(engineLog);
        builder.Services.AddSingleton(_ => new ResourceRegistry(ResourceCatalog.Create(host)));
        builder.Services.AddSingleton<ResourceProviderService>();
        builder.Services.AddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<ResourceProviderService>, ProviderServiceMethods>();

        await using var app = builder.Build();
        app.MapGrpcService<ResourceProviderService>();
        // SIGTERM/SIGINT stop the server gracefully: requests in flight finish before the process
        // exits, so a host change is never cut off halfway (the empty builder installs no handler).
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopGracefully);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopGracefully);
        void StopGracefully(PosixSignalContext signal)
        {
            signal.Cancel = true;
            app.Lifetime.StopApplication();
        }
        await app.StartAsync().ConfigureAwait(false);

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static Socket ListenOnLoopback()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(512);
        return socket;
    }

    public static string SchemaText()
    {
        using var host = new ProviderHost(new EngineLog(alsoToStderr: false, verbosity: 0));
        return new ResourceRegistry(ResourceCatalog.Create(host)).SchemaJson;
    }

    private static void WriteRaw(Stream stdout, string text)
    {
        stdout.Write(Encoding.UTF8.GetBytes(text));
        stdout.Flush();
    }
}

/// <summary>The plugin's command line: the engine's flags, or a subcommand for people.</summary>
internal sealed record CommandLine(string? Command, bool LogToStderr, int Verbosity, string? Tracing, string? EngineAddress, string? Error)
{
    public const string Usage = """
        usage: pulumi-resource-kvm [--logtostderr] [-v=N] [--tracing ADDRESS] [ENGINE_ADDRESS]
               pulumi-resource-kvm schema      print the package schema (schema.json)
               pulumi-resource-kvm discover    scan the host read-only and write what it would manage (see discover --help)
               pulumi-resource-kvm restore     re-apply the host networking kept in persistDir, at boot (see restore --help)
        """;

    public static CommandLine Parse(string[] args)
    {
        if (args is ["schema"]) return new("schema", false, 0, null, null, null);
        if (args is ["discover", ..]) return new("discover", false, 0, null, null, null);
        if (args is [Restore.RestoreCommand.Command, ..]) return new(Restore.RestoreCommand.Command, false, 0, null, null, null);
        if (args is ["help" or "--help" or "-h"]) return new("help", false, 0, null, null, null);

        bool logToStderr = false;
        int verbosity = 0;
        string? tracing = null, engine = null;
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "--logtostderr" or "-logtostderr") logToStderr = true;
            else if (a.StartsWith("-v=", StringComparison.Ordinal) || a.StartsWith("--v=", StringComparison.Ordinal))
            {
                if (!int.TryParse(a[(a.IndexOf('=') + 1)..], out verbosity))
                    return new(null, false, 0, null, null, $"bad verbosity \"{a}\"");
            }
            else if (a is "--tracing" or "-tracing")
            {
                if (i + 1 >= args.Length) return new(null, false, 0, null, null, "--tracing needs an address");
                tracing = args[++i];
            }
            else if (a.StartsWith("--tracing=", StringComparison.Ordinal)) tracing = a["--tracing=".Length..];
            else if (a.StartsWith('-'))
            {
                // Newer engines may pass flags we do not know; they must not stop the plugin.
                Console.Error.WriteLine($"pulumi-resource-kvm: ignoring unknown flag {a}");
            }
            else if (engine is null) engine = a;
            else return new(null, false, 0, null, null, $"unexpected argument \"{a}\"");
        }
        return new(null, logToStderr, verbosity, tracing, engine, null);
    }
}

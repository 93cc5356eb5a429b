using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Remote.Wire;
using Pulumirpc;

namespace Kvm.Provider.Remote;

/// <summary>
/// A remote KVM host reached over the system's ssh client. One session with the plugin's agent
/// carries every call of this plugin process (many in flight at once); it is opened on first use,
/// configured like the provider, and opened again when it is lost. When the agent is not on the host
/// (or is another version) it is installed there first: uploaded through the sftp subsystem to a
/// temporary name, checked by running it (it reports its own SHA-256), then renamed into place.
/// </summary>
internal sealed class RemoteHost(ISshTarget target, IEngineLog log, int verbosity = 0, Action<string>? stderr = null) : IRemoteHost
{
    private readonly Lazy<PluginBinary> _binary = new(PluginBinary.Current);
    private readonly Lock _gate = new();
    private AgentSession? _session;
    private Task<AgentSession>? _connecting;
    private volatile ConfigureRequest? _configure;
    private volatile bool _cancelled;
    private bool _disposed;
    private Task<SshSharing?>? _sharing;

    /// <summary>The connection-sharing options, worked out once per plugin process (two `ssh -G`, no connection).</summary>
    private Task<SshSharing?> SharingAsync() => _sharing ??= SshMultiplexing.OptionsAsync(target, CancellationToken.None);

    public ISshTarget Target => target;

    private SshDestination Host => target.Destination;

    public async Task ConfigureAsync(ConfigureRequest request, CancellationToken ct)
    {
        _configure = request;
        var session = await SessionAsync(ct).ConfigureAwait(false);
        // A session opened after the request was stored has been configured with it already.
        if (!ReferenceEquals(session.ConfiguredWith, request))
        {
            await session.CallAsync(AgentMethods.Configure, request, ct).ConfigureAwait(false);
            session.ConfiguredWith = request;
        }
    }

    public async Task<TResponse> CallAsync<TRequest, TResponse>(AgentMethod<TRequest, TResponse> method, IMessage request, CallSafety safety, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        for (var attempt = 1; ; attempt++)
        {
            var session = await SessionAsync(ct).ConfigureAwait(false);
            try
            {
                return await session.CallAsync(method, request, ct).ConfigureAwait(false);
            }
            catch (AgentConnectionLostException e) when (attempt == 1 && (safety == CallSafety.Retryable || !e.MayHaveRun))
            {
                // Nothing can have changed on the host (a read, or a call that never left): ask a new session.
            }
        }
    }

    public void Cancel()
    {
        _cancelled = true;
        AgentSession? session;
        lock (_gate) session = _session;
        if (session is not null) _ = session.CancelAsync();
    }

    /// <summary>The live session, opening one when there is none (callers arriving meanwhile share the attempt).</summary>
    private async Task<AgentSession> SessionAsync(CancellationToken ct)
    {
        Task<AgentSession> connecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { IsAlive: true } live) return live;
            // The shared attempt must not die with the first caller's cancellation.
            connecting = _connecting ??= Task.Run(() => ConnectAsync(CancellationToken.None), CancellationToken.None);
        }
        try
        {
            return await connecting.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
    }

    private async Task<AgentSession> ConnectAsync(CancellationToken ct)
    {
        AgentSession? previous;
        lock (_gate) previous = _session;
        if (previous is not null) _ = previous.DisposeAsync().AsTask();
        try
        {
            var session = await OpenAsync(ct).ConfigureAwait(false);
            lock (_gate)
            {
                _session = session;
                _connecting = null;
            }
            return session;
        }
        catch (SshClientMissingException e)
        {
            lock (_gate) _connecting = null;
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"cannot reach {Host}: {e.Message}"));
        }
        catch
        {
            lock (_gate) _connecting = null;
            throw;
        }
    }

    private async Task<AgentSession> OpenAsync(CancellationToken ct)
    {
        PluginBinary binary;
        try
        {
            binary = _binary.Value;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"cannot manage {Host}: {e.Message}"));
        }

        var start = await StartAgentAsync(binary.RemotePath, reportHash: false, ct).ConfigureAwait(false);
        if (start.Session is null && SshFailure.IsMissingProgram(start.ExitCode, start.Stderr))
        {
            await InstallAsync(binary, ct).ConfigureAwait(false);
            start = await StartAgentAsync(binary.RemotePath, reportHash: false, ct).ConfigureAwait(false);
        }
        var session = start.Session ?? throw Unreachable(SshFailure.Describe(Host, start.ExitCode, start.Stderr));
        try
        {
            if (HelloProblem(session.Hello, binary) is { } problem) throw Unreachable(problem);
            if (session.Noise.Length > 0)
                await log.WarnAsync($"{Host}: the remote login shell printed {FrameStream.Printable(session.Noise)} before the provider's agent started; shell start-up files should print nothing for non-interactive sessions").ConfigureAwait(false);
            if (_configure is { } configure)
            {
                await session.CallAsync(AgentMethods.Configure, configure, ct).ConfigureAwait(false);
                session.ConfiguredWith = configure;
            }
            if (_cancelled) await session.CancelAsync().ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<AgentStart> StartAgentAsync(string path, bool reportHash, CancellationToken ct)
    {
        List<string> command = [path, AgentProtocol.Command];
        if (reportHash) command.Add("--sha256");
        if (verbosity > 0) command.Add($"-v={verbosity}");
        var sharing = await SharingAsync().ConfigureAwait(false);
        return await AgentSession.StartAsync(SshCommand.Session(target, command, sharing), sharing?.LogPath, Host,
            l => l.Ephemeral ? log.StatusAsync(l.Message, l.Urn.Length == 0 ? null : l.Urn) : log.LogAsync((LogSeverity)l.Severity, l.Message, l.Urn.Length == 0 ? null : l.Urn),
            stderr is null ? null : line => stderr($"[{Host}] {line}"), ct).ConfigureAwait(false);
    }

    private string? HelloProblem(Hello hello, PluginBinary binary)
    {
        if (hello.Protocol != AgentProtocol.Version)
            return $"the provider's agent on {Host} speaks agent protocol {hello.Protocol}, this plugin {AgentProtocol.Version}";
        if (hello.Version != binary.Version)
            return $"the provider's agent on {Host} is version {hello.Version}, this plugin {binary.Version}";
        if (AgentProtocol.KernelProblem(hello.Kernel) is { } kernel)
            return $"{Host} cannot be managed: {kernel}";
        return null;
    }

    /// <summary>Uploads this plugin's binary to the host, checks the copy runs and is byte-identical, then moves it into place.</summary>
    private async Task InstallAsync(PluginBinary binary, CancellationToken ct)
    {
        var sharing = await SharingAsync().ConfigureAwait(false);
        await using var ssh = SshProcess.Start(SshCommand.Sftp(target, sharing), stderr is null ? null : line => stderr($"[{Host} sftp] {line}"), sharing?.LogPath);
        Sftp.SftpClient client;
        try
        {
            client = await Sftp.SftpClient.OpenAsync(ssh.Input, ssh.Output, ct).ConfigureAwait(false);
        }
        catch (IOException)
        {
            ssh.CloseInput();
            var exit = await ssh.Exited.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            throw Unreachable($"cannot install the provider's agent on {Host}: {SshFailure.Describe(Host, exit, ssh.StderrTail)}");
        }
        await using (client.ConfigureAwait(false))
        {
            var temporary = $"{PluginBinary.RemoteFolder}/.upload-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
            try
            {
                await client.CreateDirectoryAsync(".pulumi-kvm", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ct).ConfigureAwait(false);
                await client.CreateDirectoryAsync(PluginBinary.RemoteFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ct).ConfigureAwait(false);
                await using (var file = File.OpenRead(binary.Path))
                    await client.UploadAsync(temporary, file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ct).ConfigureAwait(false);

                var check = await StartAgentAsync(temporary, reportHash: true, ct).ConfigureAwait(false);
                var session = check.Session ?? throw Unreachable(SshFailure.Describe(Host, check.ExitCode, check.Stderr));
                await using (session.ConfigureAwait(false))
                {
                    if (session.Hello.Sha256 != binary.Sha256)
                        throw Unreachable($"the copy of the provider's binary on {Host} does not match this plugin (SHA-256 {session.Hello.Sha256} instead of {binary.Sha256}); it was not installed");
                    if (HelloProblem(session.Hello, binary) is { } problem) throw Unreachable(problem);
                }
                await client.RenameAsync(temporary, binary.RemotePath, ct).ConfigureAwait(false);
            }
            catch (Sftp.SftpException e)
            {
                await RemoveQuietlyAsync(client, temporary).ConfigureAwait(false);
                throw Unreachable($"cannot install the provider's agent in ~/{PluginBinary.RemoteFolder} on {Host}: {e.Message}");
            }
            catch
            {
                await RemoveQuietlyAsync(client, temporary).ConfigureAwait(false);
                throw;
            }
        }
        await log.InfoAsync($"installed the provider's agent on {Host}: ~/{binary.RemotePath}").ConfigureAwait(false);
    }

    private static async Task RemoveQuietlyAsync(Sftp.SftpClient client, string path)
    {
        try
        {
            await client.RemoveAsync(path, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    private static RpcException Unreachable(string message) => new(new Status(StatusCode.Unavailable, message));

    public async ValueTask DisposeAsync()
    {
        AgentSession? session;
        Task<AgentSession>? connecting;
        lock (_gate)
        {
            _disposed = true;
            session = _session;
            connecting = _connecting;
            _session = null;
        }
        if (connecting is not null)
        {
            try
            {
                session = await connecting.ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or IOException)
            {
            }
        }
        if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
    }
}
